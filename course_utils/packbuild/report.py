"""What the build prints: the summary after a build and the one-line status of a good pack."""

from __future__ import annotations

from pathlib import Path

from ..data import pack as packlib
from ..paths import display_path


def shown_path(path: Path) -> str:
    """A path for messages on the console: the home folder as ~, otherwise absolute (the
    learner may have to copy files there, so it must be complete)."""
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)


def size_mb(pack: Path) -> float:
    """Total size of the pack's files in MB."""
    return sum(p.stat().st_size for p in pack.rglob("*") if p.is_file()) / 1e6


def summary_line(info: dict) -> str:
    """What a pack holds, in one line (from its pack.json)."""
    c = info.get("counts", {})
    bits = []
    if "review_sentences" in c:
        bits.append(f"{c['review_sentences']} review sentences")
    if "snippets" in c:
        bits.append(f"{sum(c['snippets'].values())} snippets")
    if c.get("images", {}).get("total"):
        lab = ", ".join(f"{v} {k}" for k, v in c["images"]["by_label"].items())
        bits.append(f"{c['images']['total']} images ({lab})")
    incomplete = [p for p, r in info.get("parts", {}).items() if not r.get("complete")]
    if incomplete:
        bits.append(f"incomplete: {', '.join(incomplete)}")
    return "; ".join(bits) or "empty"


def print_report(pack: Path, info: dict, seconds: float) -> None:
    """The summary printed after a build: counts per part, style and domain, models, gaps."""
    c = info["counts"]
    print("\nOffline pack summary")
    if "review_sentences" in c:
        print(f"  reviews: {c['review_sentences']} Amazon review sentences from "
              f"{c['reviews']} reviews")
    if "snippets" in c:
        per = ", ".join(f"{k} {v}" for k, v in c["snippets"].items())
        print(f"  text: {sum(c['snippets'].values())} snippets ({per})")
    if "images" in c:
        im = c["images"]
        lab = ", ".join(f"{v} {k}" for k, v in im["by_label"].items())
        print(f"  images: {im['total']} ({lab})" if im["total"] else "  images: none built")
        for dom, n in im["by_domain"].items():
            print(f"    {dom:<8} cat {n.get('cat', 0):>3}  dog {n.get('dog', 0):>3}")
        for style, n in im["by_style"].items():
            print(f"    {style:<13} cat {n['cat']:>3}  dog {n['dog']:>3}")
    for m in info["models"]:
        print(f"  model: {m['package']} {m['version']}" +
              (f" ({m['file']} sha256 {m['sha256'][:12]})" if m.get("sha256") else ""))
    if info["missing"]:
        print("  MISSING (the rest of the pack is usable):")
        for m in info["missing"]:
            print(f"   - {m}")
    print(f"  pack size {size_mb(pack):.1f} MB at {shown_path(pack)}; "
          f"build time {seconds:.1f} s")


def status_line(pack: Path, seconds: float) -> str:
    """One line for `make assets`: what the pack holds, and how many pieces are missing."""
    info = packlib.read_pack_info(pack)
    counts = info.get("counts", {})
    images = counts.get("images", {}).get("by_label", {})
    extra = (f"; {len(info['missing'])} piece(s) missing, see pack.json or run "
             "`python data_scripts/build_offline_pack.py`" if info.get("missing") else "")
    return (f"offline pack OK ({display_path(pack)}: {counts.get('review_sentences', 0)} review "
            f"sentences, {sum(counts.get('snippets', {}).values())} snippets, "
            f"{images.get('cat', 0)} cat + {images.get('dog', 0)} dog images{extra}; "
            f"checked in {seconds:.1f} s)")
