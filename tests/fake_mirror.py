"""A local fake of everything the full profile downloads, in the real file layouts (no network).

Two mirrors, the two the course knows:

- a *file mirror* (``$COURSE_MIRROR``) laid out like the course cache, holding the files that
  ``course_utils.assets.fetch`` downloads: ResNet-18 weights (a seeded random state dict under
  torchvision's file name), the two Oxford-IIIT Pet archives (``images/``, ``annotations/``),
  the CIFAR-10 python archive (``cifar-10-batches-py/`` pickles, here holding scikit-learn's
  digits upsampled to 32x32 so that the degradation experiment has something learnable) and the
  vaderSentiment sdist (``additional_resources/hutto_ICWSM_2014.tar.gz`` with the four
  ``*_GroundTruth.txt`` files: id, mean rating, text, CRLF lines);
- a *hub mirror* (``$COURSE_HF_MIRROR``: one folder per repository, ``owner__name``) holding the
  hub repositories with their real file names: ``google/bert_uncased_L-4_H-256_A-4``
  (config.json without ``architectures``, BERT's uncased vocab.txt, and a ``pytorch_model.bin``
  that is the whole ``state_dict`` of a small random ``BertForPreTraining``, as the official
  TF-to-PyTorch conversion saved it), ``Salesforce/wikitext`` (the dataset card whose
  ``configs`` map ``wikitext-2-raw-v1`` to ``wikitext-2-raw-v1/{split}-00000-of-00001.parquet``,
  one ``text`` string column, WikiText's raw style: `` = Heading = `` lines, empty lines,
  ``@-@`` joins, spaced punctuation) and ``SetFit/amazon_reviews_multi_en`` (train, validation
  and test jsonl: id, text, label 0-4, label_text).

The fakes cannot carry the real checksums. :func:`write_kernel_startup` writes an IPython
startup file that, in a notebook's kernel, swaps the registry's checksums for the fakes' (as the
in-process tests do with ``monkeypatch``): nothing else is patched.
"""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import random
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

COMPACT_REPO = "google/bert_uncased_L-4_H-256_A-4"
WIKITEXT_REPO = "Salesforce/wikitext"
REVIEWS_REPO = "SetFit/amazon_reviews_multi_en"
SUMS_ENV = "FAKE_MIRROR_SUMS"  # not a COURSE_* variable: read only by the startup file

# ---------------------------------------------------------------------------- text material
TOPICS = {
    "river": ["river", "valley", "bridge", "flood", "bank", "water", "town", "mill"],
    "battle": ["army", "battle", "soldiers", "general", "fort", "troops", "siege", "war"],
    "music": ["album", "song", "band", "singer", "guitar", "record", "tour", "chart"],
    "church": ["church", "bishop", "tower", "parish", "chapel", "priest", "abbey", "bells"],
    "game": ["game", "player", "level", "console", "series", "story", "characters", "sequel"],
    "storm": ["storm", "hurricane", "winds", "rain", "coast", "damage", "landfall", "season"],
}
VERBS = ["built", "described", "released", "destroyed", "restored", "recorded", "praised",
         "attacked", "designed", "opened", "reported", "moved"]
ADJECTIVES = ["large", "old", "new", "famous", "small", "northern", "southern", "early",
              "second", "final", "major", "local"]
TEMPLATES = [
    "The {adj} {a} near the {b} was {verb} in {year} .",
    "In {year} , the {a} and the {b} were {verb} by the {adj} {c} .",
    "The {c} of the {adj} {a} is {num} @,@ {num2} metres long .",
    "Critics {verb} the {a} , and the {b} became a {adj} {c} .",
    "A {adj} @-@ scale {a} was {verb} after the {b} in {year} .",
    "It was the {adj} {a} to be {verb} since the {b} of {year} .",
]
SENTIMENT = {
    0: ["terrible", "broke", "waste", "awful", "useless", "disappointing", "worst", "boring"],
    1: ["okay", "average", "arrived", "manual", "box", "fine", "ordinary", "decent"],
    2: ["great", "love", "excellent", "perfect", "recommend", "wonderful", "best", "superb"],
}
NOUNS = ["blender", "camera", "charger", "remote", "kettle", "speaker", "movie", "plot",
         "senate", "weather", "phone", "story"]


