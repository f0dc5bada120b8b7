"""Notebook 03's plumbing: tiny-BERT vocabulary remapping, PCA init, checkpoint cache, exercise
checks, and the full-profile fill-mask path against a local random BertForMaskedLM. The notebook
itself runs in the full profile once per test run, in tests/test_full_profile_without_pack.py."""

from __future__ import annotations

import pytest
import torch
from checkutil import passed

from course_utils.exercises import nb03
from course_utils.models import tiny_mlm

SPECIAL = [0, 100, 101, 102, 103]


def _tiny_mlm_model(vocab_size: int = 50, hidden: int = 16):
    from transformers import BertConfig, BertForMaskedLM

    torch.manual_seed(0)
    config = BertConfig(vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32, max_position_embeddings=16)
    return BertForMaskedLM(config)


# ---------------------------------------------------------------- vocabulary remapping
def test_vocab_map_keeps_used_and_special_ids_and_round_trips():
    corpus = [[101, 2000, 2001, 102], [101, 2001, 5000, 102]]
    vm = tiny_mlm.build_vocab_map(corpus, tokenizer_size=30522, always_keep=SPECIAL, unk_id=100)
    assert vm.new_to_old.tolist() == [0, 100, 101, 102, 103, 2000, 2001, 5000]
    assert len(vm) == 8
    assert int(vm.encode([0])[0]) == 0, "[PAD] keeps id 0 so padding conventions still hold"
    ids = torch.tensor(corpus)
    assert torch.equal(vm.decode(vm.encode(ids)), ids)


def test_vocab_map_sends_unseen_tokens_to_unk():
    vm = tiny_mlm.build_vocab_map([[101, 7, 102]], tokenizer_size=200, always_keep=[0, 101, 102],
                                  unk_id=100)
    unk = int(vm.encode([100])[0])
    assert vm.encode([8, 150]).tolist() == [unk, unk]
    assert vm.decode([unk]).tolist() == [100]


def test_vocab_map_fingerprint_changes_with_the_vocabulary():
    a = tiny_mlm.build_vocab_map([[5]], tokenizer_size=50, always_keep=[0], unk_id=1)
    b = tiny_mlm.build_vocab_map([[6]], tokenizer_size=50, always_keep=[0], unk_id=1)
    assert a.fingerprint() != b.fingerprint()
    assert a.fingerprint() == tiny_mlm.build_vocab_map([[5]], tokenizer_size=50,
                                                       always_keep=[0], unk_id=1).fingerprint()


# ---------------------------------------------------------------- PCA initialisation
def test_pca_embeddings_shape_scale_and_determinism():
    gen = torch.Generator().manual_seed(0)
    w = torch.randn(300, 8, generator=gen) @ torch.randn(8, 64, generator=gen)  # rank 8
    out = tiny_mlm.pca_embeddings(w, 8, target_std=0.04)
    assert out.shape == (300, 8)
    assert abs(out.std().item() - 0.04) < 1e-4
    assert torch.allclose(out, tiny_mlm.pca_embeddings(w, 8, target_std=0.04))
    # a rank-8 matrix keeps all its geometry in 8 components: pairwise distances are preserved
    d_in = torch.cdist(w - w.mean(0), w - w.mean(0))
    d_out = torch.cdist(out, out)
    ratio = (d_out / d_in.clamp_min(1e-6))[d_in > 1e-3]
    assert ratio.std() / ratio.mean() < 0.1  # float32 noise only (a random projection: ~0.2)


def test_pca_embeddings_leaves_the_global_rng_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    tiny_mlm.pca_embeddings(torch.randn(40, 20), 4)
    torch.manual_seed(123)
    assert torch.equal(torch.rand(3), expected)


def test_pca_embeddings_rejects_too_many_components():
    with pytest.raises(ValueError, match="components"):
        tiny_mlm.pca_embeddings(torch.randn(10, 4), 5)


