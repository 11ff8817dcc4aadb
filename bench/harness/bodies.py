"""Request bodies of the scenarios, written once into the run's directory. The same bytes
go to every target; only the Anthropic scenario differs (the gateway is called with the
OpenAI API and translates, the upstream and nginx get Anthropic's own API)."""

import base64
import json
import os
import random

MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant. Answer briefly."},
    {"role": "user", "content": "Write one sentence about why benchmarks need warm-up."},
]


def _chat(model, **extra):
    return {"model": model, "messages": MESSAGES, "max_tokens": 64, "temperature": 0.7, **extra}


def _image_chat(size):
    """A chat request of about `size` bytes: a question and a base64 PNG data URL."""
    raw = random.Random(6).randbytes(size * 3 // 4)
    url = "data:image/png;base64," + base64.b64encode(raw).decode()
    content = [
        {"type": "text", "text": "What is in this image?"},
        {"type": "image_url", "image_url": {"url": url, "detail": "low"}},
    ]
    return {"model": "bench/gpt-4o-mini", "messages": [{"role": "user", "content": content}],
            "max_tokens": 64}


BODIES = {
    "chat": lambda: _chat("bench/gpt-4o-mini"),
    "stream": lambda: _chat("bench_stream/gpt-4o-mini", stream=True,
                            stream_options={"include_usage": True}),
    "slow": lambda: _chat("bench_slow/gpt-4o-mini", stream=True,
                          stream_options={"include_usage": True}),
    "image": lambda: _image_chat(1024 * 1024),
    "anthropic-gateway": lambda: _chat("claude/claude-3-5-haiku-latest"),
    "anthropic-upstream": lambda: {
        "model": "claude-3-5-haiku-latest",
        "max_tokens": 64,
        "system": MESSAGES[0]["content"],
        "messages": [MESSAGES[1]],
    },
}


def write_bodies(dir_):
    """Writes every body; returns {name: path}."""
    paths = {}
    for name, make in BODIES.items():
        path = os.path.join(dir_, f"body-{name}.json")
        with open(path, "w") as f:
            json.dump(make(), f, separators=(",", ":"))
        paths[name] = path
    return paths
