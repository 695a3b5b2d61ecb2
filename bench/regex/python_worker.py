"""Times the Python SDK's `matches` engine: python3 bench/regex/python_worker.py < jobs.json

Reads {"cases": [{"pattern", "input", "python"?}], "targetMs"} on stdin (`python` is the same
pattern for Python's `re`, for the comparison rows) and prints one JSON line per case:
compile time, first (cold) and median warm evaluation in microseconds, and the answer.
"""
from __future__ import annotations

import json
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "sdk" / "python"))

from signalbox.core.regex_matcher import compile_regex  # noqa: E402


def median_us(run, target_ms: float) -> float:
    samples = []
    deadline = time.perf_counter() + target_ms / 1000
    while len(samples) < 5 or (time.perf_counter() < deadline and len(samples) < 10_000):
        start = time.perf_counter_ns()
        run()
        samples.append((time.perf_counter_ns() - start) / 1000)
    return statistics.median(samples)


def main() -> None:
    jobs = json.load(sys.stdin)
    target_ms = jobs.get("targetMs", 100)
    version = ".".join(str(part) for part in sys.version_info[:3])
    for case in jobs["cases"]:
        pattern, text = case["pattern"], case["input"]
        compile_us = []
        cold_us = []
        answer = None
        for _ in range(5):
            start = time.perf_counter_ns()
            regex = compile_regex(pattern)
            compile_us.append((time.perf_counter_ns() - start) / 1000)
            start = time.perf_counter_ns()
            answer = regex.test(text)
            cold_us.append((time.perf_counter_ns() - start) / 1000)
        warm_us = median_us(lambda: regex.test(text), target_ms)
        result = {
            "pattern": pattern,
            "matches": answer,
            "compileUs": statistics.median(compile_us),
            "coldUs": statistics.median(cold_us),
            "warmUs": warm_us,
            "size": regex.size,
            "cacheResets": regex.cache_resets,
            "python": version,
        }
        if case.get("python") is not None:
            old = re.compile(case["python"])
            result["reUs"] = median_us(lambda: old.search(text), target_ms)
            result["reMatches"] = old.search(text) is not None
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