def wikitext_lines(n_articles: int = 60, seed: int = 0) -> list[str]:
    """Lines in WikiText-2 raw's style: headings, empty lines, paragraphs of 4-8 sentences."""
    rng = random.Random(seed)
    lines: list[str] = []
    for i in range(n_articles):
        topic = rng.choice(list(TOPICS))
        words = TOPICS[topic]
        lines += ["", f" = The {rng.choice(ADJECTIVES).title()} {words[0].title()} {i} = ", ""]
        for section in range(rng.randint(2, 4)):
            lines += [f" = = Section {section + 1} = = ", ""]
            for _ in range(rng.randint(2, 4)):
                sentences = []
                for _ in range(rng.randint(4, 8)):
                    a, b, c = rng.sample(words, 3)
                    sentences.append(rng.choice(TEMPLATES).format(
                        adj=rng.choice(ADJECTIVES), a=a, b=b, c=c, verb=rng.choice(VERBS),
                        year=rng.randint(1700, 2015), num=rng.randint(1, 9),
                        num2=rng.randint(100, 999)))
                lines += [" " + " ".join(sentences) + " ", ""]
    return lines


def review_text(rng: random.Random, cls: int) -> str:
    words = rng.sample(SENTIMENT[cls], 3) + [rng.choice(NOUNS), "the", "this", "was"]
    rng.shuffle(words)
    return " ".join(words) + "."


# ---------------------------------------------------------------------------- hub repositories
def bert_vocab() -> Path:
    """BERT's uncased WordPiece vocabulary (the offline encoder's package ships the same file)."""
    from course_utils.models.bert import offline_encoder_dir

    return offline_encoder_dir() / "vocab.txt"


def write_compact_bert(dest: Path, *, hidden: int = 128, layers: int = 2, seed: int = 0) -> Path:
    """A small random BERT in the layout of google/bert_uncased_L-4_H-256_A-4."""
    import shutil

    import torch
    from transformers import BertConfig, BertForPreTraining

    dest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(bert_vocab(), dest / "vocab.txt")
    vocab_size = sum(1 for _ in open(dest / "vocab.txt", encoding="utf-8"))
    config = {"hidden_size": hidden, "hidden_act": "gelu", "initializer_range": 0.02,
              "vocab_size": vocab_size, "hidden_dropout_prob": 0.1,
              "num_attention_heads": 2, "type_vocab_size": 2, "max_position_embeddings": 512,
              "num_hidden_layers": layers, "intermediate_size": 2 * hidden,
              "attention_probs_dropout_prob": 0.1, "model_type": "bert"}
    (dest / "config.json").write_text(json.dumps(config, indent=2))
    torch.manual_seed(seed)
    model = BertForPreTraining(BertConfig(**config))
    torch.save(model.state_dict(), dest / "pytorch_model.bin")  # as the conversion script did
    return dest


WIKITEXT_CARD = """---
language:
- en
license:
- cc-by-sa-3.0
- gfdl
pretty_name: WikiText
dataset_info:
- config_name: wikitext-2-raw-v1
  features:
  - name: text
    dtype: string
  splits:
  - name: test
    num_bytes: {test_bytes}
    num_examples: {test}
  - name: train
    num_bytes: {train_bytes}
    num_examples: {train}
  - name: validation
    num_bytes: {validation_bytes}
    num_examples: {validation}
configs:
- config_name: wikitext-2-raw-v1
  data_files:
  - split: test
    path: wikitext-2-raw-v1/test-*
  - split: train
    path: wikitext-2-raw-v1/train-*
  - split: validation
    path: wikitext-2-raw-v1/validation-*
---

# Dataset Card for "wikitext" (test fake: the layout of Salesforce/wikitext, synthetic text)
"""


