"""Every module of the package can be the first one imported: no import cycle hides behind an import in a function."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import importlib, pkgutil, sys
import youthcouncil

names = sorted(module.name for module in pkgutil.walk_packages(youthcouncil.__path__, "youthcouncil."))
failed = []
for name in names:
    for loaded in [m for m in sys.modules if m == "youthcouncil" or m.startswith("youthcouncil.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except ImportError as error:
        failed.append(f"{name}: {error}")
print(len(names))
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_every_module_imports_on_its_own():
    result = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert int(result.stdout.split()[0]) > 90  # every module was tried


def test_no_import_inside_a_function_dodges_a_cycle():
    """Imports sit at the top of a module. The exceptions have a reason: the app factory (importing the package
    stays light and Flask-free for the voting engine), the large common-passwords list loaded on first use,
    Flask-Migrate with Alembic, which only migrations load, and the OpenID Connect libraries, which only a login with
    a provider loads."""
    allowed = {
        "youthcouncil/__init__.py",  # create_app: the app factory
        "youthcouncil/accounts/passphrases.py",  # zxcvbn's 30,000-word list, loaded when a passphrase is checked
        "youthcouncil/migrate.py",  # Flask-Migrate and Alembic, loaded when something migrates (not by web workers)
        "youthcouncil/accounts/oidc.py",  # Authlib, joserfc, requests: loaded when a login with a provider happens
    }
    found = []
    for path in sorted((ROOT / "youthcouncil").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in allowed:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found += [
                    f"{relative}:{inner.lineno}"
                    for inner in ast.walk(node)
                    if isinstance(inner, (ast.Import, ast.ImportFrom))
                ]
    assert not found, found


def _loaded_at_start(tmp_path, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh process has imported after ``create_app()`` (no OpenID Connect provider set)."""
    script = (
        "import json, sys\n"
        "from youthcouncil import create_app\n"
        "create_app()\n"
        f"print(json.dumps(sorted(m for m in {modules!r} if m in sys.modules)))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "YC_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "test", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_web_worker_does_not_import_alembic(tmp_path):
    """Flask-Migrate and Alembic are loaded by ``flask db`` only (youthcouncil/migrate.py): not at start-up."""
    assert _loaded_at_start(tmp_path, ("alembic", "flask_migrate")) == []


def test_without_a_provider_the_openid_connect_libraries_are_not_imported(tmp_path):
    """Authlib, joserfc and requests (about 0.2 s) load with the first login at a provider, not at start-up."""
    assert _loaded_at_start(tmp_path, ("authlib", "joserfc", "requests")) == []


def test_the_wsgi_entry_freezes_what_start_up_made_out_of_the_collectors_sight(tmp_path):
    """``youthcouncil.wsgi:app`` (the README's gunicorn command) is the app, with ``gc.freeze()`` after start-up: a
    full garbage collection in a worker then walks only what requests made, not the 150,000 objects of start-up."""
    script = (
        "import gc, json\n"
        "import youthcouncil.wsgi as entry\n"
        "gc.collect()\n"
        "print(json.dumps([type(entry.app).__name__, gc.get_freeze_count(), len(gc.get_objects())]))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "YC_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "test", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    kind, frozen, still_watched = json.loads(done.stdout)
    assert kind == "YouthCouncil"
    assert frozen > 50_000 and still_watched < frozen / 20, (frozen, still_watched)
