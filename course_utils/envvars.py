"""Every ``COURSE_*`` environment variable (and the hub variables the course sets), in one place.

The notebooks, the scripts, the test suite and the workshop hub read this table, so a variable
is documented once, and the test suite can start each run with none of them inherited.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EnvVar:
    """One environment variable: its name, what it does, its default and who sets it."""

    name: str
    meaning: str
    default: str
    set_by: str = "learner"  # learner | instructor | tests | course (set by setup())


REGISTRY: tuple[EnvVar, ...] = (
    EnvVar("COURSE_PROFILE", "asset profile: auto, full or offline", "auto"),
    EnvVar("COURSE_QUICK", "1 = the small test budget in every notebook", "0", "tests"),
    EnvVar("COURSE_CACHE", "writable per-person cache (features, checkpoints, predictions)",
           "~/.cache/transfer-learning-course"),
    EnvVar("COURSE_ASSETS", "read-only asset layer searched before the cache (a workshop's "
           "shared pack and prefetched full assets); never written to", "(none)", "instructor"),
    EnvVar("COURSE_THREADS", "torch threads per kernel", "min(4, cores)"),
    EnvVar("COURSE_MEMORY_SAVER", "1 = large tensors freed in a training loop go back to the OS "
           "at once (glibc mmap threshold 8 MiB): about 0.5 GB less peak memory in notebook 03, "
           "training loops up to a third slower; set by Binder and the workshop hub", "0",
           "instructor"),
    EnvVar("COURSE_DEVICE", "force a device: cpu, cuda or mps", "best available"),
    EnvVar("COURSE_FORCE_OFFLINE", "1 = behave as if the hubs were unreachable", "0", "tests"),
    EnvVar("COURSE_MIRROR", "base URL or folder that replaces each asset's download URL", "(none)",
           "instructor"),
    EnvVar("COURSE_HF_MIRROR", "folder of hub repositories used instead of the Hugging Face hub",
           "(none)", "instructor"),
    EnvVar("COURSE_BERT_MODEL", "text encoder (hub id or folder) for notebooks 03, 04 and 06; "
           "overrides the course's choice", "full: bert-base-uncased on a GPU, BERT-Mini on a "
           "CPU; offline: all-MiniLM-L6-v2"),
    EnvVar("COURSE_SENTIMENT_DATASET", "hub dataset for notebook 04's full profile",
           "(registry default)"),
    EnvVar("COURSE_SENTIMENT_LABELS", "how that dataset's labels map to 3 classes",
           "(registry default)"),
    EnvVar("HF_HUB_OFFLINE", "set by setup(): 1 when offline so nothing waits on hub retries",
           "(unset)", "course"),
    EnvVar("TRANSFORMERS_OFFLINE", "set by setup() together with HF_HUB_OFFLINE", "(unset)",
           "course"),
    EnvVar("HF_DATASETS_OFFLINE", "set by setup() together with HF_HUB_OFFLINE", "(unset)",
           "course"),
)

NAMES: tuple[str, ...] = tuple(v.name for v in REGISTRY)


def describe() -> str:
    """A plain-text table of the variables (for `course doctor` and the docs)."""
    width = max(len(v.name) for v in REGISTRY)
    return "\n".join(f"{v.name:<{width}}  {v.meaning} [default: {v.default}]" for v in REGISTRY)
