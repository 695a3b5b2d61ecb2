"""Cold start of the Python SDK: `import` plus the first evaluation, one fresh process per run.

    python3 bench/startup/python_cold.py [--runs 25] [--scenarios client,core-lazy,...] [--sdk DIR] [--out FILE|-]

Writes a realistic 200-flag environment config (boolean, string, number and JSON flags with
individual targets, rules over every operator, 20 segments, percentage rollouts, prerequisites,
some flags off or killed: 226 KB of JSON) to a temporary bootstrap file, then starts ``--runs``
fresh interpreters per row, round-robin, so that load on a shared machine hits every row alike.
Each child times from just before its first ``import signalbox...`` (``time.perf_counter_ns``,
and ``time.process_time_ns`` for the CPU column) to the import done and to the first result:

- ``client``: ``from signalbox import SignalboxClient``, then
  ``SignalboxClient(key, bootstrap_file=..., offline=True).evaluate(flag, context)``;
- ``client-logging``: the same in a process whose application configured logging first (the
  client then lists the config's problems at start, which compiles every flag);
- ``core-lazy`` / ``core``: ``from signalbox.core import compile_environment, evaluate``, then
  ``json.load``, compile (lazily / every flag) and evaluate;
- ``json-only``: no SDK, ``import json`` and ``json.load`` of the same file: the floor.

``client`` also runs with the SDK compiled from source on every run (bytecode ``source``; as in
this repository, whose environment sets ``PYTHONDONTWRITEBYTECODE``); every other row has its
bytecode cached (``.pyc``, as after ``pip install``). Bytecode goes to a private
``PYTHONPYCACHEPREFIX``, so the source tree is never written to. Children run with ``-S`` and
import ``os`` before timing, as the standard ``site`` module does, so the figures include every
other standard-library module the SDK pulls in (``--site`` keeps ``site`` and whatever its
``.pth`` files preload).

Prints median and p90 per row (milliseconds) and writes them, with every sample, to
``bench/results/startup-python.json``. The target (issue 15) is at most 30 ms for import plus
first evaluation; this script reports, it does not assert. Standard library only.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List

REPO_DIR = Path(__file__).resolve().parents[2]
DEFAULT_SDK = REPO_DIR / "sdk" / "python"
DEFAULT_OUT = REPO_DIR / "bench" / "results" / "startup-python.json"
TARGET_MS = 30.0

FLAG_COUNT = 200
SEGMENT_COUNT = 20

# The flag evaluated first: a string flag with targets, segment and attribute rules and a rollout
# (the generator makes every flag with index % 10 == 7 like that; see build_config).
FIRST_FLAG_INDEX = 137
CONTEXT = {
    "targetingKey": "user-48213",
    "plan": "pro",
    "country": "DE",
    "email": "ada@example.org",
    "appVersion": "2.14.1",
    "createdAt": "2024-03-18T09:30:00Z",
    "seats": 42,
    "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)",
    "tenantId": "tenant-0193",
    "beta": True,
}

# Standard-library modules the children report as imported by the SDK (transports, threads, ...).
WATCHED_MODULES = (
    "http.client", "socket", "ssl", "urllib.parse", "threading", "concurrent.futures", "logging", "email.utils",
    "tempfile", "hashlib", "typing", "re", "json", "collections",
)

SCENARIOS = {
    "client": "offline SignalboxClient from a bootstrap file, then client.evaluate()",
    "client-logging": "the same in an application that configured logging (the client then lists the config's problems at start)",
    "core-lazy": "signalbox.core: json.load, compile_environment(config, lazy=True), evaluate()",
    "core": "signalbox.core: json.load, compile_environment(config) (every flag), evaluate()",
    "json-only": "no SDK: import json and json.load the same file, the least any Python SDK spends",
}
# (scenario, bytecode) rows, in the order they run within each round.
ROWS = (
    ("client", "cached"), ("client", "source"), ("client-logging", "cached"), ("core-lazy", "cached"), ("core", "cached"),
    ("json-only", "cached"),
)

DOMAINS = ("checkout", "search", "etl", "model", "billing", "onboarding", "reports", "notifications", "api", "ui")
FEATURES = ("new-flow", "fast-path", "v2", "redesign", "batching", "cache", "retry", "dark-mode", "export", "limits")
PLANS = ("free", "pro", "team", "enterprise")
COUNTRIES = ("DE", "FR", "US", "GB", "NL", "SE", "ES", "IT", "PL", "JP", "BR", "CA", "IN", "AU")


# -- the config --

def _weights(rng: random.Random, count: int) -> List[int]:
    """``count`` weights in thousandths of a percent, summing to 100000."""
    cuts = sorted(rng.randrange(0, 100_001, 500) for _ in range(count - 1))
    bounds = [0] + cuts + [100_000]
    return [bounds[i + 1] - bounds[i] for i in range(count)]


def _clause(rng: random.Random, segment_keys: List[str], allow_segment: bool = True) -> Dict[str, Any]:
    choice = rng.randrange(12 if allow_segment else 11)
    if choice == 0:
        return {"attribute": "plan", "op": "in", "values": rng.sample(PLANS, rng.randint(1, 2))}
    if choice == 1:
        return {"attribute": "country", "op": "in", "values": rng.sample(COUNTRIES, rng.randint(2, 6))}
    if choice == 2:
        return {"attribute": "country", "op": "notIn", "values": rng.sample(COUNTRIES, 3)}
    if choice == 3:
        return {"attribute": "email", "op": "endsWith", "values": ["@example.com", "@signalbox.dev"]}
    if choice == 4:
        return {"attribute": "tenantId", "op": "startsWith", "values": [f"tenant-0{rng.randint(0, 9)}"]}
    if choice == 5:
        return {"attribute": "userAgent", "op": "matches", "values": [rng.choice((r"(iPhone|Android)", r"^Mozilla/5\.0 .*Mobile", r"Chrome/1[0-9]{2}"))]}
    if choice == 6:
        return {"attribute": "appVersion", "op": rng.choice(("semverGt", "semverLt")), "values": [f"{rng.randint(1, 3)}.{rng.randint(0, 20)}.0"]}
    if choice == 7:
        return {"attribute": "createdAt", "op": rng.choice(("after", "before")), "values": [f"202{rng.randint(2, 5)}-0{rng.randint(1, 9)}-01T00:00:00Z"]}
    if choice == 8:
        return {"attribute": "seats", "op": rng.choice(("gte", "lt")), "values": [rng.choice((5, 10, 25, 50, 100))]}
    if choice == 9:
        return {"attribute": "email", "op": "contains", "values": ["+test", "qa."]}
    if choice == 10:
        return {"attribute": "beta", "op": "exists", "values": [], "negate": rng.random() < 0.3}
    return {"op": "segment", "segments": rng.sample(segment_keys, rng.randint(1, 2)), "negate": rng.random() < 0.2}


def _variants(index: int, kind: str) -> List[Dict[str, Any]]:
    if kind == "boolean":
        return [{"key": "on", "value": True}, {"key": "off", "value": False}]
    if kind == "string":
        return [{"key": f"v{n}", "value": f"variant-{index}-v{n}"} for n in (1, 2, 3)]
    if kind == "number":
        return [{"key": "low", "value": 10}, {"key": "mid", "value": 50.5}, {"key": "high", "value": 250}]
    return [
        {"key": "control", "value": {"model": f"m{index}-a", "threshold": 0.5, "features": ["f1", "f2"], "limits": {"rpm": 600}}},
        {"key": "treatment", "value": {"model": f"m{index}-b", "threshold": 0.65, "features": ["f1", "f2", "f3"], "limits": {"rpm": 1200}}},
    ]


def _serve(rng: random.Random, variant_keys: List[str], rollout_chance: float) -> Dict[str, Any]:
    if rng.random() < rollout_chance:
        count = min(len(variant_keys), rng.randint(2, 3))
        rollout: Dict[str, Any] = {"variants": [{"variant": v, "weight": w} for v, w in zip(variant_keys, _weights(rng, count))]}
        if rng.random() < 0.3:
            rollout["bucketBy"] = "tenantId"
        return {"rollout": rollout}
    return {"variant": rng.choice(variant_keys)}


def build_config(seed: int = 15) -> Dict[str, Any]:
    """A deterministic environment config of FLAG_COUNT flags and SEGMENT_COUNT segments."""
    rng = random.Random(seed)
    segment_keys = [f"segment-{n:02d}" for n in range(SEGMENT_COUNT)]
    segments = []
    for n, key in enumerate(segment_keys):
        segments.append({
            "key": key,
            "included": [f"user-{rng.randrange(100_000)}" for _ in range(rng.randint(0, 40))],
            "excluded": [f"user-{rng.randrange(100_000)}" for _ in range(rng.randint(0, 10))],
            "rules": [{"clauses": [_clause(rng, segment_keys, False) for _ in range(rng.randint(1, 2))]} for _ in range(rng.randint(1, 3))],
            "version": 1 + n % 4,
        })
    flags = []
    for index in range(FLAG_COUNT):
        kind = ("boolean",) * 6 + ("string", "string", "number", "json")
        kind = kind[index % 10]
        variants = _variants(index, kind)
        variant_keys = [v["key"] for v in variants]
        targeted = index % 10 == 7 or rng.random() < 0.4
        rule_count = 3 if index % 10 == 7 else rng.choice((0, 1, 1, 2, 2, 3, 4, 5))
        rules = []
        for r in range(rule_count):
            clauses = [_clause(rng, segment_keys) for _ in range(rng.randint(1, 3))]
            if index % 10 == 7 and r == 0:
                clauses = [{"op": "segment", "segments": [segment_keys[index % SEGMENT_COUNT]]}]
            rules.append({"id": f"rule-{index}-{r}", "clauses": clauses, "serve": _serve(rng, variant_keys, 0.3)})
        prerequisites = []
        if index >= 10 and rng.random() < 0.1:
            parent = rng.randrange(0, index) // 10 * 10  # a boolean flag
            prerequisites.append({"flag": flags[parent]["key"], "variant": "on"})
        flags.append({
            "key": f"{DOMAINS[index % 10]}.{FEATURES[(index // 10) % 10]}-{index}",
            "kind": kind,
            "salt": f"{rng.getrandbits(64):016x}",
            "variants": variants,
            "version": rng.randint(1, 40),
            "on": index % 10 == 7 or rng.random() < 0.9,
            "killed": index % 10 != 7 and rng.random() < 0.03,
            "offVariant": "off" if kind == "boolean" else variant_keys[0],
            "targets": [{"variant": rng.choice(variant_keys), "values": [f"user-{rng.randrange(100_000)}" for _ in range(rng.randint(5, 30))]}] if targeted else [],
            "rules": rules,
            "defaultRule": _serve(rng, variant_keys, 0.5 if index % 10 != 7 else 1.0),
            "prerequisites": prerequisites,
        })
    return {"sequence": 4211, "flags": flags, "segments": segments}


# -- the children --

CHILD = r"""
import sys, time
import os  # what the standard `site` module imports, as in any python3 started without -S
sys.path.insert(0, SDK_DIR)
if SCENARIO == "client-logging":
    import io, logging  # the application's, before the SDK's turn
    logging.basicConfig(stream=io.StringIO())