# ---------------------------------------------------------------- batching
def test_pad_batch_pads_right_with_attention_mask():
    ids, mask = tiny_mlm.pad_batch([[5, 6, 7], torch.tensor([8])], pad_id=0)
    assert ids.tolist() == [[5, 6, 7], [8, 0, 0]]
    assert mask.tolist() == [[1, 1, 1], [1, 0, 0]]
    with pytest.raises(ValueError):
        tiny_mlm.pad_batch([], pad_id=0)


def test_length_bucketed_batches_use_every_example_once_with_similar_lengths():
    gen = torch.Generator().manual_seed(0)
    lengths = torch.randint(3, 60, (1000,), generator=gen).tolist()
    batches = tiny_mlm.length_bucketed_batches(lengths, 64, generator=gen)
    flat = sorted(i for b in batches for i in b)
    assert flat == list(range(1000))
    assert all(1 <= len(b) <= 64 for b in batches)
    spread = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches)
    assert spread / len(batches) < 15, "batches should group similar lengths (less padding)"


# ---------------------------------------------------------------- checkpoint cache
KEYS = {n: tiny_mlm.checkpoint_key(name=n) for n in ("abc", "nothing-here", "bad", "shape")}

def test_checkpoint_key_is_stable_and_sensitive_to_code_and_config():
    def f(x):
        return x + 1

    def g(x):
        return x + 2

    base = tiny_mlm.checkpoint_key(config={"a": 1, "b": [1, 2]}, steps=10, code=[f])
    assert base == tiny_mlm.checkpoint_key(steps=10, code=[f], config={"b": [1, 2], "a": 1})
    assert base != tiny_mlm.checkpoint_key(config={"a": 1, "b": [1, 2]}, steps=11, code=[f])
    assert base != tiny_mlm.checkpoint_key(config={"a": 1, "b": [1, 2]}, steps=10, code=[g])


def test_tensor_fingerprint_ignores_last_bit_noise():
    t = torch.randn(20, 5)
    assert tiny_mlm.fingerprint(t) == tiny_mlm.fingerprint(t + 1e-9)
    assert tiny_mlm.fingerprint(t) != tiny_mlm.fingerprint(t + 1e-3)


