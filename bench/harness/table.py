"""The one table of `make bench` (markdown), with the gateway's and nginx's ratios to the
direct call and the gateway's ratios to nginx."""

COLUMNS = [
    "scenario", "target", "req/s", "in flight", "p50 ms", "p90 ms", "p99 ms", "TTFB p50",
    "TTFB p99", "errors", "CPU %", "CPU µs/req", "peak RSS MiB", "RSS drift MiB",
    "req/s ÷direct", "p99 −direct ms", "req/s ÷nginx", "p99 ÷nginx", "CPU/req ÷nginx",
]


def _num(v, digits=3):
    """`v` with about `digits` significant digits, or a dash."""
    if v is None:
        return "—"
    if abs(v) >= 10 ** digits:
        return f"{v:,.0f}"
    s = f"{v:.{digits}g}"
    return f"{float(s):,.0f}" if "e" in s else s


def _fixed(v):
    return "—" if v is None else f"{v:.1f}".replace("-0.0", "0.0")


def _signed(v):
    return "—" if v is None else ("+" if v >= 0 else "−") + _num(abs(v))


def _ratio(a, b):
    return f"×{a / b:.2f}" if a is not None and b else "—"


def _cells(row, direct, nginx):
    lat = row.get("latency") or {}
    ttfb = row.get("ttfb") or {}
    cells = [
        row["scenario"], row["target"],
        _num(row.get("rps"), 4) if "rps" in row else "—",
        str(row["max_in_flight"]) if "max_in_flight" in row else "—",
        _num(lat.get("p50")), _num(lat.get("p90")), _num(lat.get("p99")),
        _num(ttfb.get("p50")), _num(ttfb.get("p99")),
        str(row["errors"]) if "errors" in row else "—",
        _num(row.get("cpu_pct")), _num(row.get("cpu_us")),
        _num(row.get("peak_rss_mib")), _fixed(row.get("rss_drift_mib")),
    ]
    rps, p99 = row.get("rps"), lat.get("p99")
    if direct and row["target"] != "direct" and "rps" in row:
        dp99 = direct["latency"]["p99"]
        cells += [_ratio(rps, direct["rps"]), _signed(p99 - dp99)]
    else:
        cells += ["—", "—"]
    if nginx and row["target"] not in ("direct", "nginx") and "rps" in row:
        cells += [_ratio(rps, nginx["rps"]), _ratio(p99, nginx["latency"]["p99"]),
                  _ratio(row.get("cpu_us"), nginx.get("cpu_us"))]
    else:
        cells += ["—", "—", "—"]
    return cells


def render(rows):
    """Markdown text of the table; rows are in run order."""
    by = {(r["scenario"], r["target"]): r for r in rows if not r.get("failed")}
    notes = []
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    for r in rows:
        direct = by.get((r["scenario"], "direct"))
        nginx = by.get((r["scenario"], "nginx"))
        lines.append("| " + " | ".join(_cells(r, direct, nginx)) + " |")
    rounds = [r for r in rows if len((r.get("rounds") or ("", []))[1]) > 1]
    if rounds:
        notes.append("Each round. A scenario's rows come from one round: the median one by the "
                     "gateway's figure against the reference in the same round, where that is "
                     "given (marked *), else each target's median round by its own figure.")
        for r in rounds:
            if r.get("pairing"):
                label, values, pick = r["pairing"]
                each = ", ".join((_num(v, 3) if v is not None else "failed") +
                                 ("*" if n == pick else "") for n, v in enumerate(values))
                notes.append(f"- {r['scenario']}, {label}: {each}")
            label, values = r["rounds"]
            each = ", ".join(_num(v, 4) if v is not None else "failed" for v in values)
            notes.append(f"- {r['scenario']} / {r['target']}, {label}: {each}")
    for r in rows:
        if r.get("failed_rounds"):
            notes.append(f"- {r['scenario']} / {r['target']}: {r['failed_rounds']} round(s) "
                         "did not run")
        if r.get("failed"):
            notes.append(f"- {r['scenario']} / {r['target']}: did not run: {r['failed']}")
        if r.get("errors"):
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(r["error_kinds"].items()))
            notes.append(f"- {r['scenario']} / {r['target']}: errors: {kinds}")
    # Last: lists of their own, after the notes on rounds and errors.
    split = [r for r in rows if r.get("cpu_user_us") is not None]
    if split:
        notes += [""] if notes else []
        notes.append("CPU µs per request in the target's own code (user) and in the kernel "
                     "for it (system: its system calls and the network under them; the kernel "
                     "splits its time by sampling at each tick, so trust it where the target "
                     "keeps its core busy):")
        for r in split:
            notes.append(f"- {r['scenario']} / {r['target']}: user {_num(r['cpu_user_us'])}, "
                         f"system {_num(r['cpu_system_us'])}")
    threads = [r for r in rows if r.get("cpu_threads_us")]
    if threads:
        notes += [""] if notes else []
        notes.append("CPU µs per request by thread (the gateway's first I/O thread has the "
                     "binary's name):")
        for r in threads:
            each = ", ".join(f"{name} {_num(us, 3)}" for name, us in r["cpu_threads_us"].items())
            notes.append(f"- {r['scenario']} / {r['target']}: {each}")
    return "\n".join(lines + ([""] + notes if notes else [])) + "\n"