modules_before = set(sys.modules)
start = time.perf_counter_ns(); cpu_start = time.process_time_ns()
if SCENARIO.startswith("client"):
    from signalbox import SignalboxClient
elif SCENARIO == "json-only":
    import json
else:
    from signalbox.core import compile_environment, evaluate
imported = time.perf_counter_ns(); cpu_imported = time.process_time_ns()
modules_after_import = set(sys.modules)
if SCENARIO.startswith("client"):
    client = SignalboxClient("sbk_bench", bootstrap_file=CONFIG_PATH, offline=True)
    details = client.evaluate(FLAG_KEY, CONTEXT)
elif SCENARIO == "json-only":
    with open(CONFIG_PATH, "r", encoding="utf-8") as handle:
        config = json.load(handle)
    details = None
else:
    import json
    with open(CONFIG_PATH, "r", encoding="utf-8") as handle:
        config = json.load(handle)
    environment = compile_environment(config, lazy=True) if SCENARIO == "core-lazy" else compile_environment(config)
    details = evaluate(environment, FLAG_KEY, CONTEXT, None)
evaluated = time.perf_counter_ns(); cpu_evaluated = time.process_time_ns()
print(repr({
    "importNs": imported - start, "firstEvaluationNs": evaluated - start,
    "importCpuNs": cpu_imported - cpu_start, "firstEvaluationCpuNs": cpu_evaluated - cpu_start,
    "modulesImported": len(modules_after_import - modules_before),
    "watched": sorted(m for m in WATCHED if m in modules_after_import and m not in modules_before),
    "result": None if details is None else [details.value, details.variant, details.reason],
}))
"""


def _child_source(scenario: str, sdk_dir: Path, config_path: str, flag_key: str) -> str:
    prelude = (
        f"SCENARIO = {scenario!r}\nSDK_DIR = {str(sdk_dir)!r}\nCONFIG_PATH = {config_path!r}\n"
        f"FLAG_KEY = {flag_key!r}\nCONTEXT = {CONTEXT!r}\nWATCHED = {WATCHED_MODULES!r}\n"
    )
    return prelude + CHILD


def _run_child(source: str, env: Dict[str, str], use_site: bool) -> Dict[str, Any]:
    command = [sys.executable] + ([] if use_site else ["-S"]) + ["-c", source]
    started = time.perf_counter_ns()
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    process_ns = time.perf_counter_ns() - started
    if completed.returncode != 0:
        raise SystemExit(f"a benchmark child failed:\n{completed.stderr}")
    sample = ast.literal_eval(completed.stdout.strip().splitlines()[-1])
    sample["processNs"] = process_ns
    return sample


def _percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _summary(samples: List[Dict[str, Any]], field: str) -> Dict[str, float]:
    values = [s[field] / 1e6 for s in samples]
    return {"median": round(statistics.median(values), 2), "p90": round(_percentile(values, 0.9), 2), "min": round(min(values), 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25, help="fresh processes per row (at least 20 recommended)")
    parser.add_argument("--sdk", default=str(DEFAULT_SDK), help="directory holding the signalbox package")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="JSON results file ('-' to write none)")
    parser.add_argument("--site", action="store_true", help="run children with site (and its .pth files)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated subset of " + ", ".join(SCENARIOS))
    args = parser.parse_args()

    chosen = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SCENARIOS]
    if unknown:
        raise SystemExit(f"unknown scenarios {unknown}; choose from {list(SCENARIOS)}")
    rows = [(name, mode) for name, mode in ROWS if name in chosen]
    sdk_dir = Path(args.sdk).resolve()
    package_dir = sdk_dir / "signalbox"
    if not (package_dir / "__init__.py").is_file():
        raise SystemExit(f"no signalbox package in {sdk_dir}")
    config = build_config()
    flag_key = config["flags"][FIRST_FLAG_INDEX]["key"]
    load_before = os.getloadavg()[0]
    work = Path(tempfile.mkdtemp(prefix="signalbox-startup-"))
    try:
        config_path = work / "bootstrap.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        prefixes = {"cached": work / "pycache-cached", "source": work / "pycache-source"}
        sdk_bytecode = {mode: prefix / str(package_dir).lstrip(os.sep) for mode, prefix in prefixes.items()}
        base_env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        envs = {
            "cached": dict(base_env, PYTHONPYCACHEPREFIX=str(prefixes["cached"])),
            "source": dict(base_env, PYTHONPYCACHEPREFIX=str(prefixes["source"]), PYTHONDONTWRITEBYTECODE="1"),
        }
        sources = {name: _child_source(name, sdk_dir, str(config_path), flag_key) for name in chosen}
        # Prime both prefixes (standard library and SDK bytecode written once), then drop the
        # SDK's from the "source" prefix so that those runs compile it every time.
        for prefix in prefixes.values():
            for name in chosen:
                _run_child(sources[name], dict(base_env, PYTHONPYCACHEPREFIX=str(prefix)), args.site)
        shutil.rmtree(sdk_bytecode["source"])
        if not any(sdk_bytecode["cached"].rglob("*.pyc")):
            raise SystemExit("the SDK's bytecode was not cached; is PYTHONPYCACHEPREFIX honoured?")

        samples: Dict[str, List[Dict[str, Any]]] = {f"{name}/{mode}": [] for name, mode in rows}
        for _ in range(args.runs):
            for name, mode in rows:
                samples[f"{name}/{mode}"].append(_run_child(sources[name], envs[mode], args.site))
        if sdk_bytecode["source"].exists():
            raise SystemExit("the source-mode runs wrote SDK bytecode")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    results = {}
    for key, runs in samples.items():
        name, mode = key.split("/")
        results[key] = {
            "scenario": name,
            "description": SCENARIOS[name],
            "bytecode": mode,
            "runs": len(runs),
            "importMs": _summary(runs, "importNs"),
            "firstEvaluationMs": _summary(runs, "firstEvaluationNs"),
            "importCpuMs": _summary(runs, "importCpuNs"),
            "firstEvaluationCpuMs": _summary(runs, "firstEvaluationCpuNs"),
            "processMs": _summary(runs, "processNs"),
            "modulesImported": runs[0]["modulesImported"],
            "watchedModulesImported": runs[0]["watched"],
            "firstResult": runs[0]["result"],
            "samplesMs": {
                "import": [round(s["importNs"] / 1e6, 3) for s in runs],
                "firstEvaluation": [round(s["firstEvaluationNs"] / 1e6, 3) for s in runs],
            },
        }
    load_after = os.getloadavg()[0]

    print(f"Python SDK cold start: {FLAG_COUNT} flags, {SEGMENT_COUNT} segments, {args.runs} fresh processes per row "
          f"({platform.python_implementation()} {platform.python_version()}, {'with' if args.site else 'without'} site; "
          f"load average {load_before:.2f} -> {load_after:.2f} on {os.cpu_count()} CPUs)")
    header = (f"{'scenario':<15} {'bytecode':<8} {'import ms':>9} {'p90':>6} {'+ 1st eval ms':>13} {'p90':>6} "
              f"{'CPU ms':>7} {'modules':>7}")
    print(header)
    print("-" * len(header))
    for result in results.values():
        imp, first = result["importMs"], result["firstEvaluationMs"]
        print(f"{result['scenario']:<15} {result['bytecode']:<8} {imp['median']:>9.1f} {imp['p90']:>6.1f} "
              f"{first['median']:>13.1f} {first['p90']:>6.1f} {result['firstEvaluationCpuMs']['median']:>7.1f} "
              f"{result['modulesImported']:>7}")
    print("(medians unless marked p90; '+ 1st eval' is import plus first evaluation, the CPU column its CPU time)")
    if "client/cached" in results:
        client_cached = results["client/cached"]["firstEvaluationMs"]["median"]
        print(f"target (issue 15): import + first evaluation <= {TARGET_MS:.0f} ms, client with cached bytecode: "
              f"{client_cached:.1f} ms, {'met' if client_cached <= TARGET_MS else 'NOT met'}")

    if args.out != "-":
        document = {
            "generatedAt": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
            "python": platform.python_version(),
            "implementation": platform.python_implementation(),
            "cpus": os.cpu_count(),
            "loadAverage": {"before": round(load_before, 2), "after": round(load_after, 2)},
            "site": args.site,
            "flags": FLAG_COUNT,
            "segments": SEGMENT_COUNT,
            "configBytes": len(json.dumps(config)),
            "firstFlag": flag_key,
            "targetMs": TARGET_MS,
            "results": results,
        }
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
