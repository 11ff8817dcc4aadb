"""A round in alternating slices: every target running, each taking the load in turn, and a
target's slices merged into one measurement with its latencies pooled."""

import os
import random
import sys
import unittest
from types import SimpleNamespace

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness import scenarios, slices  # noqa: E402


def quantiles(samples, points=1000):
    """What the load generators report: the k/points quantiles, nearest rank."""
    s = sorted(samples)
    return [s[max(1, -(-k * len(s) // points)) - 1] for k in range(1, points + 1)]


def exact(samples, q):
    s = sorted(samples)
    return s[max(1, -(-int(q * 1000) * len(s) // 1000)) - 1]


def result(rps, seconds, samples, errors=0, ttfb=None):
    return {"requests": len(samples), "ok": len(samples) - errors, "errors": errors,
            "error_kinds": {"status": errors} if errors else {}, "rps": rps,
            "seconds": seconds, "latency": {"p50": 0, "p90": 0, "p99": 0, "max": max(samples)},
            "latency_q": quantiles(samples), "ttfb": {"p50": 0, "p99": 0} if ttfb else None,
            "ttfb_q": quantiles(ttfb) if ttfb else [], "max_in_flight": 32}


class Pooling(unittest.TestCase):
    def test_pooled_percentiles_are_those_of_all_the_samples(self):
        rng = random.Random(7)
        runs = [[rng.lognormvariate(0, 0.5) for _ in range(n)] for n in (1500, 4000, 2500)]
        runs[1] = [v * 3 for v in runs[1]]  # one slice in a slow phase
        every = [v for run in runs for v in run]
        parts = [(len(run), quantiles(run)) for run in runs]
        for q in (0.5, 0.9, 0.99):
            got = slices.pooled_quantile(parts, q)
            rank = sum(v <= got for v in every) / len(every)
            self.assertAlmostEqual(rank, q, delta=0.002, msg=f"q={q}")
        self.assertEqual(slices.pooled_quantile(parts, 1.0), max(every))

    def test_a_slice_weighs_as_many_requests_as_it_answered(self):
        # 3,000 answers at 1 ms and 1,000 at 9 ms: the p50 is 1 ms, the p90 9 ms.
        parts = [(3000, [1.0] * 1000), (1000, [9.0] * 1000)]
        self.assertEqual(slices.pooled_quantile(parts, 0.5), 1.0)
        self.assertEqual(slices.pooled_quantile(parts, 0.75), 1.0)
        self.assertEqual(slices.pooled_quantile(parts, 0.9), 9.0)
        self.assertIsNone(slices.pooled_quantile([(0, [])], 0.5))

    def test_merge_adds_answers_and_weighs_rates_by_time(self):
        a = result(1000.0, 1.0, [1.0] * 1000, errors=2)
        b = result(3000.0, 2.0, [2.0] * 6000 + [50.0] * 10)
        m = slices.merge([a, b])
        self.assertEqual((m["requests"], m["ok"], m["errors"]), (7010, 7008, 2))
        self.assertEqual(m["error_kinds"], {"status": 2})
        self.assertAlmostEqual(m["rps"], (1000 + 6000) / 3.0)
        self.assertEqual(m["seconds"], 3.0)
        self.assertEqual(m["latency"]["p50"], 2.0)
        self.assertEqual(m["latency"]["max"], 50.0)
        self.assertIsNone(m["ttfb"])
        self.assertEqual(m["slices"], 2)
        self.assertEqual(m["slice_rps"], [1000.0, 3000.0])

    def test_merge_pools_the_time_to_first_byte_of_streams(self):
        a = result(10.0, 1.0, [100.0] * 10, ttfb=[1.0] * 10)
        b = result(10.0, 1.0, [100.0] * 10, ttfb=[5.0] * 10)
        m = slices.merge([a, b])
        self.assertEqual(m["ttfb"], {"p50": 1.0, "p99": 5.0})


class FakeTarget:
    def __init__(self, name, events, fail_start=False):
        self.name = name
        self.events = events
        self.fail_start = fail_start
        self.running = False

    def start(self):
        if self.fail_start:
            raise RuntimeError("did not start")
        self.running = True

    def stop(self):
        self.running = False
        self.events.append(("stop", self.name))

    def pids(self):
        return []


def sliced_round(names, seconds=3.0, slice_seconds=1.0, fail_start=(), fail_load=None,
                 rounds=None):
    """run_sliced_round (or run_rounds over `rounds` rounds) with fake targets and a fake load
    that answers 100 req/s on `direct`, 50 on the others; returns (rows, events, targets)."""
    events = []
    tgts = [FakeTarget(n, events, n in fail_start) for n in names]
    calls = {"n": 0}

    def fake_load(ctx, sc, target, secs, warmup=False):
        assert target.running, f"{target.name} loaded while stopped"
        events.append(("warm" if warmup else "load", target.name, secs))
        calls["n"] += 1
        if fail_load and fail_load == (target.name, calls["n"]):
            raise RuntimeError("load failed")
        rate = 100.0 if target.name == "direct" else 50.0
        return result(rate, secs, [1.0] * int(rate * secs))

    def guarded(run, scenario, target):
        try:
            return run()
        except RuntimeError as e:
            return {"scenario": scenario, "target": target, "failed": str(e)}

    ctx = SimpleNamespace(seconds=seconds, slice_seconds=slice_seconds, warmup_seconds=2.0,
                          rss_every=1.0, rounds=rounds)
    sc = scenarios.Scenario("chat-c32", "chat", "wrk", "chat", connections=32)
    saved = scenarios.load
    scenarios.load = fake_load
    try:
        if rounds:
            rows = scenarios.run_rounds(ctx, sc, tgts, guarded, lambda _: None)
        else:
            rows = scenarios.run_sliced_round(ctx, sc, tgts, guarded, lambda _: None)
    finally:
        scenarios.load = saved
    return rows, events, tgts


class SlicedRound(unittest.TestCase):
    def test_targets_take_the_load_in_turn_in_alternating_order(self):
        rows, events, tgts = sliced_round(["direct", "nginx", "gateway"])
        loads = [e[1] for e in events if e[0] == "load"]
        self.assertEqual(loads, ["direct", "nginx", "gateway", "gateway", "nginx", "direct",
                                 "direct", "nginx", "gateway"])
        self.assertEqual([e[1] for e in events if e[0] == "warm"],
                         ["direct", "nginx", "gateway"])
        self.assertTrue(all(e[2] == 1.0 for e in events if e[0] == "load"))
        self.assertFalse(any(t.running for t in tgts))
        by = {r["target"]: r for r in rows}
        self.assertEqual(by["direct"]["rps"], 100.0)
        self.assertEqual(by["gateway"]["requests"], 150)
        self.assertEqual(by["gateway"]["slices"], 3)
        self.assertNotIn("latency_q", by["gateway"])

    def test_slices_share_out_the_seconds_of_a_target(self):
        _, events, _ = sliced_round(["nginx", "gateway"], seconds=5.0, slice_seconds=2.0)
        loads = [e[1:] for e in events if e[0] == "load"]
        self.assertEqual(loads, [("nginx", 2.5), ("gateway", 2.5), ("gateway", 2.5),
                                 ("nginx", 2.5)])

    def test_a_target_that_does_not_start_fails_alone(self):
        rows, events, _ = sliced_round(["direct", "nginx", "gateway"], fail_start={"nginx"})
        by = {r["target"]: r for r in rows}
        self.assertEqual(by["nginx"]["failed"], "did not start")
        self.assertEqual(by["gateway"]["requests"], 150)
        self.assertNotIn("nginx", [e[1] for e in events if e[0] == "load"])

    def test_a_target_whose_load_fails_is_left_out_after_it(self):
        # Calls: three warm-ups, then direct (4), nginx (5), gateway (6), gateway (7)...
        rows, events, tgts = sliced_round(["direct", "nginx", "gateway"],
                                          fail_load=("nginx", 5))
        by = {r["target"]: r for r in rows}
        self.assertEqual(by["nginx"]["failed"], "load failed")
        self.assertEqual([e[1] for e in events if e[0] == "load"].count("nginx"), 1)
        self.assertEqual(by["direct"]["slices"], 3)
        self.assertFalse(any(t.running for t in tgts))

    def test_rounds_of_a_timed_load_are_sliced(self):
        rows, events, _ = sliced_round(["nginx", "gateway"], rounds=2)
        self.assertEqual([e[1] for e in events if e[0] == "load"],
                         ["nginx", "gateway", "gateway", "nginx", "nginx", "gateway"] * 2)
        self.assertEqual(events.count(("stop", "gateway")), 2)
        label, values, pick = rows[0]["pairing"]
        self.assertEqual(values, [1.0, 1.0])
        self.assertEqual(rows[1]["slices"], 3)


if __name__ == "__main__":
    unittest.main()
