"""Notebook 02's exercise checks: placeholders, typical wrong answers and the right answers."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from course_utils.exercises import nb02


class TinyNet(nn.Module):
    """Stands in for the CNN: a conv body, pooling and a head attribute called ``fc``."""

    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU())
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc(self.pool(self.body(x)).flatten(1))


def test_three_class_head(capsys):
    net = TinyNet()
    nb02.check_three_class_head(..., "fc", 8, original=net)
    assert "not attempted" in capsys.readouterr().out
    nb02.check_three_class_head(net, "fc", 8, original=net)
    assert "deepcopy" in capsys.readouterr().out
    wrong = copy.deepcopy(net)
    wrong.fc = nn.Linear(8, 2)
    nb02.check_three_class_head(wrong, "fc", 8, original=net)
    assert "out_features=3" in capsys.readouterr().out
    wrong.fc = nn.Linear(16, 3)
    nb02.check_three_class_head(wrong, "fc", 8, original=net)
    assert "in_features=8" in capsys.readouterr().out
    right = copy.deepcopy(net)
    right.fc = nn.Linear(8, 3)
    nb02.check_three_class_head(right, "fc", 8, original=net, strict=True)
    assert "correct" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        nb02.check_three_class_head(wrong, "fc", 8, strict=True)


def _freeze_right(model, keep):
    for p in model.parameters():
        p.requires_grad = False
    for m in keep:
        for p in m.parameters():
            p.requires_grad = True


def _freeze_forgets_to_freeze(model, keep):
    for m in keep:
        for p in m.parameters():
            p.requires_grad = True


def test_freeze_except(capsys):
    nb02.check_freeze_except(lambda model, keep: ..., "yes")
    assert "not attempted" in capsys.readouterr().out
    nb02.check_freeze_except(_freeze_forgets_to_freeze, "yes")
    assert "should be frozen" in capsys.readouterr().out
    nb02.check_freeze_except(_freeze_right, "no")
    assert "buffers" in capsys.readouterr().out
    nb02.check_freeze_except(_freeze_right, "yes", strict=True)


def test_param_groups(capsys):
    net = TinyNet()
    stage = [net.body]
    stage_params = [p for m in stage for p in m.parameters()]

    def opt(head_lr, stage_lr):
        return torch.optim.AdamW([{"params": net.fc.parameters(), "lr": head_lr},
                                  {"params": stage_params, "lr": stage_lr}])

    nb02.check_param_groups(..., net.fc, stage, 1e-3)
    assert "not attempted" in capsys.readouterr().out
    nb02.check_param_groups(torch.optim.AdamW(net.parameters(), lr=1e-3), net.fc, stage, 1e-3)
    assert "two" in capsys.readouterr().out
    nb02.check_param_groups(opt(1e-3, 1e-2), net.fc, stage, 1e-3)
    assert "wreck" in capsys.readouterr().out
    nb02.check_param_groups(opt(1e-3, 0.0), net.fc, stage, 1e-3)
    assert "frozen" in capsys.readouterr().out
    nb02.check_param_groups(opt(1e-3, 1e-6), net.fc, stage, 1e-3)
    assert "barely moves" in capsys.readouterr().out
    nb02.check_param_groups(opt(1e-3, 1e-4), net.fc, stage, 1e-3, strict=True)


def test_cache_breakers(capsys):
    nb02.check_cache_breakers(...)
    assert "not attempted" in capsys.readouterr().out
    nb02.check_cache_breakers({"A"})
    assert "B does break it" in capsys.readouterr().out
    nb02.check_cache_breakers("A, B, E")
    assert "E does not" in capsys.readouterr().out
    nb02.check_cache_breakers(["b", "a"], strict=True)
