"""The training load of a profile-guided build: every scenario but the held streams, and a
load with errors stops it (the profile would be of the error path)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness import context, train  # noqa: E402


class FakeGateway:
    def __init__(self):
        self.events = []

    def start(self):
        self.events.append("start")

    def stop(self):
        self.events.append("stop")


class FakeCtx:
    env = context.Env()


class TrainTest(unittest.TestCase):
    def test_every_scenario_but_the_held_streams_is_run_once_against_one_gateway(self):
        gw, seen = FakeGateway(), []

        def load(ctx, sc, target, seconds):
            self.assertIs(target, gw)
            seen.append((sc.name, seconds))
            return {"ok": 10, "errors": 0}

        answered = train.train(FakeCtx(), lambda _: None, load=load, target=gw)
        names = [name for name, _ in seen]
        self.assertIn("chat-c128", names)
        self.assertIn("stream-c64", names)
        self.assertIn("anthropic-c32", names)
        self.assertNotIn("slow-streams", names)
        self.assertEqual(len(names), len(set(names)))
        self.assertEqual({s for _, s in seen}, {3.0})
        self.assertEqual(answered, {name: 10 for name in names})
        self.assertEqual(gw.events, ["start", "stop"])

    def test_a_load_with_errors_stops_the_training_and_the_gateway(self):
        gw = FakeGateway()

        def load(ctx, sc, target, seconds):
            return {"ok": 5, "errors": 1 if sc.name == "chat-c128" else 0}

        with self.assertRaisesRegex(RuntimeError, "chat-c128 had 5 answers and 1 errors"):
            train.train(FakeCtx(), lambda _: None, load=load, target=gw)
        self.assertEqual(gw.events, ["start", "stop"])

    def test_a_load_without_answers_stops_the_training(self):
        with self.assertRaisesRegex(RuntimeError, "chat-c32 had 0 answers"):
            train.train(FakeCtx(), lambda _: None, load=lambda *a: {"ok": 0, "errors": 0},
                        target=FakeGateway())


if __name__ == "__main__":
    unittest.main()
