"""The network probe answers fast, and setup() falls back to offline without hanging."""

from __future__ import annotations

import os
import socket
import time

import pytest
import torch

from course_utils import network, setup
from course_utils.device import choose_device, set_threads


def test_probe_true_for_a_listening_local_port():
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        port = srv.getsockname()[1]
        assert network.hubs_reachable((("127.0.0.1", port),), timeout=2.0)


def test_probe_false_for_a_closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound but not listening: connection refused
        assert not network.hubs_reachable((("127.0.0.1", port),), timeout=2.0)


def test_probe_never_waits_past_its_timeout(monkeypatch):
    monkeypatch.setattr(network, "_can_connect", lambda h, p, t: time.sleep(5) or True)
    t0 = time.monotonic()
    assert network.hubs_reachable((("hub.invalid", 443),), timeout=0.5) is False
    assert time.monotonic() - t0 < 1.5


def test_set_hub_offline_sets_and_clears_variables(monkeypatch):
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE"):
        monkeypatch.delenv(var, raising=False)
    network.set_hub_offline(True)
    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"
    network.set_hub_offline(False)
    assert "HF_HUB_OFFLINE" not in os.environ


def test_offline_profile_skips_the_probe_and_blocks_hub_retries(course_env, monkeypatch):
    import course_utils.session as session

    probes = []
    # Patch the name session.py calls (it imported hubs_reachable into its own namespace).
    monkeypatch.setattr(session, "hubs_reachable", lambda *a, **k: probes.append(1) or False)
    course = setup("offline", verbose=False)
    assert course.profile == "offline" and os.environ["HF_HUB_OFFLINE"] == "1"
    assert probes == [], "the offline profile probed the hubs"
    setup("auto", verbose=False)  # the same patch does see a probe: this test can fail
    assert probes == [1]


def test_auto_falls_back_to_offline_with_a_message(course_env, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_FORCE_OFFLINE", "1")
    course = setup("auto", seed=3)
    out = capsys.readouterr().out
    assert course.profile == "offline" and course.requested_profile == "auto"
    assert "OFFLINE profile" in out and "HF_HUB_OFFLINE=1" in out
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_full_without_network_keeps_full_but_says_what_to_do(course_env, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_FORCE_OFFLINE", "1")
    course = setup("full", verbose=True)
    assert course.profile == "full"
    assert "prefetch_full.py" in capsys.readouterr().out


def test_setup_seeds_torch_reproducibly(course_env):
    setup("offline", seed=7, verbose=False)
    a = torch.rand(3)
    setup("offline", seed=7, verbose=False)
    assert torch.equal(a, torch.rand(3))


def test_setup_summary_hides_machine_paths(course_env):
    course = setup("offline", verbose=False)
    assert str(course_env.parent) not in course.summary()


def test_bad_seed_is_rejected(course_env):
    with pytest.raises(ValueError, match="non-negative integer"):
        setup("offline", seed=-1, verbose=False)


def test_device_choice_on_cpu_machine(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    if not torch.cuda.is_available():
        assert choose_device().type in ("cpu", "mps")
    assert choose_device("cpu").type == "cpu"
    with pytest.raises(ValueError, match="cuda, mps, cpu"):
        choose_device("tpu")


def test_thread_count_validation():
    before = torch.get_num_threads()
    try:
        assert set_threads(1) == 1 and torch.get_num_threads() == 1
        with pytest.raises(ValueError):
            set_threads(0)
    finally:
        torch.set_num_threads(before)
