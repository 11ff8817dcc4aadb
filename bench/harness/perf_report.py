"""Readable summaries of a `perf record -g` file: C++ template arguments folded to <…>,
self time grouped by what it is spent on, the hottest functions, and each sample charged to
the innermost gateway function on its stack (coroutines break the usual caller chains, so
"with callees" totals of perf report would mislead)."""

import collections
import os
import re
import subprocess

# Where self time goes, first match wins.
GROUPS = [
    ("kernel: network and syscalls", r"^\[k\]"),
    ("malloc/free", r"malloc|_int_free|cfree|free@|operator new|operator delete|"
                    r"malloc_consolidate|unlink_chunk|tcache|__libc_free"),
    ("JSON (nlohmann)", r"nlohmann::"),
    ("HTTP (Beast)", r"boost::beast::"),
    ("event loop, coroutines (Asio)", r"boost::asio::|coroutine"),
    ("logging (spdlog, fmt)", r"spdlog::|fmt::"),
    ("SQLite", r"sqlite3"),
    ("OpenSSL, hashing", r"SHA|sha256|EVP_|OPENSSL|CRYPTO_|ossl_"),
    ("locks, threads", r"pthread_|futex|__lll_"),
    ("memory copy and compare", r"memmove|memcpy|memcmp|memset|strlen|memchr|strcmp"),
    ("gateway code (hadrian::)", r"hadrian::"),
    ("C++ library", r"std::"),
]


def short(symbol):
    """`symbol` with template arguments folded: a<b<c>>::f -> a<…>::f."""
    out, depth, i = [], 0, 0
    while i < len(symbol):
        for op in ("operator<<", "operator<=", "operator<", "operator>>", "operator>"):
            if depth == 0 and symbol.startswith(op, i):
                out.append(op)
                i += len(op)
                break
        else:
            c = symbol[i]
            if c == "<":
                if depth == 0:
                    out.append("<…>")
                depth += 1
            elif c == ">" and depth > 0:
                depth -= 1
            elif depth == 0:
                out.append(c)
            i += 1
    return "".join(out)


def _stacks(data):
    """Every sample's call stack, leaf first, from `perf script`."""
    out = subprocess.run(["perf", "script", "-i", data, "-F", "ip,sym", "--no-inline"],
                         capture_output=True, text=True, check=False,
                         env=dict(os.environ, DEBUGINFOD_URLS="")).stdout
    stacks, frames = [], []
    for line in out.splitlines():
        parts = line.split(None, 1)
        if not parts:
            if frames:
                stacks.append(frames)
                frames = []
            continue
        kernel = parts[0].startswith("ffffffff")
        frames.append(("[k] " if kernel else "") + (parts[1] if len(parts) > 1 else "?"))
    if frames:
        stacks.append(frames)
    return stacks


def _kind(symbol):
    return next((g for g, rx in GROUPS if re.search(rx, symbol)), "other")


def _table(title, head, rows):
    text = f"## {title}\n\n| share | {head} |\n|---:|---|\n"
    return text + "".join(f"| {pct:.1f}% | {what} |\n" for pct, what in rows) + "\n"


def summary(data, lines=30):
    """Markdown text: self time by kind, the hottest functions, and every sample charged to
    the innermost gateway function on its stack (with what that time was spent in)."""
    stacks = _stacks(data)
    n = len(stacks) or 1
    kinds = collections.Counter(_kind(s[0]) for s in stacks)
    leaves = collections.Counter(short(s[0]) for s in stacks)
    owners = collections.Counter()
    owner_kinds = collections.defaultdict(collections.Counter)
    for s in stacks:
        owner = next((short(f) for f in s if "hadrian::" in f), "(no gateway function on the stack)")
        owners[owner] += 1
        owner_kinds[owner][_kind(s[0])] += 1
    text = f"{len(stacks)} samples.\n\n"
    text += _table("Self time by kind", "spent in",
                   [(100 * c / n, k) for k, c in kinds.most_common()])
    text += _table("Hottest functions, self time", "function",
                   [(100 * c / n, f"`{f[:140]}`") for f, c in leaves.most_common(lines)])
    rows = []
    for owner, c in owners.most_common(lines):
        inside = ", ".join(f"{k} {100 * v / c:.0f}%" for k, v in owner_kinds[owner].most_common(3))
        rows.append((100 * c / n, f"`{owner[:110]}` — {inside}"))
    text += _table("Samples charged to the innermost gateway function on the stack",
                   "function — spent in", rows)
    return text
