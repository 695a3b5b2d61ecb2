"""The flagged ETL flow, in Python, against a local Signalbox server.

Each run picks the transformer by ``runId`` (``etl.use-new-transformer``: 50 % of runs get v2),
then runs validation and notification only when their flags say so. Every run pins the config
it started with, so a change mid-run never splits a run between two behaviours.

    python3 examples/python/flagged_etl.py --url http://127.0.0.1:4000 --sdk-key sbk_... --runs 200
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from typing import Dict, List

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sdk", "python"))

from signalbox import SignalboxClient  # noqa: E402

Rows = List[Dict[str, object]]


def extract(run_id: str) -> Rows:
    return [{"id": i, "amount": (i * 37) % 100, "run": run_id} for i in range(20)]


def transform_v1(rows: Rows) -> Rows:
    return [dict(row, amount_cents=int(row["amount"]) * 100) for row in rows]


def transform_v2(rows: Rows) -> Rows:
    # Same output, computed differently: the candidate being rolled out.
    return [{**row, "amount_cents": int(row["amount"]) * 100} for row in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("SIGNALBOX_URL", "http://127.0.0.1:4000"))
    parser.add_argument("--sdk-key", default=os.environ.get("SIGNALBOX_SDK_KEY"))
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--pipeline", default="nightly-etl", help="sent as the 'pipeline' attribute (prod-* turns notifications on in the demo)")
    args = parser.parse_args()
    if not args.sdk_key:
        parser.error("--sdk-key (or SIGNALBOX_SDK_KEY) is required: the demo project's development key")

    with SignalboxClient(args.sdk_key, args.url) as client:
        if client.status != "ready":
            print(f"warning: client status is {client.status!r}; serving what it has", file=sys.stderr)

        # Gated steps: the decorator evaluates the flag in the current run's context.
        @client.gate("etl.enable-data-validation", fallback=lambda rows: rows)
        def validate(rows: Rows) -> Rows:
            bad = [row for row in rows if int(row["amount_cents"]) < 0]
            if bad:
                raise ValueError(f"{len(bad)} invalid rows")
            return rows

        @client.gate("etl.send-notifications", skip_value=False)
        def notify(rows: Rows) -> bool:
            return True  # a real flow would post to Slack or e-mail here

        transformers = Counter()
        validated = Counter()
        notified = Counter()
        for n in range(args.runs):
            run_id = f"run-{n:05d}"
            with client.run(runId=run_id, pipeline=args.pipeline) as run:
                rows = extract(run_id)
                use_v2 = run.is_enabled("etl.use-new-transformer")
                transform = transform_v2 if use_v2 else transform_v1
                with run.choose_model("etl.use-new-transformer", default=False).timed("step.duration_ms"):
                    rows = transform(rows)
                transformers["v2" if use_v2 else "v1"] += 1
                validated["on" if run.is_enabled("etl.enable-data-validation") else "off"] += 1
                validate(rows)
                notified["sent" if notify(rows) else "skipped"] += 1

        flushed = client.flush()
        print(f"{args.runs} runs against {args.url} (config sequence {client.sequence}, status {client.status})")
        print(f"  transformer: v1 {transformers['v1']} ({100 * transformers['v1'] / args.runs:.1f} %), "
              f"v2 {transformers['v2']} ({100 * transformers['v2'] / args.runs:.1f} %)")
        print(f"  validation:  on {validated['on']}, off {validated['off']}")
        print(f"  notification: sent {notified['sent']}, skipped {notified['skipped']}  (pipeline={args.pipeline!r})")
        print(f"  metrics: {flushed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
