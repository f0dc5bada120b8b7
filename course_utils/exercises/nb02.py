"""Checks for the exercises of notebook 02 (cats vs dogs transfer learning).

Each check prints what is wrong (or "not attempted yet") and returns None, so a notebook cell
ending with a check echoes nothing else; with ``strict=True`` (used by the solution cells) a
wrong answer raises instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import nn

from ..checks import NotAttempted, check, require_attempt


def check_three_class_head(model3: Any, head_attr: str, in_features: int,
                           original: nn.Module | None = None, *, strict: bool = False) -> None:
    """Exercise 1: ``model3`` is a copy of the network whose head gives 3 class scores."""

    def test() -> None:
        require_attempt(model3)
        assert isinstance(model3, nn.Module), (
            f"model3 is a {type(model3).__name__}; it should be the network (an nn.Module)."
        )
        assert original is None or model3 is not original, (
            "model3 is the lesson's model itself: `model3 = model` only gives it a second name, "
            "so replacing its head would also change the 2-class model. Use copy.deepcopy(model)."
        )
        head = getattr(model3, head_attr, None)
        require_attempt(head)
        assert isinstance(head, nn.Linear), (
            f"model3.{head_attr} is a {type(head).__name__}; replace it with an nn.Linear layer."
        )
        assert head.in_features == in_features, (
            f"the new head takes {head.in_features} inputs but the backbone produces "
            f"{in_features} features: use in_features={in_features} (read it from the old head)."
        )
        assert head.out_features == 3, (
            f"the new head has {head.out_features} outputs; a 3-class problem needs one score "
            "per class, so out_features=3."
        )
        was_training = model3.training
        model3.eval()
        try:
            with torch.no_grad():
                device = next(model3.parameters()).device
                out = model3(torch.zeros(2, 3, 64, 64, device=device))
        except RuntimeError as exc:
            raise AssertionError(
                f"model3 fails on a batch of images ({str(exc).splitlines()[0]}). Is the new "
                "head on the same device as the rest of the network?"
            ) from None
        finally:
            model3.train(was_training)
        assert tuple(out.shape) == (2, 3), (
            f"a batch of 2 images gives outputs of shape {tuple(out.shape)}, expected (2, 3)."
        )

    check("Exercise 1 (a head for 3 classes)", test, strict=strict)


BN_ANSWERS = ("yes", "no")


def check_freeze_except(freeze_except: Callable[[nn.Module, Iterable[nn.Module]], None] | Any,
                        bn_stats_change: str | Any, *, strict: bool = False) -> None:
    """Exercise 2: ``freeze_except(model, keep)`` leaves exactly ``keep``'s parameters trainable;
    ``bn_stats_change`` answers whether BatchNorm running statistics of frozen layers still move
    in ``model.train()`` mode ("yes" / "no")."""

    def test() -> None:
        require_attempt(freeze_except, bn_stats_change)
        torch.manual_seed(0)
        net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(),
                            nn.Conv2d(4, 4, 3), nn.BatchNorm2d(4), nn.Flatten(),
                            nn.Linear(4 * 2 * 2, 2))
        for p in net.parameters():  # start from the opposite state: everything frozen
            p.requires_grad = False
        result = freeze_except(net, [net[3], net[4], net[6]])
        if result is Ellipsis:
            raise NotAttempted
        want = {id(p) for m in (net[3], net[4], net[6]) for p in m.parameters()}
        wrongly_frozen = [n for n, p in net.named_parameters()
                          if id(p) in want and not p.requires_grad]
        assert not wrongly_frozen, (
            f"these parameters of the kept modules are still frozen: {wrongly_frozen}. "
            "Set requires_grad = True on every parameter of the modules in `keep` (they may "
            "have been frozen before)."
        )
        for p in net.parameters():  # and from everything trainable
            p.requires_grad = True
        freeze_except(net, [net[6]])
        wrongly_trainable = [n for n, p in net.named_parameters()
                             if p.requires_grad and not n.startswith("6.")]
        assert not wrongly_trainable, (
            f"these parameters should be frozen but still require gradients: "
            f"{wrongly_trainable}. Set requires_grad = False on every parameter first."
        )
        answer = str(bn_stats_change).strip().lower()
        assert answer in BN_ANSWERS, f"BN_STATS_CHANGE should be 'yes' or 'no', got {answer!r}."
        bn = nn.BatchNorm2d(4)
        for p in bn.parameters():
            p.requires_grad = False
        before = bn.running_mean.clone()
        bn.train()
        bn(torch.randn(8, 4, 5, 5) + 3.0)
        moved = not torch.equal(before, bn.running_mean)
        assert (answer == "yes") == moved, (
            "freeze_except is right, but about BatchNorm: running_mean and running_var are "
            "buffers, not parameters. requires_grad does not protect them: in train() mode "
            "every forward pass updates them. That is why the notebook keeps the frozen "
            "backbone in eval() mode."
        )

    check("Exercise 2 (which parameters train)", test, strict=strict)


def check_param_groups(optimizer: Any, head: nn.Module, stage: Iterable[nn.Module],
                       head_lr: float, *, strict: bool = False) -> None:
    """Exercise 3: two parameter groups, the head at ``head_lr`` and the unfrozen stage lower."""
    stage = list(stage)

    def test() -> None:
        require_attempt(optimizer)
        assert isinstance(optimizer, torch.optim.Optimizer), (
            f"OPTIMIZER is a {type(optimizer).__name__}; build a torch.optim optimizer, e.g. "
            "torch.optim.AdamW([{'params': ..., 'lr': ...}, {'params': ..., 'lr': ...}])."
        )
        groups = optimizer.param_groups
        assert len(groups) == 2, (
            f"the optimizer has {len(groups)} parameter group(s); use two: one for the head and "
            "one for the unfrozen stage, each with its own 'lr'."
        )
        head_ids = {id(p) for p in head.parameters()}
        stage_ids = {id(p) for m in stage for p in m.parameters()}

        def kind(group: dict) -> str:
            ids = {id(p) for p in group["params"]}
            if ids == head_ids:
                return "head"
            if ids == stage_ids:
                return "stage"
            return "mixed"

        kinds = [kind(g) for g in groups]
        assert sorted(kinds) == ["head", "stage"], (
            "one group must hold exactly the head's parameters and the other exactly the "
            f"unfrozen stage's parameters (got groups that look like {kinds})."
        )
        lrs = {k: float(g["lr"]) for k, g in zip(kinds, groups, strict=True)}
        assert abs(lrs["head"] - head_lr) <= 1e-12 + 1e-6 * head_lr, (
            f"the head's learning rate is {lrs['head']:g}; keep it at HEAD_LR = {head_lr:g}."
        )
        ratio = lrs["stage"] / lrs["head"]
        assert lrs["stage"] > 0, (
            "a learning rate of 0 for the stage is the same as leaving it frozen: nothing "
            "would be fine-tuned."
        )
        assert ratio < 1, (
            f"the stage's learning rate ({lrs['stage']:g}) is not below the head's "
            f"({lrs['head']:g}). Pretrained layers are already good: big steps wreck what they "
            "learned on ImageNet (the random new head, not them, needs the big steps)."
        )
        assert ratio >= 0.01, (
            f"the stage's learning rate ({lrs['stage']:g}) is {1 / ratio:.0f}x below the head's: "
            "so small it barely moves in a few epochs. 3x to 30x lower is the usual range."
        )

    check("Exercise 3 (parameter groups)", test, strict=strict)


EXACTNESS = {
    "A": True,   # random crops: each epoch sees different pixels, so different features
    "B": True,   # BatchNorm in train mode: features depend on the batch and the stats drift
    "C": False,  # the head's learning rate does not touch the backbone
    "D": False,  # shuffling only reorders cached rows
    "E": False,  # dropout in the head acts after the cache
}
EXACTNESS_WHY = {
    "A": "random crops change the backbone's input every epoch, so one cached feature per image "
         "cannot stand for all of them",
    "B": "in train mode BatchNorm normalises with the current batch's statistics (and updates "
         "its running averages), so the features change from batch to batch",
    "C": "the head's learning rate only changes the head; the backbone's features are the same",
    "D": "shuffling changes the order of the rows, not the features themselves",
    "E": "dropout in the head acts on the cached features each epoch, exactly as it would on "
         "freshly computed ones",
}


def check_cache_breakers(answer: Iterable[str] | str | Any, *, strict: bool = False) -> None:
    """Exercise 4: which changes make training on cached features differ from the naive loop."""

    def test() -> None:
        require_attempt(answer)
        letters = {c.strip().upper() for c in (answer if not isinstance(answer, str)
                                                 else answer.replace(",", " ").split())}
        unknown = letters - set(EXACTNESS)
        assert not unknown, f"unknown option(s) {sorted(unknown)}; choose from A-E."
        missing = [k for k, v in EXACTNESS.items() if v and k not in letters]
        extra = [k for k, v in EXACTNESS.items() if not v and k in letters]
        msgs = [f"{k} does break it: {EXACTNESS_WHY[k]}" for k in missing]
        msgs += [f"{k} does not: {EXACTNESS_WHY[k]}" for k in extra]
        assert not msgs, "; ".join(msgs) + "."

    check("Exercise 4 (when is caching exact?)", test, strict=strict)
