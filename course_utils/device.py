"""Pick the compute device (CUDA, Apple MPS, CPU) and a sensible CPU thread count."""

from __future__ import annotations

import contextlib
import os

import torch


def choose_device(prefer: str | None = None) -> torch.device:
    """CUDA if available, else Apple MPS, else CPU; ``prefer`` or $COURSE_DEVICE forces one."""
    prefer = prefer or os.environ.get("COURSE_DEVICE")
    if prefer:
        prefer = prefer.lower()
        if prefer == "cuda" and not torch.cuda.is_available():
            raise RuntimeError("COURSE_DEVICE=cuda but no CUDA GPU is visible; use 'cpu' instead.")
        if prefer == "mps" and not _mps_available():
            raise RuntimeError("COURSE_DEVICE=mps but Apple MPS is not available; use 'cpu'.")
        if prefer not in ("cuda", "mps", "cpu"):
            raise ValueError(f"Unknown device {prefer!r}; choose one of: cuda, mps, cpu.")
        return torch.device(prefer)
    if torch.cuda.is_available():
        return torch.device("cuda")
    if _mps_available():
        return torch.device("mps")
    return torch.device("cpu")


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def set_threads(n: int | None = None) -> int:
    """Set torch's CPU thread count (default: $COURSE_THREADS, else all cores, at most 8)."""
    if n is None:
        env = os.environ.get("COURSE_THREADS")
        n = int(env) if env else min(os.cpu_count() or 1, 8)
    if n < 1:
        raise ValueError(f"Thread count must be at least 1, got {n}.")
    torch.set_num_threads(n)
    return n


def describe_device(device: torch.device) -> str:
    """One human line about the device (GPU name, or CPU with its thread count)."""
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "mps (Apple GPU)"
    return f"cpu ({torch.get_num_threads()} threads)"


class MixedPrecision:
    """Automatic mixed precision for one training run, where it is safe and pays: on a CUDA GPU,
    matrix products in bfloat16 (or float16 with loss scaling on GPUs without bfloat16, such as
    Colab's T4). On a CPU or an Apple GPU it changes nothing, so one training loop runs anywhere:

        with amp.autocast():
            loss = ...
        amp.scaler.scale(loss).backward()   # a plain backward() unless float16 needs scaling
        amp.scaler.step(optimizer)          # a plain optimizer.step() in that case too
        amp.scaler.update()
    """

    def __init__(self, device: torch.device, *, enabled: bool = True) -> None:
        self.device = torch.device(device)
        self.enabled = bool(enabled) and self.device.type == "cuda"
        bf16 = self.enabled and _native_bf16()
        self.dtype = torch.bfloat16 if bf16 else (torch.float16 if self.enabled else torch.float32)
        self.loss_scaling = self.dtype == torch.float16  # float16 gradients underflow otherwise
        self.scaler = _grad_scaler(enabled=self.loss_scaling)

    def autocast(self):
        """The context to run the forward pass and the loss in (a no-op when disabled)."""
        if not self.enabled:
            return contextlib.nullcontext()
        return torch.autocast(device_type="cuda", dtype=self.dtype)

    def describe(self) -> str:
        """One line for the notebook: which precision training uses here."""
        if not self.enabled:
            return f"float32 training on the {self.device.type.upper()} (mixed precision: GPU only)"
        scaling = " with loss scaling" if self.loss_scaling else ""
        return f"mixed precision on the GPU: {str(self.dtype).removeprefix('torch.')}{scaling}"


def _native_bf16() -> bool:
    """True when the GPU computes in bfloat16 natively (older torch lacks the emulation flag)."""
    try:
        return bool(torch.cuda.is_bf16_supported(including_emulation=False))
    except TypeError:
        return bool(torch.cuda.is_bf16_supported())


def _grad_scaler(*, enabled: bool):
    """A CUDA loss scaler; ``torch.amp.GradScaler`` only exists from torch 2.3 (floor is 2.2)."""
    if hasattr(torch.amp, "GradScaler"):
        return torch.amp.GradScaler("cuda", enabled=enabled)
    return torch.cuda.amp.GradScaler(enabled=enabled)
