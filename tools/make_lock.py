#!/usr/bin/env python
"""Write requirements/lock.txt: exact versions of the tested set, from a fresh pip resolve.

    python tools/make_lock.py                      # core + [dev,workshop] -> requirements/lock.txt
    python tools/make_lock.py --extras lab -o -    # print a lock of another set

The lock is a pip *constraints* file (``pip install -c requirements/lock.txt -e '.[lab]'``):
it pins versions without adding packages, so one file serves every subset of the extras. It
comes from ``pip install --dry-run --ignore-installed --report`` on the checkout, so neither the
current environment nor an old lock influences it; pip's own configuration does (indexes and a
system constraints file, e.g. the torch cap of CI machines), which is what CI installs with.
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "requirements" / "lock.txt"
DEFAULT_EXTRAS = "dev,workshop"


def canonical(name: str) -> str:
    """PEP 503 normalised distribution name (``PyYAML`` -> ``pyyaml``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def project_name(root: Path = ROOT) -> str:
    """The checkout's own distribution name (left out of the lock)."""
    import tomllib

    return tomllib.loads((root / "pyproject.toml").read_text())["project"]["name"]


def resolve(extras: str, root: Path = ROOT, python: str = sys.executable) -> dict:
    """pip's installation report for ``root[extras]``, resolved from scratch (nothing installed)."""
    target = f"{root}[{extras}]" if extras else str(root)
    cmd = [python, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
           "--disable-pip-version-check", "--report", "-", target]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-15:])
        raise SystemExit(f"pip could not resolve {target}:\n{tail}")
    return json.loads(proc.stdout)


def pins(report: dict, skip: set[str]) -> list[str]:
    """``name==version`` lines from a pip report, sorted by name, without ``skip`` names."""
    lines = {}
    for item in report.get("install", []):
        meta = item["metadata"]
        name = canonical(meta["name"])
        if name not in skip:
            lines[name] = f"{name}=={meta['version']}"
    return [lines[n] for n in sorted(lines)]


def render(lines: list[str], extras: str, pip_version: str) -> str:
    """The lock file's text: a header saying how it was made, then one pin per line."""
    header = [
        "# Exact versions of the tested set: the course with extras "
        f"[{extras}], as CI installs it.",
        "# A pip constraints file: pip install -c requirements/lock.txt -e '.[lab]'  (or "
        "'.[dev,workshop]').",
        "# Made by `make lock` (tools/make_lock.py): pip install --dry-run --ignore-installed "
        "--report on the checkout,",
        f"# resolved {datetime.now(UTC):%Y-%m-%d} with pip {pip_version} on Python "
        f"{platform.python_version()}, {platform.system()} {platform.machine()} "
        "(pins of platform-only packages are ignored elsewhere).",
        "# Do not edit by hand; pyproject.toml keeps the floors for installs without the lock.",
    ]
    return "\n".join(header + lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Resolve, then write (or print) the lock; exit status 0 on success."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--extras", default=DEFAULT_EXTRAS, help="extras to lock (comma-separated)")
    ap.add_argument("-o", "--output", default=str(DEFAULT_OUT), help="file to write, or -")
    args = ap.parse_args(argv)
    report = resolve(args.extras)
    lines = pins(report, skip={canonical(project_name())})
    text = render(lines, args.extras, report.get("pip_version", "?"))
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    shown = out.relative_to(ROOT) if out.is_relative_to(ROOT) else out
    print(f"wrote {len(lines)} pins to {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
