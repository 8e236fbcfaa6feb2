"""The package as an operator gets it: the pins come from the declared ranges, and a wheel installed into a clean venv
migrates a database and serves styled pages."""

from __future__ import annotations

import configparser
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
NOT_IN_THE_BUILD = (".git", ".venv", "node_modules", "*.egg-info", "instance", "__pycache__", "*.mo")
NOT_IN_THE_BUILD += (".pytest_cache", ".hypothesis", ".ruff_cache", "test-results", "tests", "bench")
#: Left out at the top only: static/dist/ is the asset bundle, which the wheel must carry.
NOT_IN_THE_BUILD_AT_THE_TOP = ("build", "dist")
ASSET = re.compile(r'<(?:link[^>]*href|script[^>]*src)="(/assets/[^"]+)"')


def _locked(name: str) -> dict[str, tuple[str, int]]:
    """{package: (version, number of hashes)} of a file `make lock` writes."""
    text = (ROOT / name).read_text().replace("\\\n", " ")
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        requirement, *options = line.split()
        assert "==" in requirement, f"{name}: {line!r} is not a pin (run make lock)"
        package, version = requirement.split("==")
        pins[canonicalize_name(package)] = (version, sum(option.startswith("--hash=") for option in options))
    return pins


def _declared(name: str) -> list[Requirement]:
    if name == "setup.cfg":
        config = configparser.ConfigParser()
        config.read(ROOT / name)
        lines = config["options"]["install_requires"].splitlines()
    else:
        lines = (ROOT / name).read_text().splitlines()
    return [Requirement(line) for line in (raw.split("#", 1)[0].strip() for raw in lines) if line and line[0] != "-"]


@pytest.mark.parametrize(
    ("declared", "lock"), [("setup.cfg", "requirements.txt"), ("requirements-dev.in", "requirements-dev.txt")]
)
def test_every_pin_is_locked_with_hashes_from_a_declared_range(declared, lock):
    pins = _locked(lock)
    unhashed = sorted(package for package, (_, hashes) in pins.items() if not hashes)
    assert not unhashed, f"{lock} pins {unhashed} without hashes: declare them in {declared} and run make lock"
    for requirement in _declared(declared):
        package = canonicalize_name(requirement.name)
        assert package in pins, f"{requirement} is declared in {declared} but not pinned: run make lock"
        assert requirement.specifier.contains(pins[package][0], prereleases=True), (
            f"{lock} pins {package}=={pins[package][0]} outside {declared}'s {requirement}: run make lock"
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own server on localhost)
        return response.status, response.headers.get("Content-Type", ""), response.read()


def _build_wheel(tmp_path: Path) -> Path:
    """From a copy of the tree, so that neither build/ nor the .mo files of the checkout take part."""
    source = tmp_path / "source"
    anywhere = shutil.ignore_patterns(*NOT_IN_THE_BUILD)

    def ignore(folder, names):
        at_the_top = {name for name in names if name in NOT_IN_THE_BUILD_AT_THE_TOP} if Path(folder) == ROOT else set()
        return anywhere(folder, names) | at_the_top

    shutil.copytree(ROOT, source, ignore=ignore)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", tmp_path, source],
        check=True,
        timeout=120,
    )
    (wheel,) = tmp_path.glob("youthcouncil-*.whl")
    return wheel


def _assert_wheel_carries_what_the_app_reads(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = [f"youthcouncil/{p.relative_to(ROOT)}" for p in (ROOT / "templates").rglob("*.html")]
    expected += [f"youthcouncil/{p.relative_to(ROOT)}" for p in (ROOT / "static").rglob("*") if p.is_file()]
    expected += [f"youthcouncil/{p.relative_to(ROOT)}" for p in (ROOT / "migrations").rglob("*") if p.is_file()]
    expected += [str(p.relative_to(ROOT).with_suffix(".mo")) for p in (ROOT / "youthcouncil").rglob("*.po")]
    expected = [name for name in expected if "__pycache__" not in name]
    missing = sorted(set(expected) - names)
    assert not missing, f"the wheel lacks {missing[:10]}"
    assert "youthcouncil/static/dist/manifest.json" in names
    assert any(re.fullmatch(r"youthcouncil/static/dist/htmx\.[0-9a-f]{12}\.js\.br", name) for name in names)


@pytest.mark.network
def test_a_wheel_in_a_clean_venv_migrates_and_serves_styled_pages(tmp_path):
    wheel = _build_wheel(tmp_path)
    _assert_wheel_carries_what_the_app_reads(wheel)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=120)
    # The wheel's own dependency ranges decide what is installed; the lock only holds each to its tested version.
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("".join(f"{p}=={v}\n" for p, (v, _) in _locked("requirements.txt").items()))
    pip_env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    install = subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "install", "--quiet", "-c", constraints, wheel],
        env=pip_env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stdout + install.stderr

    # Run where no checkout is importable, with none of the test run's settings.
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {"PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    flask = [venv / "bin" / "flask", "--app", "youthcouncil"]
    upgrade = subprocess.run(
        [*flask, "db", "upgrade"], cwd=workdir, env=env, capture_output=True, text=True, timeout=120
    )
    assert upgrade.returncode == 0, upgrade.stderr
    # Installed, the instance folder is <venv>/var/youthcouncil-instance (as Flask does), not in site-packages.
    database = venv / "var" / "youthcouncil-instance" / "youthcouncil.sqlite3"
    with sqlite3.connect(database) as connection:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    newest = max(p.name for p in (ROOT / "migrations" / "versions").glob("*.py"))
    assert revision in (ROOT / "migrations" / "versions" / newest).read_text()

    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                venv / "bin" / "gunicorn",
                "--preload",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "youthcouncil.wsgi:app",
            ],
            cwd=workdir,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"{base}/login")
                break
            except OSError:
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.3)
        assets = set()
        for page in ("/", "/login"):
            status, _, body = _get(base + page)
            html = body.decode()
            assert status == 200 and '<html lang="nb">' in html, page
            assets.update(ASSET.findall(html))
        assert "Logg inn" in _get(f"{base}/login")[2].decode()  # the bokmål catalogue is compiled in
        assert any(name.endswith(".css") for name in assets) and any("htmx" in name for name in assets), assets
        for asset in sorted(assets):
            status, content_type, body = _get(base + asset)
            assert status == 200 and body, asset
            if asset.endswith(".css"):
                assert content_type.startswith("text/css"), (asset, content_type)
            # Fingerprinted and cached for a year, also from the installed package.
            request = urllib.request.Request(base + asset, method="HEAD")
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (our own server)
                assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable", asset
    finally:
        server.terminate()
        server.wait(timeout=30)
