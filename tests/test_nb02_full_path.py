"""Notebook 02's full-profile plumbing, tested against local fakes (never the network).

* ResNet-18: a randomly initialised state_dict saved under torchvision's official file name in
  ``$TORCH_HOME/hub/checkpoints`` (``$TORCH_HOME`` inside ``$COURSE_CACHE``), with the registry's
  checksum swapped for the fake file's sha256 (``dataclasses.replace``).
* Oxford-IIIT Pet: a miniature folder in the real layout (tiny JPEGs, ``annotations/trainval.txt``
  and ``test.txt`` with ``name class species breed`` lines), parsed by torchvision itself; and the
  same folder packed as the two official archives on a local mirror, to test fetch + extract.

The notebook itself runs in the full profile once per test run, in
tests/test_full_profile_without_pack.py, which also checks what it prints and saves.
"""

from __future__ import annotations

import dataclasses
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from course_utils import assets, full_assets
from course_utils.data import pets
from course_utils.models import cnn

# (breed name, class id 1-37, species 1 = cat / 2 = dog, breed id within the species)
BREEDS = [("Abyssinian", 1, 1, 1), ("Bengal", 6, 1, 2),
          ("american_bulldog", 2, 2, 1), ("beagle", 11, 2, 3)]
PER_BREED = {"trainval": 6, "test": 2}


def write_mini_pets(base: Path, seed: int = 0) -> dict[str, list[int]]:
    """A miniature ``oxford-iiit-pet`` folder; returns the 0/1 labels of each official split."""
    rng = np.random.default_rng(seed)
    (base / "images").mkdir(parents=True)
    (base / "annotations").mkdir()
    labels: dict[str, list[int]] = {}
    n = 0
    for split, per_breed in PER_BREED.items():
        lines, labels[split] = [], []
        for breed, class_id, species, breed_id in BREEDS:
            for _ in range(per_breed):
                n += 1
                name = f"{breed}_{n}"
                tint = np.array([200, 90, 60] if species == 1 else [60, 90, 200])
                pixels = np.clip(tint + rng.normal(0, 30, (40, 48, 3)), 0, 255).astype(np.uint8)
                Image.fromarray(pixels).save(base / "images" / f"{name}.jpg", quality=85)
                lines.append(f"{name} {class_id} {species} {breed_id}")
                labels[split].append(species - 1)
        (base / "annotations" / f"{split}.txt").write_text("\n".join(lines) + "\n")
    return labels


@pytest.fixture
def mini_pets(course_env):
    return write_mini_pets(course_env / "torchvision" / "oxford-iiit-pet")


@pytest.fixture
def fake_resnet18(course_env, monkeypatch):
    """A seeded random ResNet-18 in the torch hub cache, accepted by the asset registry."""
    from torchvision.models import resnet18

    torch_home = course_env / "torch"
    monkeypatch.setenv("TORCH_HOME", str(torch_home))
    path = torch_home / "hub" / "checkpoints" / cnn.RESNET18.filename
    path.parent.mkdir(parents=True)
    torch.manual_seed(123)
    state = resnet18(weights=None).state_dict()
    torch.save(state, path)
    assert path == cnn.RESNET18.path  # where the registry and torchvision both look
    fake = dataclasses.replace(cnn.RESNET18, sha256=assets.sha256_file(path))
    monkeypatch.setattr(cnn, "RESNET18", fake)
    return state


def test_full_profile_loads_resnet18_weights_from_the_hub_cache(fake_resnet18):
    loaded = cnn.load_pretrained_cnn("full")
    assert (loaded.name, loaded.head_attr) == ("ResNet-18", "fc")
    assert loaded.mean == cnn.IMAGENET_MEAN and loaded.std == cnn.IMAGENET_STD
    for key, value in fake_resnet18.items():
        assert torch.equal(loaded.model.state_dict()[key], value), key


def test_a_corrupt_cached_checkpoint_is_refused(fake_resnet18, monkeypatch):
    monkeypatch.setattr(cnn, "RESNET18", dataclasses.replace(cnn.RESNET18, sha256="0" * 64))
    monkeypatch.setenv(assets.MIRROR_ENV, str(Path(cnn.RESNET18.path).parent / "no-mirror"))
    with pytest.raises(assets.AssetError):
        cnn.load_pretrained_cnn("full")


def test_torchvision_parses_the_miniature_folder_with_binary_labels(mini_pets):
    for split in ("trainval", "test"):
        ds = pets.load_pets(split, download=False)
        assert [ds[i][1] for i in range(len(ds))] == mini_pets[split]
        assert pets.binary_labels(split).tolist() == mini_pets[split]
    image, label = pets.load_pets("test")[0]
    assert image.size == (48, 40) and label == 0


def test_validation_is_carved_from_trainval_stratified_and_seeded(mini_pets):
    splits = pets.PetSplits(val_fraction=0.25, seed=0)
    tr, va = splits.indices["train"], splits.indices["val"]
    assert len(tr) + len(va) == len(mini_pets["trainval"]) and not set(tr) & set(va)
    assert np.bincount(splits.labels("val")).tolist() == [3, 3]  # 25 % of 12 per class
    assert splits.labels("test").tolist() == mini_pets["test"]  # the official test, whole
    again = pets.PetSplits(val_fraction=0.25, seed=0)
    assert np.array_equal(again.indices["val"], va)
    other = pets.PetSplits(val_fraction=0.25, seed=1)
    assert not np.array_equal(other.indices["val"], va)
    ds = splits.dataset("val")
    assert [ds[i][1] for i in range(len(ds))] == splits.labels("val").tolist()
    assert len(splits.file_ids("train")) == len(tr)
    capped = pets.PetSplits(val_fraction=0.25, seed=0, max_train=8)
    assert np.bincount(capped.labels("train")).tolist() == [4, 4]
    with pytest.raises(ValueError, match="split must be one of"):
        splits.dataset("trainval")


def _pack(folder: Path, archive: Path) -> None:
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)


def test_archives_are_fetched_from_a_mirror_verified_and_extracted(course_env, tmp_path,
                                                                  monkeypatch):
    source = tmp_path / "pets_source"
    labels = write_mini_pets(source)
    mirror = tmp_path / "mirror"
    for asset_name, folder in (("PETS_IMAGES", "images"), ("PETS_ANNOTATIONS", "annotations")):
        asset = getattr(full_assets, asset_name)
        archive = mirror / asset.subdir / asset.filename
        _pack(source / folder, archive)
        monkeypatch.setattr(full_assets, asset_name, dataclasses.replace(
            asset, md5=None, sha256=assets.sha256_file(archive)))
    monkeypatch.setenv(assets.MIRROR_ENV, str(mirror))
    assert not pets.pets_ready()
    root = pets.ensure_pets()
    assert pets.pets_ready() and root == course_env / "torchvision"
    assert assets.is_valid(full_assets.PETS_IMAGES)  # the archive stays in the cache, checked
    assert pets.binary_labels("trainval").tolist() == labels["trainval"]
    leftovers = [p.name for p in (root / "oxford-iiit-pet").iterdir() if p.name.startswith(".")]
    assert not leftovers  # the temporary extraction folders are gone


def test_missing_dataset_gives_clear_advice(course_env, tmp_path, monkeypatch):
    with pytest.raises(pets.PetsUnavailable, match="prefetch_full.py"):
        pets.ensure_pets(download=False)
    monkeypatch.setenv(assets.MIRROR_ENV, str(tmp_path / "empty-mirror"))
    with pytest.raises(assets.AssetError, match="offline profile"):
        pets.ensure_pets()
    assert not pets.pets_ready()
