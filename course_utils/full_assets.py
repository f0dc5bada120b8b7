"""The ``full`` profile's assets: hub weights and datasets, as registry entries.

``data_scripts/prefetch_full.py`` fetches all of them into the course cache so a workshop room can
run the full profile without Wi-Fi; the notebooks then find them where torchvision and
Hugging Face look (``TORCH_HOME`` and the course cache, set by ``setup()``).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .assets import Asset, register
from .config import cache_dir, find_asset

IMAGENET_NOTE = (
    "ImageNet-trained weights: torchvision code is BSD-3-Clause; the ImageNet data's terms "
    "allow non-commercial research and education."
)

RESNET18 = register(Asset(
    name="resnet18-imagenet",
    url="https://download.pytorch.org/models/resnet18-f37072fd.pth",
    sha256="f37072fd",
    licence="BSD-3-Clause (torchvision); " + IMAGENET_NOTE,
    source="torchvision ResNet18_Weights.IMAGENET1K_V1",
    subdir="torch/hub/checkpoints",
    filename="resnet18-f37072fd.pth",
))
RESNET50 = register(Asset(
    name="resnet50-imagenet",
    url="https://download.pytorch.org/models/resnet50-11ad3fa6.pth",
    sha256="11ad3fa6",
    licence="BSD-3-Clause (torchvision); " + IMAGENET_NOTE,
    source="torchvision ResNet50_Weights.IMAGENET1K_V2",
    subdir="torch/hub/checkpoints",
    filename="resnet50-11ad3fa6.pth",
))
PETS_IMAGES = register(Asset(
    name="oxford-iiit-pet-images",
    url="https://www.robots.ox.ac.uk/~vgg/data/pets/data/images.tar.gz",
    sha256=None,
    md5="5c4f3ee8e5d25df40f4fd59a7f44e54c",
    licence="CC BY-SA 4.0 (Parkhi et al. 2012, Oxford-IIIT Pet)",
    source="Oxford-IIIT Pet dataset, via torchvision.datasets.OxfordIIITPet",
    subdir="torchvision/oxford-iiit-pet",
    filename="images.tar.gz",
))
PETS_ANNOTATIONS = register(Asset(
    name="oxford-iiit-pet-annotations",
    url="https://www.robots.ox.ac.uk/~vgg/data/pets/data/annotations.tar.gz",
    sha256=None,
    md5="95a8c909bbe2e81eed6a22bccdf3f68f",
    licence="CC BY-SA 4.0 (Parkhi et al. 2012, Oxford-IIIT Pet)",
    source="Oxford-IIIT Pet dataset, via torchvision.datasets.OxfordIIITPet",
    subdir="torchvision/oxford-iiit-pet",
    filename="annotations.tar.gz",
))
CIFAR10 = register(Asset(
    name="cifar-10",
    url="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    sha256=None,
    md5="c58f30108f718f92721af3b95e74349a",
    licence="CIFAR-10 (Krizhevsky 2009), free for research and teaching",
    source="CIFAR-10 python version, via torchvision.datasets.CIFAR10",
    subdir="torchvision",
    filename="cifar-10-python.tar.gz",
))


@dataclass(frozen=True)
class HubRepo:
    """A Hugging Face model or dataset repository the full profile uses."""

    repo_id: str
    repo_type: str  # "model" or "dataset"
    licence: str
    purpose: str
    allow_patterns: tuple[str, ...] = ()


HUB_REPOS: list[HubRepo] = [
    HubRepo("google-bert/bert-base-uncased", "model", "Apache-2.0",
            "fill-mask (notebook 03) and sentiment fine-tuning (notebook 04)",
            ("config.json", "vocab.txt", "tokenizer.json", "tokenizer_config.json",
             "model.safetensors")),
    HubRepo("SetFit/amazon_reviews_multi_en", "dataset", "Apache-2.0 (as stated by SetFit)",
            "3-class review sentiment (notebook 04): 1-2 stars negative, 3 neutral, 4-5 positive",
            ("train.jsonl", "validation.jsonl", "test.jsonl", "README.md")),
    # BERT-Mini, one of Google's 24 compact BERTs (Turc et al. 2019): the encoder of notebooks
    # 03/04 when the full profile runs without a GPU (course_utils.models.bert.choose_encoder).
    # The repository has no safetensors file: the converted PyTorch checkpoint is the weights.
    HubRepo("google/bert_uncased_L-4_H-256_A-4", "model", "Apache-2.0",
            "compact BERT (BERT-Mini) for notebooks 03 and 04 on a CPU",
            ("config.json", "vocab.txt", "pytorch_model.bin")),
    # WikiText-2 (Merity et al. 2016), the parquet files of the raw configuration and the card
    # that maps the configuration to them (course_utils.data.mlm_corpus).
    HubRepo("Salesforce/wikitext", "dataset", "CC BY-SA 3.0 and GFDL (Wikipedia text)",
            "text corpus for the masked-language-model pretraining of notebook 03",
            ("README.md", "wikitext-2-raw-v1/*")),
]

HF_MIRROR_ENV = "COURSE_HF_MIRROR"


def local_repo_dir(repo_id: str, *, writable: bool = False) -> Path:
    """Folder where a prefetched hub repository is kept as plain files.

    Readers get the read-only asset layer's copy when it has one; ``writable=True`` (prefetch)
    always names the folder in the writable course cache.
    """
    rel = Path("hub-repos") / repo_id.replace("/", "__")
    return cache_dir() / rel if writable else find_asset(rel)


def prefetch_repo(repo: HubRepo) -> Path:
    """Copy a hub repository into the course cache (from ``$COURSE_HF_MIRROR`` or the hub)."""
    dest = local_repo_dir(repo.repo_id, writable=True)
    mirror = os.environ.get(HF_MIRROR_ENV)
    tmp = dest.with_name(dest.name + ".part")
    if tmp.exists():
        shutil.rmtree(tmp)
    if mirror:
        src = Path(mirror) / repo.repo_id.replace("/", "__")
        if not src.is_dir():
            raise FileNotFoundError(f"{repo.repo_id} not found in the local mirror ({src.name}).")
        shutil.copytree(src, tmp)
    else:
        from huggingface_hub import snapshot_download

        snapshot_download(repo_id=repo.repo_id, repo_type=repo.repo_type, local_dir=tmp,
                          allow_patterns=list(repo.allow_patterns) or None)
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(tmp, dest)
    return dest


def hub_repo(repo_id: str) -> HubRepo:
    """The registry entry of ``repo_id`` (a model entry without patterns when it is not listed)."""
    for repo in HUB_REPOS:
        if repo.repo_id == repo_id:
            return repo
    return HubRepo(repo_id, "model", "unknown", "not in the course's registry")


def resolve_repo(repo_id: str) -> str:
    """A local folder for ``repo_id`` when there is one, else the hub id itself.

    In order: the prefetched copy (the read-only asset layer's, then the cache's); else, when
    ``$COURSE_HF_MIRROR`` (a folder of hub repositories, "instead of the hub") holds the
    repository, a copy of it made in the course cache now; else the hub id, which
    ``transformers`` / ``datasets`` download into the course cache themselves.
    """
    local = local_repo_dir(repo_id)
    if (local / "config.json").exists() or any(local.glob("*")):
        return str(local)
    mirror = os.environ.get(HF_MIRROR_ENV)
    if mirror and (Path(mirror) / repo_id.replace("/", "__")).is_dir():
        return str(prefetch_repo(hub_repo(repo_id)))
    return repo_id
