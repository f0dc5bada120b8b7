"""How long will this take? An ESTIMATE printed before a long step, never a measurement of it.

Two bases, both stated in what is printed:

- ``measured``: a few real training steps (forward + backward, random token ids of the step's
  batch shape) are timed on the learner's own device, after one warm-up step, and scaled to
  the number of steps. The random-number state is restored afterwards, so a seeded notebook
  gives the same results with or without the estimate.
- ``parameters``: the compute of a Transformer training step is about 6 x (weights of the
  Transformer layers) x (tokens) floating-point operations; divided by a CPU rate measured on
  the course's 2-core machines (all-MiniLM-L6-v2 fine-tuning ran at ~35 examples/s at 64 tokens
  with 2 threads). Used when measuring is switched off or fails, and for devices without a
  reference rate it says so instead of guessing.

Both ignore evaluation passes, data loading and optimizer bookkeeping; busy machines are 2-8x
slower. The printed line says "estimate" and gives the basis, so nobody mistakes it for a result.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import torch
from torch import nn

# The reference: all-MiniLM-L6-v2 (6 layers, width 384, feed-forward 1536) fine-tuned at
# ~35 examples/s with 64 tokens per example on 2 CPU threads (COURSE_DESIGN.md, measured).
REFERENCE_EXAMPLES_PER_S = 35.0
REFERENCE_TOKENS = 64
REFERENCE_THREADS = 2
REFERENCE_WEIGHTS = 6 * (4 * (384 * 384 + 384) + 384 * 1536 + 1536 + 1536 * 384 + 384 + 4 * 384)
CPU_FLOPS_PER_THREAD = (6 * REFERENCE_WEIGHTS * REFERENCE_TOKENS * REFERENCE_EXAMPLES_PER_S
                        / REFERENCE_THREADS)


@dataclass(frozen=True)
class Estimate:
    """Seconds expected for a step, and the basis of that number (printed with it)."""

    seconds: float | None
    basis: str

    def describe(self, what: str) -> str:
        if self.seconds is None:
            return f"[course] time estimate for {what}: not available ({self.basis})"
        return (f"[course] ESTIMATE, not a measurement: {what} should take about "
                f"{format_duration(self.seconds)} here ({self.basis}; expect up to 2-3x "
                "either way, more on a busy machine)")


def format_duration(seconds: float) -> str:
    """``"40 s"``, ``"12 min"``, ``"1 h 35 min"`` (rounded; estimates deserve no more digits)."""
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def layer_weights(model: nn.Module) -> int:
    """Parameters outside embedding tables (what costs compute per token)."""
    embedded = {id(m.weight) for m in model.modules() if isinstance(m, nn.Embedding)}
    return sum(p.numel() for p in model.parameters() if id(p) not in embedded)


def _device_of(model: nn.Module) -> torch.device:
    try:
        return next(model.parameters()).device
    except StopIteration:
        return torch.device("cpu")


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _median_step_seconds(model: nn.Module, step_inputs, steps: int) -> float:
    """Median seconds of ``steps`` training steps (forward + backward) on the positional and
    keyword arguments that ``step_inputs(device)`` returns.

    The model stays on its device; its gradients are cleared afterwards and its train/eval mode,
    its buffers (BatchNorm running statistics) and every random-number generator are restored:
    nothing the notebook computes changes. The step is float32 and leaves out the optimiser
    update, so under mixed precision on a GPU the real step can be faster or slower.
    """
    device = _device_of(model)
    was_training = model.training
    buffers = {name: b.detach().clone() for name, b in model.named_buffers()}
    fork_devices = [device] if device.type == "cuda" else []
    times = []
    with torch.random.fork_rng(devices=fork_devices):
        torch.manual_seed(0)
        args, kwargs = step_inputs(device)
        model.train()
        try:
            for i in range(steps + 1):  # the first step warms up (allocation, kernel choice)
                _sync(device)
                start = time.perf_counter()
                out = model(*args, **kwargs)
                logits = out.logits if hasattr(out, "logits") else (
                    out if isinstance(out, torch.Tensor) else out[0])
                logits.float().mean().backward()
                _sync(device)
                if i:
                    times.append(time.perf_counter() - start)
        finally:
            model.zero_grad(set_to_none=True)
            model.train(was_training)
            with torch.no_grad():
                for name, b in model.named_buffers():
                    b.copy_(buffers[name])
    return sorted(times)[len(times) // 2]


def measure_step_seconds(model: nn.Module, *, batch_size: int, seq_len: int,
                         steps: int = 2) -> float:
    """Median seconds of one training step of a text model at this batch shape (random ids)."""
    vocab = int(getattr(getattr(model, "config", None), "vocab_size", 1000) or 1000)

    def inputs(device: torch.device) -> tuple[tuple, dict[str, torch.Tensor]]:
        ids = torch.randint(vocab, (batch_size, seq_len), device=device)
        return (), {"input_ids": ids, "attention_mask": torch.ones_like(ids)}

    return _median_step_seconds(model, inputs, steps)


def measure_image_step_seconds(model: nn.Module, *, batch_size: int, image_size: int,
                               steps: int = 2) -> float:
    """Median seconds of one training step of an image model on random RGB images."""
    def inputs(device: torch.device) -> tuple[tuple, dict[str, torch.Tensor]]:
        return (torch.randn(batch_size, 3, image_size, image_size, device=device),), {}

    return _median_step_seconds(model, inputs, steps)


def estimate_training(model: nn.Module, *, examples: int, seq_len: int, batch_size: int = 16,
                      epochs: int = 1, runs: int = 1, measure: bool = True) -> Estimate:
    """Expected seconds of ``runs`` trainings of ``epochs`` passes over ``examples`` examples."""
    steps = runs * epochs * math.ceil(examples / batch_size)
    device = _device_of(model)
    if measure:
        try:
            per_step = measure_step_seconds(model, batch_size=batch_size, seq_len=seq_len)
            return Estimate(per_step * steps,
                            f"measured: {per_step:.2f} s per step of {batch_size} x {seq_len} "
                            f"tokens on this {device.type.upper()}, x {steps:,} steps")
        except Exception as exc:  # noqa: BLE001 - an estimate must never stop the lesson
            reason = f"measuring failed ({type(exc).__name__}); "
    else:
        reason = ""
    if device.type != "cpu":
        return Estimate(None, reason + f"no reference rate for a {device.type} device")
    threads = torch.get_num_threads()
    flops = 6 * layer_weights(model) * seq_len * batch_size * steps
    return Estimate(flops / (CPU_FLOPS_PER_THREAD * threads),
                    reason + f"from {layer_weights(model) / 1e6:.1f} M layer weights and a CPU "
                    f"rate measured on the course's machines, {threads} thread(s)")


def print_time_estimate(what: str, model: nn.Module, **kwargs) -> Estimate:
    """Print (and return) :func:`estimate_training` for ``model``: call it before a long step."""
    estimate = estimate_training(model, **kwargs)
    print(estimate.describe(what))
    return estimate


def print_image_time_estimate(what: str, model: nn.Module, *, examples: int, image_size: int,
                              batch_size: int = 16, epochs: int = 1, runs: int = 1) -> Estimate:
    """Print (and return) the expected seconds of training an image model: a few real steps on
    random images of the step's shape, timed on the learner's device and scaled (no fallback
    rule: when measuring fails the printed line says so)."""
    steps = runs * epochs * math.ceil(examples / batch_size)
    device = _device_of(model)
    try:
        per_step = measure_image_step_seconds(model, batch_size=batch_size, image_size=image_size)
        estimate = Estimate(per_step * steps,
                            f"measured: {per_step:.2f} s per step of {batch_size} images of "
                            f"{image_size} px on this {device.type.upper()}, x {steps:,} steps")
    except Exception as exc:  # noqa: BLE001 - an estimate must never stop the lesson
        estimate = Estimate(None, f"measuring failed ({type(exc).__name__})")
    print(estimate.describe(what))
    return estimate
