"""One key function for every cache: anything that changes the artefact changes its key."""

from __future__ import annotations

import pytest
import torchvision.transforms as T

from course_utils.cache_keys import cache_key, describe_transform
from course_utils.errors import CacheError


def _edges(image):
    return image


def _edges_edited(image):
    return image.rotate(90)


def test_cache_key_changes_with_transform():
    """Editing a transform (a parameter, an added step, or code inside a Lambda) changes the key."""
    base = T.Compose([T.Resize(160), T.ColorJitter(brightness=0.4)])
    key = cache_key("nb06-features", transforms=[base])
    assert key == cache_key("nb06-features", transforms=[
        T.Compose([T.Resize(160), T.ColorJitter(brightness=0.4)])])  # same recipe, same key
    assert key != cache_key("nb06-features", transforms=[
        T.Compose([T.Resize(160), T.ColorJitter(brightness=0.5)])])
    assert key != cache_key("nb06-features", transforms=[
        T.Compose([T.Resize(160), T.ColorJitter(brightness=0.4), T.RandomHorizontalFlip()])])
    # torchvision prints every Lambda as "Lambda()": the key must look at the code inside.
    assert repr(T.Lambda(_edges)) == repr(T.Lambda(_edges_edited))
    assert cache_key("k", transforms=[T.Lambda(_edges)]) != cache_key(
        "k", transforms=[T.Lambda(_edges_edited)])


def test_cache_key_changes_with_function_source_files_and_params(tmp_path):
    data = tmp_path / "a.txt"
    data.write_text("one")
    key = cache_key("k", functions=[_edges], files=[data], params={"size": 160, "seed": 0})
    assert key == cache_key("k", functions=[_edges], files=[data], params={"seed": 0, "size": 160})
    assert key != cache_key("k", functions=[_edges_edited], files=[data],
                            params={"size": 160, "seed": 0})
    assert key != cache_key("k", functions=[_edges], files=[data], params={"size": 128, "seed": 0})
    data.write_text("two")  # same name, new content
    assert key != cache_key("k", functions=[_edges], files=[data], params={"size": 160, "seed": 0})
    assert cache_key("a") != cache_key("b")


def test_descriptions_hold_no_memory_addresses():
    class Opaque:
        pass

    text = describe_transform(T.Compose([T.Lambda(lambda im: im), Opaque()]))
    assert "0x" not in text and "lambda im: im" in text


def test_missing_data_file_names_the_fix(tmp_path):
    with pytest.raises(CacheError, match="does not exist"):
        cache_key("k", files=[tmp_path / "nope.png"])
