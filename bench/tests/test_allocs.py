"""DHAT's allocation sites summed per request: bench/harness/allocs.py."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness import allocs  # noqa: E402

# DHAT's JSON output, cut down to what the summary reads: each program point has its total
# bytes (tb), total blocks (tbk) and frames (fs, indexes into ftbl).
DHAT = {
    "ftbl": [
        "[root]",
        "0x48A1C0: operator new(unsigned long) (in /usr/lib/libmimalloc.so)",
        "0x2293FB: hadrian::api::proxy_handler::dispatch(hadrian::api::request_context&) (in /x/hadrian)",
        "0x1D717B: hadrian::server::session::send(int) (in /x/hadrian)",
        "0x4D323E8: CRYPTO_zalloc (in /usr/lib/libcrypto.so.3)",
        "0x4D30000: SSL_CTX_new (in /usr/lib/libssl.so.3)",
    ],
    "pps": [
        {"tb": 416000, "tbk": 100, "fs": [1, 2]},   # the frame: 4,160 bytes per request
        {"tb": 40000, "tbk": 100, "fs": [1, 3, 2]},  # a buffer of the session's own
        {"tb": 1000, "tbk": 100, "fs": [1, 3]},     # the same site again: merged
        {"tb": 64, "tbk": 1, "fs": [4, 5]},          # start-up only
    ],
}


class SitesTest(unittest.TestCase):
    def test_totals_count_every_allocation(self):
        blocks, size, _ = allocs.sites(DHAT, 100, 10)
        self.assertAlmostEqual(blocks, 3.01)
        self.assertAlmostEqual(size, 4570.64)

    def test_sites_are_named_by_their_first_frame_of_the_gateway(self):
        _, _, rows = allocs.sites(DHAT, 100, 10)
        self.assertEqual([r[3] for r in rows], [
            "hadrian::api::proxy_handler::dispatch(hadrian::api::request_context&)",
            "hadrian::server::session::send(int)",
        ])

    def test_a_site_reached_twice_is_summed(self):
        _, _, rows = allocs.sites(DHAT, 100, 10)
        size, count, average, _ = rows[1]
        self.assertAlmostEqual(size, 410.0)
        self.assertAlmostEqual(count, 2.0)
        self.assertAlmostEqual(average, 205.0)

    def test_rare_sites_and_extra_lines_are_left_out(self):
        _, _, rows = allocs.sites(DHAT, 100, 1)
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0][0], 4160.0)

    def test_no_answers_counts_as_one(self):
        blocks, _, _ = allocs.sites(DHAT, 0, 10)
        self.assertEqual(blocks, 301)


if __name__ == "__main__":
    unittest.main()
