"""Benchmark for notebook 02: training a head on cached frozen features vs the naive loop.

Measures, on the notebook's own training split (emoji, 60 % of each class, seeded):

* the one-time feature extraction (always recomputed here, never read from the disk cache),
* training the head for ``--epochs`` epochs on the cached tensors,
* one epoch of the naive loop (frozen backbone in every step), extrapolated to ``--epochs``,

repeated ``--repeats`` times (median reported), and with ``--notebook`` the whole notebook's
wall time, CPU time and peak memory (via ``benchmarks/run_notebooks.py``). Results are appended
to ``benchmarks/results/cached_features.csv``. A benchmark, not a test: timings on shared
machines are noisy, which is why the CPU time is reported next to the wall time.

    python benchmarks/bench_cached_features.py --repeats 3 --notebook
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "02_cats_vs_dogs_transfer.ipynb"
RESULTS = ROOT / "benchmarks" / "results" / "cached_features.csv"


def measure_ratio(epochs: int, image_size: int, batch_size: int, seed: int) -> dict[str, float]:
    """One measurement of extraction, cached head training and one naive epoch (seconds)."""
    import torch
    import torch.nn.functional as F
    from sklearn.model_selection import train_test_split
    from torch import nn
    from torch.utils.data import DataLoader
    from torchvision import transforms as T

    from course_utils.data.images import CatDogImages, load_image_metadata
    from course_utils.models.cnn import load_pretrained_cnn

    torch.manual_seed(seed)
    cnn = load_pretrained_cnn("offline")
    model = cnn.model.eval()
    emoji = load_image_metadata().query("domain == 'emoji'")
    train_df, _ = train_test_split(emoji, test_size=0.4, stratify=emoji["label"],
                                   random_state=seed)
    tf = T.Compose([T.Resize(image_size), T.CenterCrop(image_size), T.ToTensor(),
                    T.Normalize(cnn.mean, cnn.std)])
    data = CatDogImages(train_df, tf)
    head = nn.Linear(cnn.head.in_features, 2)
    for p in model.parameters():
        p.requires_grad = False

    # Cached: extract once (network without its head), then train the head on the tensors.
    setattr(model, cnn.head_attr, nn.Identity())
    start = time.perf_counter()
    with torch.no_grad():
        batches = [(model(x), y) for x, y in DataLoader(data, batch_size=batch_size)]
    extract = time.perf_counter() - start
    x_all = torch.cat([b[0] for b in batches])
    y_all = torch.cat([b[1] for b in batches])
    cached_head = nn.Linear(head.in_features, 2)
    cached_head.load_state_dict(head.state_dict())
    opt = torch.optim.AdamW(cached_head.parameters(), lr=3e-3, weight_decay=0.01)
    gen = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    for _ in range(epochs):
        for idx in torch.randperm(len(x_all), generator=gen).split(batch_size):
            loss = F.cross_entropy(cached_head(x_all[idx]), y_all[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    head_train = time.perf_counter() - start

    # Naive: the whole network in every step, one epoch.
    naive_head = nn.Linear(head.in_features, 2)
    naive_head.load_state_dict(head.state_dict())
    setattr(model, cnn.head_attr, naive_head)
    opt = torch.optim.AdamW(naive_head.parameters(), lr=3e-3, weight_decay=0.01)
    loader = DataLoader(data, batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))
    start = time.perf_counter()
    for x, y in loader:
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    naive_epoch = time.perf_counter() - start
    cached_total = extract + head_train
    return {"extract_s": extract, "head_train_s": head_train, "naive_epoch_s": naive_epoch,
            "ratio": naive_epoch * epochs / cached_total, "n_train": float(len(data))}


def run_notebook(quick: bool) -> dict[str, float]:
    """Wall time and peak memory from run_notebooks.py, plus the CPU time of the whole run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [sys.executable, str(ROOT / "benchmarks" / "run_notebooks.py"), str(NOTEBOOK)]
    if quick:
        cmd.append("--quick")
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"notebook run failed:\n{proc.stderr[-3000:]}")
    found = re.search(r"wall=\s*([\d.]+) s peak=\s*(\d+) MiB", proc.stdout)
    if not found:
        raise SystemExit(f"unexpected output from run_notebooks.py:\n{proc.stdout[-1000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": float(found[1]), "peak_rss_mib": float(found[2]), "cpu_s": round(cpu, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=30, help="head epochs (as HEAD_EPOCHS)")
    ap.add_argument("--image-size", type=int, default=160)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--notebook", action="store_true", help="also time the whole notebook")
    ap.add_argument("--quick", action="store_true", help="notebook with the QUICK budget")
    args = ap.parse_args(argv)

    os.environ.setdefault("COURSE_PROFILE", "offline")
    import torch

    from course_utils.device import set_threads

    set_threads(None)
    runs = [measure_ratio(args.epochs, args.image_size, args.batch_size, args.seed)
            for _ in range(args.repeats)]
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"{int(med['n_train'])} training images, {args.image_size} px, "
          f"{torch.get_num_threads()} thread(s), median of {args.repeats}:")
    print(f"  feature extraction (once)  {med['extract_s']:7.2f} s")
    print(f"  head, {args.epochs} epochs, cached  {med['head_train_s']:7.2f} s")
    print(f"  naive loop, 1 epoch        {med['naive_epoch_s']:7.2f} s "
          f"-> {med['naive_epoch_s'] * args.epochs:.1f} s for {args.epochs} (extrapolated)")
    all_runs = ", ".join(f"{r['ratio']:.1f}" for r in runs)
    print(f"  speed-up                   {med['ratio']:7.1f}x (all runs: {all_runs})")
    nb = run_notebook(args.quick) if args.notebook else {}
    if nb:
        print(f"notebook (offline, {'QUICK' if args.quick else 'default'}): wall "
              f"{nb['wall_s']:.1f} s, CPU {nb['cpu_s']:.1f} s, peak memory "
              f"{nb['peak_rss_mib']:.0f} MiB")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    new = not RESULTS.exists()
    with RESULTS.open("a", newline="") as fh:
        writer = csv.writer(fh)
        if new:
            writer.writerow(["date", "epochs", "image_size", "threads", "extract_s",
                             "head_train_s", "naive_epoch_s", "ratio", "notebook_quick",
                             "notebook_wall_s", "notebook_cpu_s", "notebook_peak_mib", "machine"])
        writer.writerow([dt.date.today().isoformat(), args.epochs, args.image_size,
                         torch.get_num_threads(), round(med["extract_s"], 2),
                         round(med["head_train_s"], 3), round(med["naive_epoch_s"], 2),
                         round(med["ratio"], 1), int(args.quick) if nb else "",
                         nb.get("wall_s", ""), nb.get("cpu_s", ""), nb.get("peak_rss_mib", ""),
                         f"{platform.machine()} {os.cpu_count()} cores"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
