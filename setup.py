"""What setup.cfg cannot declare: the folders beside the package, compiled catalogues, a check of the assets.

In the repository templates/, static/ and migrations/ sit beside the package; a wheel installs them inside it
(youthcouncil/templates/, ...), where youthcouncil/config.py looks first. setup.cfg says which of their files go in.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BESIDE_THE_PACKAGE = ("templates", "static", "migrations")
DIST = ROOT / "static" / "dist"


def missing_static_files() -> list[str]:
    """What `make assets` builds (youthcouncil/assets.py) and is not there: the manifest, or a file it names."""
    manifest = DIST / "manifest.json"
    if not manifest.is_file():
        return ["dist/manifest.json"]
    return sorted(f"dist/{name}" for name in json.loads(manifest.read_text()).values() if not (DIST / name).is_file())


def compile_catalogues() -> None:
    """pybabel compile, as `make translations` does: the wheel never depends on someone having run it."""
    from babel.messages.frontend import CommandLineInterface

    catalogues = sorted((ROOT / "youthcouncil").glob("**/translations/*/LC_MESSAGES/*.po"))
    for po in catalogues:
        po.with_suffix(".mo").unlink(missing_ok=True)
    for folder in sorted((ROOT / "youthcouncil").glob("**/translations")):
        CommandLineInterface().run(["pybabel", "-q", "compile", "--directory", str(folder)])
    # pybabel skips a catalogue whose header is marked fuzzy with no more than a log line.
    for po in catalogues:
        if not po.with_suffix(".mo").exists():
            raise SystemExit(f"{po.relative_to(ROOT)} was not compiled: is its header marked fuzzy?")


class BuildPy(build_py):
    def run(self) -> None:
        missing = missing_static_files()
        if missing:
            raise SystemExit(f"static/ lacks {', '.join(missing)}: run `make assets` before building the package")
        compile_catalogues()  # before the package data is collected, so that the fresh .mo files go in
        shutil.rmtree(Path(self.build_lib) / "youthcouncil", ignore_errors=True)  # no file left from an older build
        super().run()


setup(
    packages=find_packages(include=["youthcouncil", "youthcouncil.*"])
    + [f"youthcouncil.{folder}" for folder in BESIDE_THE_PACKAGE],
    package_dir={f"youthcouncil.{folder}": folder for folder in BESIDE_THE_PACKAGE},
    cmdclass={"build_py": BuildPy},
)
