"""Evaluation benchmark: scenario S3 of bench/eval (CPython, single thread).

S3: ``v3`` for ``plan == "enterprise"`` or one of 50 listed keys, else an 80/20 ``v1``/``v2``
split by targetingKey, over 100,000 distinct contexts. One warm-up pass, then 7 rounds; each
round runs whole passes for about ``--round-seconds`` and records ns per evaluation. Prints the
median round. Run: ``python3 sdk/python/bench_eval.py`` (from the repository root or anywhere).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from signalbox.core import compile_environment, evaluate  # noqa: E402

UNIT_COUNT = 100_000
BOOLEAN = [{"key": "on", "value": True}, {"key": "off", "value": False}]


def units():
    """Same units as bench/eval/scenarios.mjs: 5% enterprise, the rest pro or free."""
    return [
        {"key": f"user-{i}", "plan": "enterprise" if i % 20 == 0 else "pro" if i % 3 == 0 else "free"}
        for i in range(UNIT_COUNT)
    ]


LISTED_KEYS = [f"user-{(i * 1999 + 7) % UNIT_COUNT}" for i in range(50)]


def s3_config():
    """The Signalbox config of S3, as in bench/eval/adapters/signalbox.mjs."""
    return {
        "sequence": 1,
        "segments": [],
        "flags": [
            {
                "key": "s3", "kind": "string", "salt": "s3-salt", "version": 1, "on": True, "killed": False,
                "variants": [{"key": "v1", "value": "v1"}, {"key": "v2", "value": "v2"}, {"key": "v3", "value": "v3"}],
                "offVariant": "v1",
                "targets": [{"variant": "v3", "values": LISTED_KEYS}],
                "rules": [{"clauses": [{"attribute": "plan", "op": "in", "values": ["enterprise"]}], "serve": {"variant": "v3"}}],
                "defaultRule": {"rollout": {"variants": [{"variant": "v1", "weight": 80_000}, {"variant": "v2", "weight": 20_000}]}},
                "prerequisites": [],
            }
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--round-seconds", type=float, default=0.5)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()

    environment = compile_environment(s3_config())
    if environment.problems:
        raise SystemExit(f"config problems: {environment.problems}")
    contexts = [{"targetingKey": u["key"], "plan": u["plan"]} for u in units()]

    # Sanity check: exact v3 count, ~80/20 for the rest.
    counts = {"v1": 0, "v2": 0, "v3": 0}
    for context in contexts:
        counts[evaluate(environment, "s3", context, "v1", "string").value] += 1
    listed = set(LISTED_KEYS)
    expected_v3 = sum(1 for u in units() if u["plan"] == "enterprise" or u["key"] in listed)
    rest = counts["v1"] + counts["v2"]
    share_v1 = counts["v1"] / rest
    sane = counts["v3"] == expected_v3 and abs(share_v1 - 0.8) < 0.01

    # Warm-up pass, then the rounds. Wall-clock ns/eval is the figure (as in bench/eval); the
    # process CPU time is printed beside it because on a shared machine other processes inflate
    # wall-clock time, not CPU time.
    for context in contexts:
        evaluate(environment, "s3", context, "v1", "string")
    rounds = []
    cpu_rounds = []
    for _ in range(args.rounds):
        evaluations = 0
        started = time.perf_counter_ns()
        cpu_started = time.process_time_ns()
        deadline = started + int(args.round_seconds * 1e9)
        while True:
            for context in contexts:
                evaluate(environment, "s3", context, "v1", "string")
            evaluations += len(contexts)
            now = time.perf_counter_ns()
            if now >= deadline:
                break
        rounds.append((now - started) / evaluations)
        cpu_rounds.append((time.process_time_ns() - cpu_started) / evaluations)
    median = statistics.median(rounds)
    cpu_median = statistics.median(cpu_rounds)
    result = {
        "scenario": "S3",
        "python": sys.version.split()[0],
        "implementation": sys.implementation.name,
        "medianNsPerEval": round(median),
        "roundsNsPerEval": [round(r) for r in rounds],
        "medianCpuNsPerEval": round(cpu_median),
        "loadAverage": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "sanity": {"counts": counts, "expectedV3": expected_v3, "shareV1OfRest": round(share_v1, 4), "ok": sane},
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"Signalbox Python SDK, S3 ({sys.implementation.name} {result['python']}): "
              f"median {median:.0f} ns/eval over {args.rounds} rounds {result['roundsNsPerEval']}; "
              f"CPU time median {cpu_median:.0f} ns/eval; load average {result['loadAverage']}")
        print(f"sanity: {counts} (expected v3 {expected_v3}, v1 share of rest {share_v1:.3f}) {'OK' if sane else 'WRONG'}")
    return 0 if sane else 1


if __name__ == "__main__":
    sys.exit(main())
