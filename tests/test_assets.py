"""Asset registry: atomic, checksummed downloads; corrupt caches repaired; clear errors."""

from __future__ import annotations

import hashlib

import pytest

from course_utils import assets
from course_utils.assets import Asset, AssetError


def _mirror_with(tmp_path, subdir: str, name: str, payload: bytes):
    folder = tmp_path / "mirror" / subdir
    folder.mkdir(parents=True)
    (folder / name).write_bytes(payload)
    return tmp_path / "mirror"


def _asset(payload: bytes, **kw) -> Asset:
    base = dict(name="demo", url="https://hub.invalid/demo.bin",
                sha256=hashlib.sha256(payload).hexdigest(), licence="CC0", source="test",
                subdir="demo", filename="demo.bin")
    base.update(kw)
    return Asset(**base)


def test_fetch_downloads_verifies_and_caches(course_env, tmp_path, monkeypatch):
    payload = b"weights" * 1000
    monkeypatch.setenv("COURSE_MIRROR", str(_mirror_with(tmp_path, "demo", "demo.bin", payload)))
    asset = _asset(payload)
    path = assets.fetch(asset)
    assert path == course_env / "demo" / "demo.bin" and path.read_bytes() == payload
    assert not list(path.parent.glob("*.part")), "temp files must not be left behind"


def test_corrupt_cached_file_is_detected_and_fetched_again(course_env, tmp_path, monkeypatch,
                                                           capsys):
    payload = b"real content"
    monkeypatch.setenv("COURSE_MIRROR", str(_mirror_with(tmp_path, "demo", "demo.bin", payload)))
    asset = _asset(payload)
    assets.fetch(asset).write_bytes(b"real cont")  # truncated download
    assert not assets.is_valid(asset)
    assert assets.fetch(asset).read_bytes() == payload
    assert "corrupt" in capsys.readouterr().out


def test_checksum_mismatch_keeps_nothing(course_env, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_MIRROR", str(_mirror_with(tmp_path, "demo", "demo.bin", b"evil")))
    asset = _asset(b"good")
    with pytest.raises(AssetError, match="sha256 mismatch"):
        assets.fetch(asset)
    assert not (course_env / "demo").exists() or not any((course_env / "demo").iterdir())


def test_unreachable_source_says_how_to_work_offline(course_env, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_MIRROR", str(tmp_path / "no-such-mirror"))
    with pytest.raises(AssetError, match="offline profile.*prefetch_full.py"):
        assets.fetch(_asset(b"x"))


def test_md5_only_assets_are_verified_with_md5(course_env, tmp_path, monkeypatch):
    payload = b"dataset archive"
    monkeypatch.setenv("COURSE_MIRROR", str(_mirror_with(tmp_path, "demo", "demo.bin", payload)))
    asset = _asset(payload, sha256=None, md5=hashlib.md5(payload).hexdigest())
    assert assets.fetch(asset).read_bytes() == payload
    assert assets.is_valid(asset)


def test_sha256_prefix_matches_like_torchvision_filenames(course_env, tmp_path, monkeypatch):
    payload = b"checkpoint"
    prefix = hashlib.sha256(payload).hexdigest()[:8]
    monkeypatch.setenv("COURSE_MIRROR", str(_mirror_with(tmp_path, "demo", "demo.bin", payload)))
    assert assets.is_valid(_asset(payload, sha256=prefix), assets.fetch(_asset(payload,
                                                                                sha256=prefix)))


@pytest.mark.parametrize("bad", [dict(sha256="xyz"), dict(sha256=None), dict(sha256="abc")])
def test_bad_checksums_are_rejected_at_registration(bad):
    with pytest.raises(ValueError):
        _asset(b"x", **bad)


def test_registry_lookup_lists_known_names():
    import course_utils.full_assets  # noqa: F401 - registers the full profile's assets

    with pytest.raises(KeyError, match="resnet18-imagenet"):
        assets.get("resnet-9000")
    assert assets.get("resnet18-imagenet").licence
    assert {a.name for a in assets.assets_for("full")} >= {"resnet18-imagenet", "cifar-10"}
