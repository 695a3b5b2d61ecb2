"""Shared test helpers."""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

SDK_DIR = Path(__file__).resolve().parents[2]
REPO_DIR = SDK_DIR.parent
VECTORS_DIR = SDK_DIR / "test-vectors"


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality as JavaScript sees it: 42 == 42.0, but True != 1 and "1" != 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is bool and type(b) is bool and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, str) or isinstance(b, str):
        return type(a) is type(b) and a == b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return False


def load_vectors(name: str) -> Any:
    return json.loads((VECTORS_DIR / name).read_text(encoding="utf-8"))


BOOLEAN = [{"key": "on", "value": True}, {"key": "off", "value": False}]


def boolean_flag(key: str, **overrides: Any) -> dict:
    flag = {
        "key": key, "kind": "boolean", "salt": f"{key}-salt", "variants": BOOLEAN, "version": 1, "on": True,
        "killed": False, "offVariant": "off", "targets": [], "rules": [], "defaultRule": {"variant": "on"}, "prerequisites": [],
    }
    flag.update(overrides)
    return flag


def config(*flags: dict, sequence: int = 1, segments: Any = ()) -> dict:
    return {"sequence": sequence, "flags": list(flags), "segments": list(segments)}