def test_checkpoint_round_trip_with_tied_weights(course_env):
    model = _tiny_mlm_model()
    assert model.cls.predictions.decoder.weight is model.get_input_embeddings().weight
    path = tiny_mlm.save_checkpoint(model, KEYS["abc"], losses=[3.0, 2.5], train_seconds=1.25,
                                    extra={"note": "x"})
    assert path.parent == course_env / "models" / "tiny_mlm"
    fresh = _tiny_mlm_model()
    torch.nn.init.zeros_(fresh.get_input_embeddings().weight)
    ckpt = tiny_mlm.load_checkpoint(fresh, KEYS["abc"])
    assert ckpt is not None and ckpt.losses == [3.0, 2.5] and ckpt.train_seconds == 1.25
    assert ckpt.extra == {"note": "x"}
    for (name, a), b in zip(model.state_dict().items(), fresh.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    assert fresh.cls.predictions.decoder.weight is fresh.get_input_embeddings().weight


def test_missing_or_damaged_checkpoint_means_retrain(course_env):
    model = _tiny_mlm_model()
    assert tiny_mlm.load_checkpoint(model, KEYS["nothing-here"]) is None
    path = tiny_mlm.save_checkpoint(model, KEYS["bad"], losses=[1.0], train_seconds=0.1)
    path.write_bytes(b"not a safetensors file")
    assert tiny_mlm.load_checkpoint(model, KEYS["bad"]) is None
    assert not path.exists(), "a damaged checkpoint is removed so the next run rewrites it"
    other = _tiny_mlm_model(vocab_size=60)
    tiny_mlm.save_checkpoint(other, KEYS["shape"], losses=[1.0], train_seconds=0.1)
    assert tiny_mlm.load_checkpoint(model, KEYS["shape"]) is None, "a mismatched model loaded"


# ---------------------------------------------------------------- exercise checks
@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from course_utils.models.bert import offline_encoder_dir

    return AutoTokenizer.from_pretrained(offline_encoder_dir())


def test_exercise_checks_accept_the_solutions(tokenizer, capsys):
    nb03.check_eligible_count(
        lambda ids, att, special: int((~torch.isin(ids, special) & att.bool()).sum()),
        tokenizer, strict=True)
    nb03.check_mask_probabilities(0.12, 0.015, 0.015, strict=True)
    nb03.check_causal_mask(lambda n: torch.tril(torch.ones(n, n, dtype=torch.bool)), strict=True)
    assert capsys.readouterr().out.count("correct!") == 3


def test_exercise_checks_explain_wrong_answers(tokenizer, capsys):
    nb03.check_eligible_count(lambda ids, att, special: int(att.sum()), tokenizer)
    assert "[CLS] and [SEP]" in capsys.readouterr().out
    nb03.check_mask_probabilities(0.8, 0.1, 0.1)
    assert "CHOSEN" in capsys.readouterr().out
    nb03.check_causal_mask(lambda n: torch.triu(torch.ones(n, n, dtype=torch.bool)))
    assert "transpose" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        nb03.check_causal_mask(lambda n: torch.ones(n, n), strict=True)


def test_exercise_checks_report_placeholders_without_raising(tokenizer, capsys):
    nb03.check_eligible_count(..., tokenizer)
    nb03.check_mask_probabilities(..., ..., ...)
    nb03.check_causal_mask(...)
    assert capsys.readouterr().out.count("not attempted yet") == 3


# ---------------------------------------------------------------- full profile, locally
@pytest.fixture
def fake_bert_base(tmp_path, tokenizer):
    """A random 2-layer, 128-wide BertForMaskedLM with BERT's uncased vocabulary, on disk."""
    from transformers import BertConfig, BertForMaskedLM

    folder = tmp_path / "fake-bert-base-uncased"
    tokenizer.save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(tokenizer), hidden_size=128, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=256,
                        max_position_embeddings=128)
    BertForMaskedLM(config).save_pretrained(folder)
    return folder


def test_full_profile_fill_mask_pipeline_uses_the_configured_model(course_env, monkeypatch,
                                                                   fake_bert_base):
    """The notebook's full-profile cell: pipeline('fill-mask') on encoder_name_or_path('full')."""
    from transformers import pipeline

    from course_utils.models.bert import encoder_label, encoder_name_or_path

    monkeypatch.setenv("COURSE_BERT_MODEL", str(fake_bert_base))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    name = encoder_name_or_path("full")
    assert name == str(fake_bert_base)
    assert "/" not in encoder_label(name)
    fill_mask = pipeline("fill-mask", model=name, tokenizer=name, top_k=5)
    guesses = fill_mask("the movie was a complete [MASK] .")
    assert len(guesses) == 5
    assert all({"token_str", "score", "sequence"} <= set(g) for g in guesses)
    scores = [g["score"] for g in guesses]
    assert scores == sorted(scores, reverse=True)


# ---------------------------------------------------------------- Exercise 1: mask_tokens
def _mask_tokens(input_ids, special_mask, *, vocab_size, mask_id, generator,
                 select_prob=0.15, mask_frac=0.8, random_frac=0.1):
    inputs, labels = input_ids.clone(), input_ids.clone()
    chosen = (torch.rand(input_ids.shape, generator=generator) < select_prob) & ~special_mask
    labels[~chosen] = -100
    u = torch.rand(input_ids.shape, generator=generator)
    inputs[chosen & (u < mask_frac)] = mask_id
    to_random = chosen & (u >= mask_frac) & (u < mask_frac + random_frac)
    inputs[to_random] = torch.randint(vocab_size, input_ids.shape, generator=generator)[to_random]
    return inputs, labels


