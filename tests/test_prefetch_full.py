"""prefetch_full.py fills the cache from a local fake mirror (never the network)."""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import subprocess
import sys

from conftest import ROOT

from course_utils import assets, full_assets

SCRIPT = ROOT / "data_scripts" / "prefetch_full.py"


def _load_script():
    spec = importlib.util.spec_from_file_location("prefetch_full", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _fake_mirror(tmp_path):
    """A mirror laid out like the cache, with small stand-in files and their checksums."""
    mirror = tmp_path / "mirror"
    fakes = []
    for asset in assets.assets_for("full"):
        payload = f"stand-in for {asset.name}".encode()
        (mirror / asset.subdir).mkdir(parents=True, exist_ok=True)
        (mirror / asset.subdir / asset.filename).write_bytes(payload)
        fakes.append(dataclasses.replace(asset, sha256=hashlib.sha256(payload).hexdigest(),
                                         md5=None))
    hub = tmp_path / "hub-mirror"
    for repo in full_assets.HUB_REPOS:
        d = hub / repo.repo_id.replace("/", "__")
        d.mkdir(parents=True)
        (d / "config.json").write_text('{"model_type": "bert"}')
    return mirror, hub, fakes


def test_prefetch_fills_the_cache_from_a_local_mirror(course_env, tmp_path, monkeypatch):
    mirror, hub, fakes = _fake_mirror(tmp_path)
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))
    monkeypatch.setenv("COURSE_HF_MIRROR", str(hub))
    failures = _load_script().prefetch(fakes, full_assets.HUB_REPOS)
    assert failures == []
    for asset in fakes:
        assert assets.is_valid(asset), asset.name
    # torchvision looks for weights in $TORCH_HOME/hub/checkpoints: the cache layout matches.
    assert (course_env / "torch" / "hub" / "checkpoints" / "resnet18-f37072fd.pth").exists()
    repo = full_assets.HUB_REPOS[0].repo_id
    assert full_assets.resolve_repo(repo) == str(full_assets.local_repo_dir(repo))


def test_prefetch_repairs_a_damaged_file_and_reports_failures(course_env, tmp_path,
                                                              monkeypatch):
    mirror, hub, fakes = _fake_mirror(tmp_path)
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))
    script = _load_script()
    assert script.prefetch(fakes, [], skip_repos=True) == []
    fakes[0].path.write_bytes(b"damaged")
    assert script.prefetch(fakes, [], skip_repos=True) == []
    assert assets.is_valid(fakes[0])
    (mirror / fakes[1].subdir / fakes[1].filename).unlink()
    fakes[1].path.unlink()
    failures = script.prefetch(fakes, [], skip_repos=True)
    assert len(failures) == 1 and fakes[1].name in failures[0]


def test_prefetch_cli_lists_assets_with_licences():
    out = subprocess.run([sys.executable, str(SCRIPT), "--list"], capture_output=True,
                         text=True, check=True).stdout
    assert "resnet18-imagenet" in out and "CC BY-SA 4.0" in out and "bert-base-uncased" in out


def test_prefetch_cli_rejects_unknown_names():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--only", "resnet-9000"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Unknown asset" in proc.stdout
