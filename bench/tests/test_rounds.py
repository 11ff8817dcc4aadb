"""How `make bench` turns its rounds into one row per target: the rows of a scenario come
from one round, the median one by the gateway's figure against a reference measured in
that same round."""

import os
import sys
import unittest
from types import SimpleNamespace

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness import scenarios, table  # noqa: E402


def rounds_of(sc, figures, failed=()):
    """run_rounds over targets whose rows, round by round, are `figures[name][n]` (a dict
    merged into the row); (name, n) in `failed` fails that run."""
    names = list(figures)
    tgts = [SimpleNamespace(name=n) for n in names]
    count = len(next(iter(figures.values())))
    calls = {n: 0 for n in names}

    def fake_run_one(ctx, sc, t):
        n = calls[t.name]
        calls[t.name] += 1
        if (t.name, n) in failed:
            raise RuntimeError("target did not start")
        return dict({"scenario": sc.name, "target": t.name, "errors": 1,
                     "error_kinds": {"timeout": 1}, "peak_rss_mib": 10.0 + n},
                    **figures[t.name][n])

    def guarded(run, scenario, target):
        try:
            return run()
        except RuntimeError as e:
            return {"scenario": scenario, "target": target, "failed": str(e)}

    saved = scenarios.run_one
    scenarios.run_one = fake_run_one
    try:
        ctx = SimpleNamespace(rounds=count, slice_seconds=0)  # each target in one run
        return scenarios.run_rounds(ctx, sc, tgts, guarded, lambda _: None)
    finally:
        scenarios.run_one = saved


def wrk(name="chat-c32"):
    return scenarios.Scenario(name, "chat", "wrk", "chat", connections=32)


def rps(*values):
    return [{"rps": v, "latency": {"p99": 1.0}} for v in values]


def p99(*values):
    return [{"rps": 2000.0, "latency": {"p99": v}} for v in values]


class PairedRounds(unittest.TestCase):
    def test_throughput_rows_come_from_the_round_of_the_median_ratio(self):
        # Ratios by round: 18/22.7 = 0.79, 17.9/18.2 = 0.98, 24.3/24.1 = 1.01. Each target's
        # own median (18.0 and 22.7) would pair two different rounds: 0.79.
        rows = rounds_of(wrk(), {"direct": rps(47.0, 36.4, 49.3),
                                 "nginx": rps(22.7, 18.2, 24.1),
                                 "gateway": rps(18.0, 17.9, 24.3)})
        by = {r["target"]: r for r in rows}
        self.assertEqual([by[n]["rps"] for n in ("direct", "nginx", "gateway")],
                         [36.4, 18.2, 17.9])
        label, values, pick = rows[0]["pairing"]
        self.assertEqual(pick, 1)
        self.assertEqual([round(v, 2) for v in values], [0.79, 0.98, 1.01])

    def test_errors_add_up_and_the_peak_is_the_highest_of_every_round(self):
        rows = rounds_of(wrk(), {"nginx": rps(3.0, 1.0, 2.0), "gateway": rps(3.0, 1.0, 2.0)})
        for r in rows:
            self.assertEqual(r["errors"], 3)
            self.assertEqual(r["error_kinds"], {"timeout": 3})
            self.assertEqual(r["peak_rss_mib"], 12.0)

    def test_paced_rows_come_from_the_round_of_the_median_added_p99(self):
        sc = scenarios.Scenario("chat-open", "open loop", "open", "chat", rate=2000)
        # Added p99 by round: 0.40, 1.09, 1.95.
        rows = rounds_of(sc, {"direct": p99(0.89, 0.90, 0.28), "nginx": p99(1.2, 0.8, 1.6),
                              "gateway": p99(1.29, 1.99, 2.23)})
        by = {r["target"]: r for r in rows}
        self.assertEqual(by["gateway"]["latency"]["p99"], 1.99)
        self.assertEqual(by["direct"]["latency"]["p99"], 0.90)
        self.assertEqual(rows[0]["pairing"][2], 1)

    def test_a_round_with_a_failed_target_is_not_picked(self):
        rows = rounds_of(wrk(), {"nginx": rps(10.0, 10.0, 10.0), "gateway": rps(9.0, 8.0, 7.0)},
                         failed={("nginx", 1)})
        label, values, pick = rows[0]["pairing"]
        self.assertIsNone(values[1])
        self.assertEqual(pick, 2)  # of 0.9 and 0.7, the lower middle
        self.assertEqual({r["target"]: r["rps"] for r in rows}, {"nginx": 10.0, "gateway": 7.0})
        self.assertEqual(rows[0]["failed_rounds"], 1)

    def test_without_the_reference_each_target_shows_its_own_median_round(self):
        rows = rounds_of(wrk(), {"direct": rps(5.0, 9.0, 7.0), "gateway": rps(1.0, 3.0, 2.0)})
        self.assertEqual({r["target"]: r["rps"] for r in rows}, {"direct": 7.0, "gateway": 2.0})
        self.assertNotIn("pairing", rows[0])

    def test_the_table_marks_the_round_shown(self):
        rows = rounds_of(wrk(), {"nginx": rps(22.7, 18.2, 24.1), "gateway": rps(18.0, 17.9, 24.3)})
        text = table.render(rows)
        self.assertIn("- chat-c32, gateway req/s ÷ nginx's: 0.793, 0.984*, 1.01", text)
        self.assertIn("- chat-c32 / gateway, req/s: 18, 17.9, 24.3", text)


if __name__ == "__main__":
    unittest.main()
