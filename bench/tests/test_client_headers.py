"""The chat scenario with a real client's header fields: the same load as chat-c32, the head
the official `openai` npm client sends, to every target."""

import os
import sys
import unittest
from types import SimpleNamespace

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness import loadgen, scenarios  # noqa: E402


def env(**values):
    return SimpleNamespace(float=lambda k, d: values.get(k, d), int=lambda k, d: values.get(k, d),
                           str=lambda k, d: values.get(k, d))


def sent_headers(sc, api):
    """The header lines `load` gives wrk for `sc` against a target of kind `api`."""
    calls = []
    target = SimpleNamespace(api=api, base_url=lambda: "http://127.0.0.1:1")
    ctx = SimpleNamespace(bodies={"chat": "chat.json"}, auth_headers=["Authorization: Bearer k"],
                          load_cpu=1, tools_dir="", env=env())
    saved = loadgen.run_wrk
    loadgen.run_wrk = lambda url, body, headers, conns, secs, cpu: calls.append(
        (url, body, headers, conns)) or {}
    try:
        scenarios.load(ctx, sc, target, 1)
    finally:
        loadgen.run_wrk = saved
    return calls[0]


class ClientHeaders(unittest.TestCase):
    def by_name(self):
        return {sc.name: sc for sc in scenarios.scenarios(env())}

    def test_the_sdk_scenario_is_chat_c32_with_the_clients_fields(self):
        every = self.by_name()
        sdk, plain = every["chat-sdk-c32"], every["chat-c32"]
        self.assertEqual((sdk.tool, sdk.body, sdk.connections), (plain.tool, plain.body, 32))
        names = [h.split(":", 1)[0].lower() for h in sdk.headers]
        self.assertEqual(len(names), 12)
        self.assertEqual(len(set(names)), 12)
        self.assertIn("x-stainless-package-version", names)
        self.assertIn("user-agent", names)
        # wrk adds Host and Content-Length, the harness Content-Type and the key: 16 in all.
        self.assertNotIn("authorization", names)
        self.assertNotIn("content-type", names)

    def test_every_target_gets_the_fields_and_the_key(self):
        sdk = self.by_name()["chat-sdk-c32"]
        for api in ("gateway", "upstream"):
            url, body, headers, conns = sent_headers(sdk, api)
            self.assertEqual(headers, sdk.headers + ["Authorization: Bearer k"], api)
            self.assertEqual((body, conns), ("chat.json", 32))
        self.assertTrue(sent_headers(sdk, "gateway")[0].endswith("/api/v1/chat/completions"))
        self.assertTrue(sent_headers(sdk, "upstream")[0].endswith("/v1/chat/completions"))

    def test_the_plain_scenario_sends_only_the_key(self):
        plain = self.by_name()["chat-c32"]
        self.assertEqual(sent_headers(plain, "gateway")[2], ["Authorization: Bearer k"])


if __name__ == "__main__":
    unittest.main()
