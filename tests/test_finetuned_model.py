"""Notebook 04 saves its fine-tuned model under a cache key; notebook 06 finds the latest one."""

from __future__ import annotations

import json

import pytest

from course_utils.cache_keys import cache_key
from course_utils.models import bert


@pytest.fixture
def tiny_classifier(tmp_path):
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "good", "bad", "ok"]
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tok = BertTokenizer(vocab_file=str(tmp_path / "vocab.txt"))
    config = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=32, num_labels=3)
    return BertForSequenceClassification(config), tok


def test_nothing_saved_loads_as_none(course_env):
    assert bert.load_finetuned("offline") is None


def test_saved_model_round_trips_with_its_record(course_env, tiny_classifier):
    import torch

    model, tok = tiny_classifier
    key = cache_key("nb04-sentiment-model", params={"lr": 1e-4})
    folder = bert.save_finetuned(model, tok, key, {"regime": "whole encoder"}, profile="offline")
    assert folder.name == key and (folder / "model.safetensors").exists()
    loaded, loaded_tok, info = bert.load_finetuned("offline")
    assert info == {"regime": "whole encoder", "key": key}
    batch = loaded_tok(["good ok", "bad"], padding=True, return_tensors="pt")
    with torch.no_grad():
        assert torch.allclose(model.eval()(**batch).logits, loaded(**batch).logits, atol=1e-6)
    assert bert.load_finetuned("full") is None  # one pointer per profile


def test_a_pointer_to_a_missing_or_bad_folder_loads_as_none(course_env, tiny_classifier):
    model, tok = tiny_classifier
    key = cache_key("nb04-sentiment-model", params={"lr": 3e-5})
    folder = bert.save_finetuned(model, tok, key, {}, profile="offline")
    (folder / "model.safetensors").unlink()
    assert bert.load_finetuned("offline") is None
    pointer = folder.parent / "nb04-sentiment-offline.json"
    pointer.write_text(json.dumps({"key": "../../etc"}))
    assert bert.load_finetuned("offline") is None
    pointer.write_text("not json")
    assert bert.load_finetuned("offline") is None


def test_hand_made_keys_are_refused(course_env, tiny_classifier):
    model, tok = tiny_classifier
    with pytest.raises(Exception, match="cache_key"):
        bert.save_finetuned(model, tok, "my-model", {}, profile="offline")
