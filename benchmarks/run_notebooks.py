"""Run notebooks (offline profile, default parameters) and record wall time and peak memory.

Each notebook runs in a fresh child process so its kernel's peak RSS is measured on its own.
``--inplace`` writes the executed notebook back: that is how committed outputs are produced.
Results go to ``benchmarks/results/notebook_times.csv`` (one row per run, appended).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
RESULTS = ROOT / "benchmarks" / "results" / "notebook_times.csv"


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# tqdm's text for a notebook bar: "desc:  40%|####      | 2/5 [00:01<00:02,  1.2it/s]"
PROGRESS_BAR = re.compile(r"\|\s*\d+/\d+ \[")


def is_progress_bar(output) -> bool:
    """A tqdm bar saved as a widget: the site would show it frozen at its first frame (0%).
    (tqdm's notebook bars ignore TQDM_DISABLE, so the runner removes them instead.)"""
    data = output.get("data", {})
    text = data.get("text/plain", "")
    text = "".join(text) if isinstance(text, list) else text
    return WIDGET_VIEW in data and bool(PROGRESS_BAR.search(text))


def _prune_widget_state(nb) -> None:
    """Keep only the widget models that a remaining output shows (and the models they use)."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state")
    if state is None:
        return
    todo = [o["data"][WIDGET_VIEW]["model_id"] for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if WIDGET_VIEW in o.get("data", {})]
    keep: set[str] = set()
    while todo:
        model = todo.pop()
        if model in keep or model not in state:
            continue
        keep.add(model)
        todo += re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(state[model]))
    for model in set(state) - keep:
        del state[model]
    if not state:
        nb.metadata.pop("widgets", None)


def strip_run_metadata(nb):
    """Remove what changes on every run but teaches nothing (timestamps, papermill records,
    progress bars), and the outputs of solution cells: the site hides their code but would show
    the answers."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if cell.cell_type == "code" and "solution" in cell.metadata.get("tags", []):
            cell.outputs = []
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not is_progress_bar(o)]
    _prune_widget_state(nb)
    return nb


def machine_label(env: dict[str, str]) -> str:
    """The machine and the settings that change the numbers: the torch build (its CUDA libraries
    cost ~0.6 GiB of resident memory even without a GPU), torch threads, the memory saver."""
    from importlib.metadata import PackageNotFoundError, version

    label = f"{platform.machine()} {os.cpu_count()} cores"
    try:
        torch_version = version("torch")
    except PackageNotFoundError:
        return label
    if "+cpu" in torch_version:  # workshop/sizing.py leaves these rows out (the hub's is CUDA)
        label += f"; CPU-only torch {torch_version.split('+')[0]} as on Binder"
    if env.get("COURSE_THREADS"):
        label += f"; {env['COURSE_THREADS']} torch thread(s)"
    if env.get("COURSE_MEMORY_SAVER", "").strip() == "1":
        label += "; COURSE_MEMORY_SAVER=1"
    return label


class _CellPeaks:
    """Peak resident memory of the kernel per cell (Linux: /proc VmHWM, reset before each cell),
    so a notebook over a memory budget says which cells to slim down."""

    def __init__(self, client):
        self.client, self.peaks, self.seconds, self._t0 = client, {}, {}, 0.0

    def _proc(self, name: str) -> Path | None:
        try:
            return Path(f"/proc/{self.client.km.provisioner.process.pid}/{name}")
        except AttributeError:
            return None

    def start(self, cell, cell_index, **_):
        self._t0 = time.perf_counter()
        clear = self._proc("clear_refs")
        if clear is not None and clear.exists():
            try:
                clear.write_text("5")  # resets the peak (VmHWM) to the current RSS
            except OSError:
                pass

    def done(self, cell, cell_index, **_):
        self.seconds[cell_index] = round(time.perf_counter() - self._t0, 1)
        status = self._proc("status")
        if status is not None and status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    self.peaks[cell_index] = int(line.split()[1]) // 1024
                    break


def _execute_one(path: Path, inplace: bool, timeout: int) -> dict:
    """Execute one notebook in this process (its kernel is our child) and measure it."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    cells = _CellPeaks(client)
    client.on_cell_start, client.on_cell_executed = cells.start, cells.done
    t0 = time.perf_counter()
    client.execute()
    wall = time.perf_counter() - t0
    if inplace:  # keep execution counts: nbval refuses outputs of cells marked as never run
        nbformat.write(strip_run_metadata(nb), path)
    # The kernel's whole-run peak is the largest per-cell peak: resetting VmHWM before each cell
    # also resets what the kernel reports at exit (ru_maxrss), which then covers the last cell.
    peak_kib = max([resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]
                   + [mib * 1024 for mib in cells.peaks.values()])
    top = sorted(cells.peaks.items(), key=lambda kv: -kv[1])[:5]
    slow = sorted(cells.seconds.items(), key=lambda kv: -kv[1])[:5]
    return {"wall_s": round(wall, 1), "peak_rss_mib": round(peak_kib / 1024),
            "top_cells": [[i, mib] for i, mib in top], "slow_cells": [[i, s] for i, s in slow]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("notebooks", nargs="*", help="notebooks to run (default: all NN_*.ipynb)")
    ap.add_argument("--quick", action="store_true", help="use the QUICK test budget")
    ap.add_argument("--inplace", action="store_true", help="save outputs into the notebook")
    ap.add_argument("--timeout", type=int, default=1800, help="per-cell timeout, seconds")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        print(json.dumps(_execute_one(Path(args.child), args.inplace, args.timeout)))
        return 0

    paths = [Path(p).resolve() for p in args.notebooks]
    paths = paths or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    # TQDM_DISABLE silences tqdm's text bars; its notebook (widget) bars ignore it, so
    # strip_run_metadata removes those from saved outputs instead.
    env = dict(os.environ, COURSE_PROFILE="offline", COURSE_QUICK="1" if args.quick else "0",
               TQDM_DISABLE="1")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    new_file = not RESULTS.exists()
    failed = 0
    with RESULTS.open("a", newline="") as fh:
        writer = csv.writer(fh)
        if new_file:
            writer.writerow(["date", "notebook", "quick", "wall_s", "peak_rss_mib", "machine"])
        for path in paths:
            cmd = [sys.executable, __file__, "--child", str(path), "--timeout", str(args.timeout)]
            if args.inplace:
                cmd.append("--inplace")
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                failed += 1
                print(f"FAILED {path.name}\n{proc.stderr[-3000:]}", file=sys.stderr)
                continue
            res = json.loads(proc.stdout.strip().splitlines()[-1])
            machine = machine_label(env)
            writer.writerow([dt.date.today().isoformat(), path.name, int(args.quick),
                             res["wall_s"], res["peak_rss_mib"], machine])
            fh.flush()
            print(f"{path.name:45s} quick={int(args.quick)} wall={res['wall_s']:7.1f} s "
                  f"peak={res['peak_rss_mib']:6d} MiB")
            if res.get("top_cells"):
                print("    highest cells (index: MiB): "
                      + ", ".join(f"{i}: {mib}" for i, mib in res["top_cells"]))
            if res.get("slow_cells"):
                print("    slowest cells (index: s): "
                      + ", ".join(f"{i}: {sec}" for i, sec in res["slow_cells"]))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
