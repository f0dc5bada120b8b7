"""Checks for notebook 01 (ResNet skip connections). Each says what is wrong, never just "no"."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..checks import NotAttempted, check, require_attempt

GRADIENT_CHOICES = ("vanish", "explode", "flat")
# A first/last gradient-norm ratio beyond this factor (either way) counts as a steep profile.
STEEP_FACTOR = 30.0


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def check_projection_shortcut(
    make_shortcut: Callable[[int, int, int], nn.Module], *, strict: bool = False
) -> None:
    """Exercise 2: ``make_shortcut(in_ch, out_ch, stride)`` must be a 1x1 strided conv + BN."""

    def test() -> None:
        require_attempt(make_shortcut)
        torch.manual_seed(0)
        module = make_shortcut(16, 32, 2)
        require_attempt(module)
        assert isinstance(module, nn.Module), (
            f"make_shortcut returned a {type(module).__name__}; return an nn.Module "
            "(for example nn.Sequential(conv, bn))."
        )
        x = torch.randn(2, 16, 8, 8)
        out = module(x)
        assert out.shape[1] == 32, (
            f"the shortcut outputs {out.shape[1]} channels for out_channels=32: the projection "
            "must map in_channels to out_channels so it can be added to the residual branch."
        )
        assert tuple(out.shape[2:]) == (4, 4), (
            f"an 8x8 input with stride=2 gave a {out.shape[2]}x{out.shape[3]} output, not 4x4: "
            "pass the stride to the convolution so the shortcut downsamples like the branch."
        )
        convs = [m for m in module.modules() if isinstance(m, nn.Conv2d)]
        assert len(convs) == 1, f"use exactly one Conv2d in the projection, found {len(convs)}."
        conv = convs[0]
        assert conv.kernel_size == (1, 1), (
            f"the projection conv has kernel {conv.kernel_size}; the paper's option B uses a 1x1 "
            "conv: it only mixes channels, and a 3x3 would cost 9x the parameters."
        )
        assert conv.padding in ((0, 0), 0), (
            f"a 1x1 conv needs no padding (got padding={conv.padding}); padding changes the "
            "output size."
        )
        assert conv.bias is None, (
            "the conv has a bias: use bias=False, the BatchNorm after it has its own shift."
        )
        assert any(isinstance(m, nn.BatchNorm2d) for m in module.modules()), (
            "add nn.BatchNorm2d(out_channels) after the conv, as on the residual branch, so the "
            "two paths being added have comparable scales."
        )
        want = 16 * 32 + 2 * 32
        assert _count(module) == want, (
            f"the shortcut has {_count(module)} parameters; a 1x1 conv 16->32 without bias plus "
            f"BatchNorm(32) has {want}."
        )
        same = make_shortcut(32, 32, 1)(torch.randn(2, 32, 8, 8))
        assert tuple(same.shape) == (2, 32, 8, 8), (
            "make_shortcut(32, 32, 1) should keep the shape (2, 32, 8, 8), got "
            f"{tuple(same.shape)}."
        )

    check("Exercise 2 (projection shortcut)", test, strict=strict)


def gradient_profile(ratio_first_over_last: float) -> str:
    """Name a gradient profile from the ratio of the first conv's gradient norm to the last's."""
    if not ratio_first_over_last > 1.0 / STEEP_FACTOR:  # also catches 0 and NaN
        return "vanish"
    if ratio_first_over_last > STEEP_FACTOR:
        return "explode"
    return "flat"


def check_gradient_prediction(
    prediction: Mapping[str, str],
    measure: Callable[[str], float],
    *,
    strict: bool = False,
) -> None:
    """Exercise 4: compare predicted profiles with ``measure(key)`` (first/last gradient ratio).

    ``prediction`` maps each net in ``measure``'s vocabulary (``plain56_bn``, ``residual56_bn``,
    ``plain56_no_bn``, ``residual56_no_bn``) to "vanish", "explode" or "flat".
    """
    keys = ("plain56_bn", "residual56_bn", "plain56_no_bn", "residual56_no_bn")

    def test() -> None:
        require_attempt(prediction)
        missing = [k for k in keys if k not in prediction]
        assert not missing, f"the prediction dict lacks the key(s) {missing}."
        require_attempt(*(prediction[k] for k in keys))
        for key in keys:
            answer = str(prediction[key]).strip().lower()
            assert answer in GRADIENT_CHOICES, (
                f"prediction[{key!r}] is {prediction[key]!r}; choose one of {GRADIENT_CHOICES}."
            )
        wrong = []
        for key in keys:
            ratio = float(measure(key))
            truth = gradient_profile(ratio)
            if str(prediction[key]).strip().lower() != truth:
                wrong.append(f"{key}: you said {prediction[key]!r}, but the first conv's gradient "
                             f"is {ratio:.2g}x the last conv's, which is {truth!r}")
        assert not wrong, "; ".join(wrong) + (
            f". ('explode' means the first layer's gradient is over {STEEP_FACTOR:g}x the last "
            f"layer's, 'vanish' under 1/{STEEP_FACTOR:g}, 'flat' in between.) Look at the plot "
            "again: which way does each curve slope from the output back to the input?"
        )

    check("Exercise 4 (predict the gradient plot)", test, strict=strict)


WHY_OPTIONS = {
    "A": "wrong: overfitting would give a LOWER training loss and a worse validation score; "
         "here the training loss itself is higher, so the optimiser is what struggles.",
    "B": "",
    "C": "wrong: the identity path has no parameters, so removing it leaves the parameter count "
         "unchanged (compare the counts printed by the check).",
}


def check_no_identity_block(
    block_cls: type[nn.Module] | None,
    reference_cls: type[nn.Module],
    why: str | None,
    *,
    strict: bool = False,
) -> None:
    """Exercise 5: ``block_cls`` is the residual block without its identity path; ``why`` is B.

    The block must keep ``reference_cls``'s layers (conv1, bn1, conv2, bn2) and return
    relu(bn2(conv2(relu(bn1(conv1(x)))))) with no shortcut added.
    """

    def test() -> None:
        require_attempt(block_cls, why)
        torch.manual_seed(0)
        block = block_cls(8, 8, 1)
        ref = reference_cls(8, 8, 1)
        for name in ("conv1", "bn1", "conv2", "bn2"):
            assert hasattr(block, name), (
                f"the block has no attribute {name!r}: subclass the notebook's ResidualBlock and "
                "only override forward()."
            )
        assert _count(block) == _count(ref), (
            f"your block has {_count(block)} parameters, the residual block {_count(ref)}: "
            "removing the identity path should not add or remove any layer."
        )
        block.eval()
        x = torch.randn(4, 8, 6, 6)
        with torch.no_grad():
            got = block(x)
            if got is Ellipsis or got is None:
                raise NotAttempted
            branch = block.bn2(block.conv2(F.relu(block.bn1(block.conv1(x)))))
            with_skip = F.relu(branch + x)
            without_skip = F.relu(branch)
        assert isinstance(got, torch.Tensor) and got.shape == x.shape, (
            f"forward() should return a tensor of shape {tuple(x.shape)}."
        )
        assert not torch.allclose(got, with_skip, atol=1e-5), (
            "your forward() still adds the input x: remove the `+ shortcut(x)` term."
        )
        assert torch.allclose(got, without_skip, atol=1e-5), (
            "forward() should compute relu(bn2(conv2(relu(bn1(conv1(x)))))), the residual "
            "branch with its final ReLU but without the shortcut."
        )
        key = str(why).strip().upper()[:1]
        assert key in WHY_OPTIONS, f"WHY should be 'A', 'B' or 'C', got {why!r}."
        assert not WHY_OPTIONS[key], f"the block is right, but explanation {key} is " + \
            WHY_OPTIONS[key]

    check("Exercise 5 (remove the identity path)", test, strict=strict)


def check_bottleneck_params(
    bottleneck_params: int | None, basic_params: int | None, *, strict: bool = False
) -> None:
    """Exercise 3: conv weights of a 256->64->256 bottleneck and of a basic block at 256 wide."""
    want_bottleneck = 256 * 64 + 64 * 64 * 9 + 64 * 256
    want_basic = 2 * 256 * 256 * 9
    bn_bottleneck = 2 * (64 + 64 + 256)
    bn_basic = 2 * (256 + 256)

    def test() -> None:
        require_attempt(bottleneck_params, basic_params)
        got_b, got_s = int(bottleneck_params), int(basic_params)
        if got_b == want_bottleneck + bn_bottleneck:
            got_b -= bn_bottleneck  # counting the BatchNorm weights too is fine
        if got_s == want_basic + bn_basic:
            got_s -= bn_basic
        assert got_b == want_bottleneck, (
            f"bottleneck: you said {bottleneck_params:,}. Count weights = in x out x k x k for "
            "each conv: 1x1 256->64, 3x3 64->64, 1x1 64->256 (no biases)."
            + (" It looks like you used 3x3 for all three convs." if got_b == 256 * 64 * 9 * 2
               + 64 * 64 * 9 else "")
        )
        assert got_s == want_basic, (
            f"basic block: you said {basic_params:,}. Two 3x3 convs 256->256: 2 x 256 x 256 x 9."
        )

    check("Exercise 3 (bottleneck parameter count)", test, strict=strict)


def _residual_mistake(block: nn.Module, x: torch.Tensor, got: torch.Tensor) -> str:
    """Name the typical mistake whose output matches ``got``, or '' when none does."""
    h = F.relu(block.bn1(block.conv1(x)))
    branch = block.bn2(block.conv2(h))
    candidates = {
        "the output has no `+ x`: add the block's input to the branch before the last ReLU.":
            F.relu(branch),
        "the last ReLU is missing: return relu(F(x) + x), not F(x) + x.":
            branch + x,
        "the ReLU comes before the addition: relu(F(x)) + x can only grow; add x first, then "
        "apply the ReLU to the sum.":
            F.relu(branch) + x,
        "x is added before bn2: the sum is bn2(conv2(h)) + x, so add x after the second "
        "BatchNorm.":
            F.relu(block.bn2(block.conv2(h) + x)),
        "x is added to the first layer's output instead of the branch's end: compute the "
        "whole branch bn2(conv2(relu(bn1(conv1(x))))) first.":
            F.relu(block.bn2(block.conv2(h + x))),
        "the branch is added twice or x is doubled: the block adds its input exactly once.":
            F.relu(branch + 2 * x),
    }
    for hint, candidate in candidates.items():
        if candidate.shape == got.shape and torch.allclose(got, candidate, atol=1e-5):
            return hint
    return ""


def check_residual_block(block_cls: type[nn.Module] | None, *, strict: bool = False) -> None:
    """Exercise 1: ``block_cls(ch, ch)`` keeps PlainBlock's layers; forward = relu(F(x) + x).

    F(x) = bn2(conv2(relu(bn1(conv1(x))))). Checked in eval mode (fixed BN statistics) on
    random inputs, and on a block whose branch is switched off (it must then pass relu(x)).
    """

    def test() -> None:
        require_attempt(block_cls)
        torch.manual_seed(0)
        block = block_cls(8, 8)
        for name in ("conv1", "bn1", "conv2", "bn2"):
            assert hasattr(block, name), (
                f"the block has no attribute {name!r}: subclass PlainBlock and only write "
                "forward(), so the layers are the ones PlainBlock creates."
            )
        block.eval()
        x = torch.randn(4, 8, 6, 6)
        with torch.no_grad():
            for bn in (block.bn1, block.bn2):  # non-trivial statistics, so BN errors show up
                if isinstance(bn, nn.BatchNorm2d):
                    bn.running_mean.uniform_(-0.5, 0.5)
                    bn.running_var.uniform_(0.5, 2.0)
                    bn.weight.uniform_(0.5, 1.5)
                    bn.bias.uniform_(-0.3, 0.3)
            got = block(x)
            if got is Ellipsis or got is None:
                raise NotAttempted
            assert isinstance(got, torch.Tensor) and got.shape == x.shape, (
                f"forward() should return a tensor of the input's shape {tuple(x.shape)}, got "
                f"{type(got).__name__}"
                f"{'' if not isinstance(got, torch.Tensor) else tuple(got.shape)}."
            )
            want = F.relu(block.bn2(block.conv2(F.relu(block.bn1(block.conv1(x))))) + x)
            if not torch.allclose(got, want, atol=1e-5):
                hint = _residual_mistake(block, x, got)
                raise AssertionError(hint or (
                    "forward(x) should return relu(F(x) + x) with F(x) = "
                    "bn2(conv2(relu(bn1(conv1(x))))); compare your code with the formula above."))
            if isinstance(block.bn2, nn.BatchNorm2d):  # branch off: the block is relu(x)
                block.bn2.weight.zero_()
                block.bn2.bias.zero_()
                assert torch.allclose(block(x), F.relu(x), atol=1e-6), (
                    "with the branch's last BatchNorm scale set to 0 the block should return "
                    "relu(x): the shortcut must carry x unchanged."
                )

    check("Exercise 1 (write the residual block)", test, strict=strict)