def write_wikitext(dest: Path, *, n_articles: int = 60, seed: int = 0) -> Path:
    """The wikitext-2-raw-v1 configuration of Salesforce/wikitext, with synthetic articles."""
    from datasets import Dataset, Features, Value

    sizes = {"train": n_articles, "validation": max(2, n_articles // 10),
             "test": max(2, n_articles // 10)}
    counts = {}
    (dest / "wikitext-2-raw-v1").mkdir(parents=True, exist_ok=True)
    for k, (split, n) in enumerate(sizes.items()):
        lines = wikitext_lines(n, seed=seed + k)
        counts[split] = len(lines)
        counts[f"{split}_bytes"] = sum(len(line.encode()) for line in lines)
        # written by `datasets`, as the hub's own parquet conversion of this repository was
        target = dest / "wikitext-2-raw-v1" / f"{split}-00000-of-00001.parquet"
        Dataset.from_dict({"text": lines}, features=Features({"text": Value("string")})
                          ).to_parquet(str(target))
    (dest / "README.md").write_text(WIKITEXT_CARD.format(**counts))
    return dest


REVIEW_SIZES = {"train": 120, "validation": 40, "test": 40}  # reviews per split of the fake


def write_setfit_reviews(dest: Path, *, sizes=None, seed: int = 0) -> Path:
    """train/validation/test jsonl like SetFit/amazon_reviews_multi_en (labels 0-4 stars)."""
    sizes = sizes or REVIEW_SIZES
    rng = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    for split, n in sizes.items():
        with open(dest / f"{split}.jsonl", "w") as fh:
            for i in range(n):
                stars = i % 5
                cls = 0 if stars <= 1 else 1 if stars == 2 else 2
                fh.write(json.dumps({"id": f"en_{split}_{i}", "text": review_text(rng, cls),
                                     "label": stars, "label_text": str(stars)}) + "\n")
    (dest / "README.md").write_text("---\nlanguage:\n- en\n---\n"
                                    "# amazon_reviews_multi_en (test fake)\n")
    return dest


# ---------------------------------------------------------------------------- file assets
def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = 0
    tar.addfile(info, io.BytesIO(data))


def write_resnet18(path: Path, seed: int = 123) -> Path:
    import torch
    from torchvision.models import resnet18

    path.parent.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    torch.save(resnet18(weights=None).state_dict(), path)
    return path


# (breed, class id 1-37, species 1 cat / 2 dog, breed id within species)
BREEDS = [("Abyssinian", 1, 1, 1), ("Bengal", 6, 1, 2),
          ("american_bulldog", 2, 2, 1), ("beagle", 11, 2, 3)]
PETS_PER_BREED = (("trainval", 20), ("test", 10))  # photos of each breed in each official split


def pets_labels(split: str, per_breed=PETS_PER_BREED) -> list[int]:
    """The 0 (cat) / 1 (dog) label of every photo of an official split, in annotation order."""
    count = dict(per_breed)[split]
    return [species - 1 for _, _, species, _ in BREEDS for _ in range(count)]


def _pet_image(rng: np.random.Generator, species: int) -> bytes:
    """A 48x40 JPEG: cats a warm disk, dogs a cool square (shape survives a grey target)."""
    from PIL import Image, ImageDraw

    tint = np.array([200, 110, 60] if species == 1 else [60, 110, 200])
    pixels = np.clip(tint * 0.4 + rng.normal(0, 20, (40, 48, 3)), 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    x, y, r = int(rng.integers(14, 34)), int(rng.integers(12, 28)), int(rng.integers(7, 11))
    colour = tuple(int(v) for v in np.clip(tint + 40, 0, 255))
    (draw.ellipse if species == 1 else draw.rectangle)([x - r, y - r, x + r, y + r], fill=colour)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def write_pets_archives(images_tgz: Path, annotations_tgz: Path, *,
                        per_breed=PETS_PER_BREED, seed: int = 0) -> None:
    """images.tar.gz (``images/*.jpg``) and annotations.tar.gz (``annotations/{trainval,test}
    .txt`` with ``name class species breed`` lines), as published by the Oxford VGG group."""
    rng = np.random.default_rng(seed)
    images_tgz.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(images_tgz, "w:gz") as images, \
            tarfile.open(annotations_tgz, "w:gz") as annotations:
        n = 0
        for split, count in per_breed:
            lines = []  # (the "#Image CLASS-ID ..." header is in list.txt only)
            for breed, class_id, species, breed_id in BREEDS:
                for _ in range(count):
                    n += 1
                    name = f"{breed}_{n}"
                    _add(images, f"images/{name}.jpg", _pet_image(rng, species))
                    lines.append(f"{name} {class_id} {species} {breed_id}")
            _add(annotations, f"annotations/{split}.txt", ("\n".join(lines) + "\n").encode())


CIFAR_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck"]


def cifar_batches(seed: int = 0) -> dict[str, dict]:
    """CIFAR-10's python batches (str keys, uint8 rows of 3072 = 3x32x32), holding the
    1,797 scikit-learn digits upsampled to 32x32 and grey in all three channels."""
    import torch
    import torch.nn.functional as F
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = torch.tensor(bunch.images, dtype=torch.float32).unsqueeze(1)
    x = F.interpolate(x, size=(32, 32), mode="bilinear", align_corners=False)
    x = (x / 16 * 255).clamp(0, 255).round().to(torch.uint8).repeat(1, 3, 1, 1)
    rows = x.reshape(len(x), -1).numpy()
    order = np.random.default_rng(seed).permutation(len(rows))
    test_idx, train_idx = order[:360], order[360:]
    batches = {}
    for k, part in enumerate(np.array_split(train_idx, 5), 1):
        batches[f"data_batch_{k}"] = {"batch_label": f"training batch {k} of 5",
                                      "labels": bunch.target[part].tolist(), "data": rows[part],
                                      "filenames": [f"digit_{i}.png" for i in part]}
    batches["test_batch"] = {"batch_label": "testing batch 1 of 1",
                             "labels": bunch.target[test_idx].tolist(), "data": rows[test_idx],
                             "filenames": [f"digit_{i}.png" for i in test_idx]}
    batches["batches.meta"] = {"label_names": CIFAR_NAMES, "num_cases_per_batch": 288,
                               "num_vis": 3072}
    return batches


def write_cifar_archive(path: Path) -> dict[str, str]:
    """cifar-10-python.tar.gz; returns the md5 of each member (torchvision checks them)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    md5s = {}
    with tarfile.open(path, "w:gz") as tar:
        for name, content in cifar_batches().items():
            data = pickle.dumps(content, protocol=2)
            md5s[name] = hashlib.md5(data).hexdigest()
            _add(tar, f"cifar-10-batches-py/{name}", data)
        _add(tar, "cifar-10-batches-py/readme.html", b"<html>test fake</html>")
    return md5s


GROUND_TRUTH_FILES = {"amazon": "amazonReviewSnippets_GroundTruth.txt",
                      "movie": "movieReviewSnippets_GroundTruth.txt",
                      "tweets": "tweets_GroundTruth.txt",
                      "nyt": "nytEditorialSnippets_GroundTruth.txt"}


def vader_rows(seed: int = 0, *, reviews: int = 100, per_review: int = 8,
               snippets: int = 420) -> dict[str, list[tuple[str, float, str]]]:
    """Rated sentences: Amazon ones with ``review_sentence`` ids, the other corpora numbered."""
    rng = random.Random(seed)

    def rated(cls: int) -> tuple[float, str]:
        rating = {0: rng.uniform(-3.5, -1.0), 1: rng.uniform(-0.4, 0.4),
                  2: rng.uniform(1.0, 3.5)}[cls]
        return round(rating, 1), review_text(rng, cls)

    rows: dict[str, list[tuple[str, float, str]]] = {"amazon": []}
    for r in range(1, reviews + 1):
        for s in range(1, per_review + 1):
            rows["amazon"].append((f"{r}_{s}", *rated(rng.randrange(3))))
    for corpus in ("movie", "tweets", "nyt"):
        rows[corpus] = [(str(i), *rated(rng.randrange(3))) for i in range(1, snippets + 1)]
    return rows


def write_vader_sdist(path: Path, rows=None) -> Path:
    """vaderSentiment-3.3.2.tar.gz with the nested hutto_ICWSM_2014.tar.gz."""
    rows = rows or vader_rows()
    inner = io.BytesIO()
    with tarfile.open(fileobj=inner, mode="w:gz") as tar:
        for corpus, fname in GROUND_TRUTH_FILES.items():
            text = "".join(f"{sid}\t{rating}\t{t}\r\n" for sid, rating, t in rows[corpus])
            _add(tar, f"hutto_ICWSM_2014/{fname}", text.encode("utf-8"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        _add(tar, "vaderSentiment-3.3.2/PKG-INFO", b"Name: vaderSentiment\nVersion: 3.3.2\n")
        _add(tar, "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz",
             inner.getvalue())
    return path


# ---------------------------------------------------------------------------- the whole mirror
@dataclass
class FakeMirror:
    files: Path  # $COURSE_MIRROR
    hub: Path  # $COURSE_HF_MIRROR
    sums: dict[str, str] = field(default_factory=dict)  # asset name -> sha256 of the fake
    cifar_md5: dict[str, str] = field(default_factory=dict)  # member -> md5
    ipython_dir: Path | None = None

    def env(self) -> dict[str, str]:
        """What a notebook kernel needs to use the mirror (and to accept the fakes)."""
        out = {"COURSE_MIRROR": str(self.files), "COURSE_HF_MIRROR": str(self.hub),
               "COURSE_FORCE_OFFLINE": "1",  # the hub probe fails fast: nothing goes online
               "MPLBACKEND": "Agg"}
        if self.ipython_dir is not None:
            out["IPYTHONDIR"] = str(self.ipython_dir)
            out[SUMS_ENV] = str(self.ipython_dir / "fake_sums.json")
        return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def repo_folder(hub: Path, repo_id: str) -> Path:
    return hub / repo_id.replace("/", "__")


def build_mirror(base: Path, *, parts=("resnet", "pets", "cifar", "vader", "hub")) -> FakeMirror:
    """Build the fakes named in ``parts`` under ``base``; return where they are."""
    from course_utils import full_assets
    from course_utils import offline_assets as oa

    mirror = FakeMirror(files=base / "file-mirror", hub=base / "hub-mirror")
    mirror.files.mkdir(parents=True, exist_ok=True)
    mirror.hub.mkdir(parents=True, exist_ok=True)

    def at(asset) -> Path:
        return mirror.files / asset.subdir / asset.filename

    if "resnet" in parts:
        mirror.sums[full_assets.RESNET18.name] = _sha256(write_resnet18(at(full_assets.RESNET18)))
    if "pets" in parts:
        images, annotations = at(full_assets.PETS_IMAGES), at(full_assets.PETS_ANNOTATIONS)
        write_pets_archives(images, annotations)
        mirror.sums[full_assets.PETS_IMAGES.name] = _sha256(images)
        mirror.sums[full_assets.PETS_ANNOTATIONS.name] = _sha256(annotations)
    if "cifar" in parts:
        mirror.cifar_md5 = write_cifar_archive(at(full_assets.CIFAR10))
        mirror.sums[full_assets.CIFAR10.name] = _sha256(at(full_assets.CIFAR10))
    if "vader" in parts:
        mirror.sums[oa.VADER_SDIST.name] = _sha256(write_vader_sdist(at(oa.VADER_SDIST)))
    if "hub" in parts:
        write_compact_bert(repo_folder(mirror.hub, COMPACT_REPO))
        write_wikitext(repo_folder(mirror.hub, WIKITEXT_REPO))
        write_setfit_reviews(repo_folder(mirror.hub, REVIEWS_REPO))
    return mirror


STARTUP = '''"""Test fake mirror: accept the fakes' checksums (written by tests/fake_mirror.py)."""
import dataclasses
import json
import os

_sums = json.load(open(os.environ["{env}"]))
from course_utils import assets as _assets, full_assets as _full, offline_assets as _oa


def _fake(asset):
    return dataclasses.replace(asset, sha256=_sums["assets"][asset.name], md5=None)


for _module in (_full, _oa):
    for _attr, _value in list(vars(_module).items()):
        if isinstance(_value, _assets.Asset) and _value.name in _sums["assets"]:
            setattr(_module, _attr, _fake(_value))
for _name in _sums["assets"]:
    if _name in _assets.REGISTRY:
        _assets.REGISTRY[_name] = _fake(_assets.REGISTRY[_name])
if "resnet18-imagenet" in _sums["assets"]:
    import course_utils.models.cnn as _cnn
    _cnn.RESNET18 = _full.RESNET18
if _oa.VADER_SDIST.name in _sums["assets"]:
    import course_utils.packbuild.vader as _vader
    _vader.SDIST = _oa.VADER_SDIST
if _sums["cifar_md5"]:
    from torchvision.datasets import CIFAR10 as _C
    _md5 = _sums["cifar_md5"]
    _C.train_list = [[n, _md5[n]] for n, _ in _C.train_list]
    _C.test_list = [[n, _md5[n]] for n, _ in _C.test_list]
    _C.meta = dict(_C.meta, md5=_md5["batches.meta"])
'''


def write_kernel_startup(mirror: FakeMirror, ipython_dir: Path) -> Path:
    """An IPython profile whose startup file accepts the fakes' checksums in the kernel."""
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (ipython_dir / "fake_sums.json").write_text(json.dumps(
        {"assets": mirror.sums, "cifar_md5": mirror.cifar_md5}))
    (startup / "00-fake-mirror-checksums.py").write_text(STARTUP.replace("{env}", SUMS_ENV))
    mirror.ipython_dir = ipython_dir
    return startup
