"""A target's load results of several slices of one round, merged into one result.

In a sliced round every target runs at once and each takes the scenario's load in turn for a
second or so; a target's slices are then one measurement: their answers and errors add up,
their rates are weighted by the time each took, and their latencies are pooled from the
quantiles each slice reports (1,000 points, so a pooled percentile is within 0.1 % of rank
of the exact one)."""


def pooled_quantile(parts, q):
    """The q-quantile (0 < q ≤ 1) of the union of runs given as (count, quantiles): each
    quantile point of a run stands for count / len(quantiles) of its samples."""
    points = sorted((v, count / len(qs)) for count, qs in parts if count and qs for v in qs)
    if not points:
        return None
    need = q * sum(w for _, w in points)
    acc = 0.0
    for v, w in points:
        acc += w
        if acc >= need * (1 - 1e-12):
            return v
    return points[-1][0]


def _pooled(results, key, levels):
    parts = [(r["requests"], r.get(key) or []) for r in results]
    if not any(count and qs for count, qs in parts):
        return None
    return {name: pooled_quantile(parts, q) for name, q in levels}


def merge(results):
    """One load result (loadgen's shape) from the results of a target's slices."""
    seconds = sum(r["seconds"] for r in results)
    kinds = {}
    for r in results:
        for k, v in (r.get("error_kinds") or {}).items():
            kinds[k] = kinds.get(k, 0) + v
    streamed = any(r.get("ttfb") for r in results)
    return {
        "requests": sum(r["requests"] for r in results),
        "ok": sum(r["ok"] for r in results),
        "errors": sum(r["errors"] for r in results),
        "error_kinds": kinds,
        "rps": sum(r["rps"] * r["seconds"] for r in results) / seconds if seconds else 0.0,
        "seconds": seconds,
        "latency": dict(_pooled(results, "latency_q", (("p50", 0.5), ("p90", 0.9), ("p99", 0.99)))
                        or {}, max=max((r.get("latency") or {}).get("max", 0) for r in results)),
        "ttfb": _pooled(results, "ttfb_q", (("p50", 0.5), ("p99", 0.99))) if streamed else None,
        "max_in_flight": max(r.get("max_in_flight", 0) for r in results),
        "slices": len(results),
        "slice_rps": [round(r["rps"], 1) for r in results],  # to see what moved a round
    }
