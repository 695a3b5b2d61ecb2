"""The package's layers (issue 16): every import, lazy ones included, points down the layers, no
two modules import each other even indirectly, and each module imports on its own.

    core      pure evaluator: nothing of the SDK
    metrics   aggregation and sending: nothing of the evaluator
    pipeline  runs, gates, model choice, shadow runs, over a protocol of what it needs of a client
    client    the realtime client: implements that protocol, owns its threads and pools

A lazy import (inside a function) or one under ``TYPE_CHECKING`` is still a dependency: a cycle
hidden that way is what this test exists to catch."""
from __future__ import annotations

import ast
import subprocess
import sys
import unittest
from pathlib import Path
from typing import Dict, List, Optional, Set

from .helpers import SDK_DIR

PACKAGE_DIR = SDK_DIR / "python" / "signalbox"

# The layer of a module is its subpackage, or "signalbox" for the package's own modules (the
# facade, _lazy, _logging, version). Each layer may import only from the layers listed here.
ALLOWED: Dict[str, Set[str]] = {
    "core": {"_lazy"},
    "metrics": {"_lazy", "_logging", "version"},
    "pipeline": {"core", "_lazy", "_logging"},
    "client": {"core", "metrics", "pipeline", "_logging", "version"},
    # Leaf helpers shared by every layer: they import nothing of the SDK.
    "_lazy": set(),
    "_logging": set(),
    "version": set(),
    # The facade sits on top: it re-exports names of every layer (imported on first use).
    "signalbox": {"core", "metrics", "pipeline", "client", "_lazy", "_logging", "version"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> Dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE_DIR.rglob("*.py"))}


def resolve(importer: str, is_package: bool, level: int, module: Optional[str]) -> str:
    """The absolute name a (possibly relative) ``from``/``import`` statement names."""
    if level == 0:
        return module or ""
    base = importer.split(".")
    if not is_package:
        base.pop()
    base = base[: len(base) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def imports_of(name: str, path: Path, modules: Dict[str, Path]) -> Set[str]:
    """The SDK modules ``name`` imports anywhere in its source (top level, functions, TYPE_CHECKING)."""
    found: Set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        targets: List[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = resolve(name, is_package, node.level, node.module)
            # `from . import x` and `from .pkg import mod` name modules; `from .mod import f` names mod.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target.startswith("signalbox") and target != name:
                found.add(target)
    return found


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def find_cycle(graph: Dict[str, Set[str]]) -> Optional[List[str]]:
    """A cycle of ``graph`` as a path that starts and ends on the same node, or None."""
    state: Dict[str, int] = {}  # 1: on the current path, 2: done
    path: List[str] = []

    def visit(node: str) -> Optional[List[str]]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


class FindCycleTests(unittest.TestCase):
    def test_finds_a_cycle_through_several_nodes_and_none_in_a_tree(self) -> None:
        self.assertEqual(find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}), ["a", "b", "c", "a"])
        self.assertIsNone(find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}))

    def test_resolves_relative_imports_from_modules_and_packages(self) -> None:
        self.assertEqual(resolve("signalbox.pipeline.run", False, 2, "client.client"), "signalbox.client.client")
        self.assertEqual(resolve("signalbox.pipeline", True, 1, "run"), "signalbox.pipeline.run")
        self.assertEqual(resolve("signalbox.pipeline", True, 2, None), "signalbox")


class LayerTests(unittest.TestCase):
    def setUp(self) -> None:
        self.modules = all_modules()
        self.graph = {name: imports_of(name, path, self.modules) for name, path in self.modules.items()}

    def test_every_module_belongs_to_a_known_layer(self) -> None:
        self.assertEqual(sorted({layer_of(m) for m in self.modules} - set(ALLOWED)), [])

    def test_every_import_points_down_the_layers(self) -> None:
        wrong = sorted(
            f"{module} imports {target}"
            for module, targets in self.graph.items()
            for target in targets
            if layer_of(target) != layer_of(module) and layer_of(target) not in ALLOWED[layer_of(module)]
        )
        self.assertEqual(wrong, [])

    def test_the_layers_form_no_cycle(self) -> None:
        layers: Dict[str, Set[str]] = {}
        for module, targets in self.graph.items():
            layers.setdefault(layer_of(module), set()).update(layer_of(t) for t in targets if layer_of(t) != layer_of(module))
        self.assertIsNone(find_cycle(layers))
        self.assertIsNone(find_cycle(ALLOWED))

    def test_no_modules_import_each_other_even_lazily(self) -> None:
        self.assertIsNone(find_cycle(self.graph))

    def test_the_pipeline_knows_the_client_only_through_its_protocol(self) -> None:
        pipeline = [m for m in self.modules if layer_of(m) == "pipeline"]
        self.assertTrue(pipeline)
        for module in pipeline:
            self.assertFalse({t for t in self.graph[module] if layer_of(t) == "client"}, module)

    def test_each_module_imports_on_its_own(self) -> None:
        # One interpreter, the SDK's modules dropped before each import: an import that works only
        # after another module happened to load first fails here.
        script = (
            "import sys\n"
            f"sys.path.insert(0, {str(PACKAGE_DIR.parent)!r})\n"
            f"failed = []\n"
            f"for name in {sorted(self.modules)!r}:\n"
            "    for loaded in [m for m in sys.modules if m == 'signalbox' or m.startswith('signalbox.')]:\n"
            "        del sys.modules[loaded]\n"
            "    try:\n"
            "        __import__(name)\n"
            "    except Exception as error:\n"
            "        failed.append(f'{name}: {error!r}')\n"
            "print('\\n'.join(failed))\n"
        )
        completed = subprocess.run([sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, timeout=120, check=False)
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertEqual(completed.stdout.strip(), "")


if __name__ == "__main__":
    unittest.main()
