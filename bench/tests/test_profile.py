"""The callgrind profile's cache simulation: event totals read from a dump."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness import profile  # noqa: E402

DUMP = """# callgrind format
version: 1
creator: callgrind-3.19.0
events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw
summary: 3951 908 667 134 34 20 3 14 16
fn=(1) main
1 3951 908 667 134 34 20 3 14 16
totals: 3951 908 667 134 34 20 3 14 16
"""


class EventTotalsTest(unittest.TestCase):
    def test_each_event_has_its_total(self):
        totals = profile.event_totals(DUMP)
        self.assertEqual(totals["Ir"], 3951)
        self.assertEqual(totals["I1mr"], 134)
        self.assertEqual(totals["DLmw"], 16)
        self.assertEqual(len(totals), 9)

    def test_a_dump_of_instructions_only(self):
        self.assertEqual(profile.event_totals("events: Ir\ntotals: 58447308\n"),
                         {"Ir": 58447308})

    def test_a_dump_without_totals_reads_as_nothing(self):
        self.assertEqual(profile.event_totals("events: Ir I1mr\n"), {})

    def test_every_simulated_event_is_named(self):
        self.assertTrue(set(profile.EVENT_NAMES) <= set(profile.event_totals(DUMP)))


if __name__ == "__main__":
    unittest.main()
