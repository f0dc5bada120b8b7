"""Build the course site (what `make book` runs): offline, from a clean build folder, -W.

Steps: install the pinned JavaScript (MathJax, require.js, the ipywidgets HTML manager) from
npm into ``book/node_modules`` and copy what the pages load into ``book/_vendor`` (served as
``_static``), link ``book/notebooks`` to ``../notebooks`` (the lessons are not copied), write
the measured time table for the instructor guide, then run ``jupyter-book build`` with
warnings as errors. The notebooks are rendered with their committed outputs, never executed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

BOOK = Path(__file__).resolve().parent
ROOT = BOOK.parent
BUILD = BOOK / "_build"
HTML = BUILD / "html"
NODE_MODULES = BOOK / "node_modules"
VENDOR = BOOK / "_vendor"  # html_static_path in _config.yml: its content lands in _static/
GENERATED = BOOK / "_generated"
NOTEBOOK_LINK = BOOK / "notebooks"

# What each page may load, relative to node_modules -> relative to _vendor (= _static).
# MathJax fetches its fonts and extensions relative to its own script, so its whole es5
# folder goes; the widget manager's fonts sit next to embed-amd.js.
VENDOR_COPIES: dict[str, str] = {
    "mathjax/es5": "mathjax",
    "mathjax/LICENSE": "mathjax/LICENSE",  # Apache-2.0
    "mathjax/package.json": "mathjax/package.json",  # version and licence of each copy
    "requirejs/require.js": "requirejs/require.js",  # MIT (stated in the file's header)
    "requirejs/package.json": "requirejs/package.json",
    "@jupyter-widgets/html-manager/dist": "html-manager",  # BSD-3-Clause
    "@jupyter-widgets/html-manager/package.json": "html-manager/package.json",
}
VENDOR_SKIP = ("*.map", "embed.js*", "node-main.js")  # not loaded by any page
SITE_JS = BOOK / "_site_js"  # the site's own scripts (committed), copied next to the npm ones


def _run(cmd: list[str], cwd: Path) -> None:
    """Run a command, echoing it; raise with its exit status when it fails."""
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=cwd, check=True)


def npm_install() -> None:
    """`npm ci` from the committed lockfile, unless node_modules already matches it."""
    lock, installed = BOOK / "package-lock.json", NODE_MODULES / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm is needed to build the book (Node 18+): install Node.js and "
                         "run `make book` again.")
    _run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], BOOK)


def copy_vendor() -> None:
    """Copy the JavaScript the pages load (npm packages, the site's own) into book/_vendor."""
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for src_rel, dest_rel in VENDOR_COPIES.items():
        src, dest = NODE_MODULES / src_rel, VENDOR / dest_rel
        if not src.exists():
            raise SystemExit(f"{src_rel} is missing from book/node_modules: delete that folder "
                             "and run `make book` again.")
        if src.is_dir():
            shutil.copytree(src, dest, ignore=shutil.ignore_patterns(*VENDOR_SKIP),
                            dirs_exist_ok=True)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
    for script in SITE_JS.glob("*.js"):
        shutil.copy2(script, VENDOR / script.name)


def link_notebooks() -> None:
    """book/notebooks -> ../notebooks, so pages keep the notebooks' repository paths."""
    if NOTEBOOK_LINK.is_symlink() or NOTEBOOK_LINK.is_file():
        NOTEBOOK_LINK.unlink()
    elif NOTEBOOK_LINK.exists():
        raise SystemExit("book/notebooks is a real folder: remove it (the build links it to "
                         "../notebooks).")
    NOTEBOOK_LINK.symlink_to(Path("..") / "notebooks", target_is_directory=True)


def write_time_table() -> Path:
    """Regenerate book/_generated/notebook_times.md from the benchmark csv."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import time_table

    out = GENERATED / "notebook_times.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(time_table.build_table(), encoding="utf-8")
    return out


def jupyter_book_build() -> None:
    """`jupyter-book build` from an empty build folder, warnings as errors (all reported)."""
    if BUILD.exists():
        shutil.rmtree(BUILD)
    exe = Path(sys.executable).with_name("jupyter-book")
    _run([str(exe) if exe.exists() else "jupyter-book", "build", "--warningiserror",
          "--keep-going", "--builder", "html", str(BOOK)], ROOT)


def build() -> float:
    """Every step above, in order; returns the wall time in seconds."""
    t0 = time.perf_counter()
    npm_install()
    copy_vendor()
    link_notebooks()
    write_time_table()
    jupyter_book_build()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.parse_args(argv)
    try:
        seconds = build()
    except subprocess.CalledProcessError as exc:
        print(f"book build failed ({' '.join(map(str, exc.cmd[:2]))} exited {exc.returncode})",
              file=sys.stderr)
        return 1
    pages = sum(1 for p in HTML.rglob("*.html") if p.relative_to(HTML).parts[0][0] != "_")
    print(f"book built in {seconds:.0f} s: {pages} pages in book/_build/html "
          "(serve it: python -m http.server --directory book/_build/html)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
