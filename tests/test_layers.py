"""The layers a newcomer can see: the engine imports no Flask, and no module imports the layer above it."""

import ast
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"


def test_the_engine_runs_without_flask():
    modules = sorted(p.stem for p in (APP / "engine").glob("*.py") if p.stem != "__init__")
    code = ("import sys\n" + "".join(f"import app.engine.{m}\n" for m in modules)
            + "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'werkzeug', 'app.web')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=APP.parent, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def imports_of(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_no_module_imports_the_layer_above_it():
    """engine <- web <- the app factory: the engine never imports the web layer or the factory, the web layer never
    the factory (``app`` itself: its accessors live with what they access)."""
    for path in (APP / "engine").glob("*.py"):
        assert not {m for m in imports_of(path) if m == "app" or m.startswith(("app.web", "app.classrooms"))}, path
    for path in [*(APP / "web").glob("*.py"), APP / "classrooms.py"]:
        assert "app" not in imports_of(path), path
