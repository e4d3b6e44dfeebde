"""Check that a built wheel carries the files the package needs at run time.

Usage: python tests/check_wheel.py dist/graphql_passwordreset-X-py3-none-any.whl

Not a test module (pytest does not collect it); `make dist` runs it after building. Exits
non-zero, listing every missing file, when the wheel lacks the initial migration, py.typed,
a compiled German and English catalog, or any file of the package's templates directory.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

PACKAGE = "graphql_passwordreset"
SOURCE = Path(__file__).resolve().parent.parent / PACKAGE
REQUIRED_FILES = [f"{PACKAGE}/migrations/0001_initial.py", f"{PACKAGE}/py.typed"]
LANGUAGES = ["de", "en"]


def problems(wheel: Path) -> list[str]:
    """Everything missing from ``wheel``; empty when it is complete."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    missing = [f"{name} is missing" for name in REQUIRED_FILES if name not in names]
    for language in LANGUAGES:
        prefix = f"{PACKAGE}/locale/{language}/"
        if not any(name.startswith(prefix) and name.endswith(".mo") for name in names):
            missing.append(
                f"no compiled catalog (.mo) under {prefix} (run `make messages` before building)"
            )
    templates = SOURCE / "templates"
    if templates.is_dir():
        for path in sorted(p for p in templates.rglob("*") if p.is_file()):
            name = path.relative_to(SOURCE.parent).as_posix()
            if name not in names:
                missing.append(f"{name} is missing")
    return missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheels", nargs="+", type=Path, help="the .whl file(s) to check")
    args = parser.parse_args(argv)
    failed = False
    for wheel in args.wheels:
        if not wheel.is_file() or wheel.suffix != ".whl":
            print(f"{wheel}: not a wheel file", file=sys.stderr)
            failed = True
            continue
        found = problems(wheel)
        for problem in found:
            print(f"{wheel.name}: {problem}", file=sys.stderr)
        if found:
            failed = True
        else:
            print(f"{wheel.name}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