def _variant(**changes):
    """The reference rule with one typical mistake."""

    def fn(input_ids, special_mask, *, vocab_size, mask_id, generator, select_prob=0.15,
           mask_frac=0.8, random_frac=0.1):
        ids = input_ids if changes.get("in_place") else input_ids.clone()
        labels = input_ids.clone()
        rand = (lambda shape: torch.rand(shape)) if changes.get("no_generator") else (
            lambda shape: torch.rand(shape, generator=generator))
        chosen = rand(input_ids.shape) < select_prob
        if not changes.get("specials"):
            chosen &= ~special_mask
        labels[~chosen] = -100
        u = rand(input_ids.shape)
        if changes.get("fixed_fracs"):
            mask_frac, random_frac = 0.8, 0.1
        to_mask = chosen & (u < mask_frac)
        if changes.get("two_draws"):
            to_random = chosen & ~to_mask & (rand(input_ids.shape) < random_frac)
        else:
            to_random = chosen & (u >= mask_frac) & (u < mask_frac + random_frac)
        ids[to_mask] = mask_id
        if changes.get("constant_random"):
            ids[to_random] = 1000
        else:
            ids[to_random] = torch.randint(vocab_size, input_ids.shape,
                                           generator=generator)[to_random]
        if changes.get("labels_from_inputs"):
            labels = torch.where(chosen, ids, torch.full_like(ids, -100))
        if changes.get("no_ignore"):
            labels = input_ids.clone()
        return ids, labels

    return fn


def test_mask_tokens_check_accepts_the_rule_and_flags_placeholders(tokenizer, capsys):
    assert passed(nb03.check_mask_tokens, _mask_tokens, tokenizer, strict=True)

    def stub(input_ids, special_mask, *, vocab_size, mask_id, generator, select_prob=0.15,
             mask_frac=0.8, random_frac=0.1):
        ...

    assert not passed(nb03.check_mask_tokens, stub, tokenizer)
    assert "not attempted" in capsys.readouterr().out
    with pytest.raises(AssertionError):
        nb03.check_mask_tokens(stub, tokenizer, strict=True)


@pytest.mark.parametrize(
    ("mistake", "hint"),
    [("specials", "special or padding positions were chosen"),
     ("two_draws", "ONE uniform draw"),
     ("fixed_fracs", "use the mask_frac and random_frac arguments"),
     ("in_place", "in place"),
     ("labels_from_inputs", "corrupted inputs"),
     ("no_ignore", "put -100 where nothing was chosen"),
     ("no_generator", "draw every random number from `generator`"),
     ("constant_random", "draw each one uniformly from the vocabulary")],
)
def test_mask_tokens_check_names_typical_mistakes(tokenizer, capsys, mistake, hint):
    assert not passed(nb03.check_mask_tokens, _variant(**{mistake: True}), tokenizer)
    out = capsys.readouterr().out
    assert "not quite" in out and hint in out, out


# ---------------------------------------------------------------- stats helpers (03, 02)
def test_wilson_interval_contains_the_proportion_and_shrinks_with_n():
    from course_utils.stats import wilson_interval

    lo, hi = wilson_interval(26, 27)
    assert lo < 26 / 27 < hi <= 1.0 and lo > 0.8
    lo2, hi2 = wilson_interval(260, 270)
    assert hi2 - lo2 < hi - lo
    assert wilson_interval(0, 10)[0] == 0.0


def test_paired_bootstrap_diff_detects_a_real_gap_and_not_a_null_one():
    import numpy as np

    from course_utils.stats import paired_bootstrap_diff

    rng = np.random.default_rng(0)
    a = rng.random(2000) < 0.6
    b = rng.random(2000) < 0.4
    mean, lo, hi = paired_bootstrap_diff(a, b, clusters=np.arange(2000) // 4)
    assert lo > 0.1 and lo < mean < hi
    mean0, lo0, hi0 = paired_bootstrap_diff(a, a[::-1].copy())
    assert lo0 < 0 < hi0
