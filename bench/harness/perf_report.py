"""Readable summaries of a `perf record -g` file: C++ template arguments folded to <…>,
self time grouped by what it is spent on, the hottest functions, and the gateway's own
functions with their callees."""

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


def _rows(data, children):
    """[(children %, self %, symbol)] of `perf report` (children % is None without it)."""
    args = ["perf", "report", "-i", data, "--stdio", "--no-call-graph", "--sort", "symbol",
            "--percent-limit", "0", "--children" if children else "--no-children"]
    out = subprocess.run(args, capture_output=True, text=True, check=False).stdout
    rows = []
    for line in out.splitlines():
        # Trailing "-  -" columns are perf's IPC fields, empty without branch data.
        m = re.match(r"\s*([\d.]+)%\s+(?:([\d.]+)%\s+)?(\[[.k]\]\s+.*?)(?:\s+-\s+-)?\s*$", line)
        if not m:
            continue
        if children:
            rows.append((float(m.group(1)), float(m.group(2)), short(m.group(3))))
        else:
            rows.append((None, float(m.group(1)), short(m.group(3))))
    return rows


def summary(data, lines=30):
    """Markdown text: groups, top self time, top gateway functions with callees."""
    flat = _rows(data, children=False)
    totals = {}
    for _, self_pct, sym in flat:
        name = next((g for g, rx in GROUPS if re.search(rx, sym)), "other")
        totals[name] = totals.get(name, 0.0) + self_pct
    text = "## Self time by kind\n\n| share | spent in |\n|---:|---|\n"
    for name, pct in sorted(totals.items(), key=lambda kv: -kv[1]):
        text += f"| {pct:.1f}% | {name} |\n"
    text += "\n## Hottest functions, self time\n\n| self | function |\n|---:|---|\n"
    for _, self_pct, sym in flat[:lines]:
        text += f"| {self_pct:.2f}% | `{sym[:150]}` |\n"
    inclusive = [r for r in _rows(data, children=True) if "hadrian::" in r[2]]
    text += ("\n## Gateway functions, with their callees\n\n| total | self | function |\n"
             "|---:|---:|---|\n")
    seen = set()
    for total, self_pct, sym in inclusive:
        if sym in seen:
            continue
        seen.add(sym)
        text += f"| {total:.2f}% | {self_pct:.2f}% | `{sym[:150]}` |\n"
        if len(seen) >= lines:
            break
    return text
