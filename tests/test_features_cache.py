"""The feature cache stores once, reloads exactly, and recovers from a damaged file."""

from __future__ import annotations

import pytest
import torch

from course_utils.cache_keys import cache_key
from course_utils.errors import CacheError
from course_utils.features import cached_tensors, feature_cache_path

KEY = cache_key("test-features", params={"model": "m", "size": 224})


def test_computes_once_then_reloads_identical_tensors(course_env):
    calls = []

    def compute():
        calls.append(1)
        return {"x": torch.randn(4, 3), "y": torch.tensor([0, 1, 0, 1])}

    first, hit1 = cached_tensors(KEY, compute)
    second, hit2 = cached_tensors(KEY, compute)
    assert (hit1, hit2) == (False, True) and len(calls) == 1
    assert torch.equal(first["x"], second["x"]) and torch.equal(first["y"], second["y"])


def test_different_keys_do_not_collide(course_env):
    other = cache_key("test-features", params={"model": "m", "size": 160})
    assert feature_cache_path(KEY) != feature_cache_path(other)


def test_a_hand_made_key_is_refused_with_the_fix(course_env):
    with pytest.raises(CacheError, match="cache_key"):
        cached_tensors(("nb02", "resnet", 224), lambda: {"x": torch.ones(1)})


def test_damaged_cache_file_is_recomputed(course_env):
    cached_tensors(KEY, lambda: {"x": torch.ones(2)})
    feature_cache_path(KEY).write_bytes(b"garbage")
    tensors, hit = cached_tensors(KEY, lambda: {"x": torch.zeros(2)})
    assert not hit and torch.equal(tensors["x"], torch.zeros(2))


def test_compute_must_return_tensors(course_env):
    with pytest.raises(TypeError, match="dict of tensors"):
        cached_tensors(cache_key("bad"), lambda: [1, 2, 3])


def test_atomic_write_leaves_nothing_behind_when_the_write_fails(tmp_path):
    from course_utils.files import atomic_write

    dest = tmp_path / "sub" / "file.bin"
    with pytest.raises(RuntimeError):
        with atomic_write(dest) as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("interrupted")
    assert not dest.exists() and list(dest.parent.iterdir()) == []
    with atomic_write(dest) as tmp:
        tmp.write_bytes(b"whole")
    assert dest.read_bytes() == b"whole" and list(dest.parent.iterdir()) == [dest]
