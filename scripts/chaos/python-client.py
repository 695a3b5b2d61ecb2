"""One Python SDK client for the chaos test: follows a server with the real SignalboxClient and
prints what it holds as JSON lines on stdout (on every change, and every 50 ms when anything
differs from the last line). Exits when stdin closes.

    python3 python-client.py URL SDK_KEY [MAX_RETRY_DELAY_SECONDS]
"""
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "sdk", "python"))

from signalbox import SignalboxClient  # noqa: E402

url, sdk_key = sys.argv[1], sys.argv[2]
options = {"start_timeout": 0, "send_metrics": False}
if len(sys.argv) > 3 and sys.argv[3]:
    options["max_retry_delay"] = float(sys.argv[3])

lock = threading.Lock()
client = SignalboxClient(sdk_key, url=url, **options)
last = None


def flag_values():
    config = client.current_config() or {"flags": []}
    values = {}
    for flag in config.get("flags", []):
        rollout = (flag.get("defaultRule") or {}).get("rollout") or {}
        weight = next((v.get("weight") for v in rollout.get("variants", []) if v.get("variant") == "on"), None)
        values[flag["key"]] = [flag.get("version", 0), weight]
    return values


def report(how):
    global last
    # Read and print under one lock: the sampler and the SDK's callbacks run on different threads,
    # and a state read before another thread's newer one must not be printed after it.
    with lock:
        state = {
            "sequence": client.sequence,
            "status": client.status,
            "transport": client.transport,
            "streaming": client.transport == "stream" and client.config_age() == 0.0,
            "flags": flag_values(),
        }
        if how == "sample" and state == last:
            return
        last = state
        sys.stdout.write(json.dumps(dict(state, how=how, time=time.time())) + "\n")
        sys.stdout.flush()


client.on_change(lambda keys: report("change"))
client.on_status_change(lambda status: report("status"))


def watch_stdin():
    sys.stdin.read()
    client.close()
    report("closed")
    os._exit(0)


threading.Thread(target=watch_stdin, daemon=True).start()
while True:
    report("sample")
    time.sleep(0.05)
