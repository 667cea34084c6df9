import json

import pytest

from ic_platform import settings
from ic_platform.cli import main
from ic_platform.sentiment import SentimentOptions, build_model
from ic_platform.sentiment.trained import read_labeled_file

pytestmark = pytest.mark.real_data


@pytest.fixture
def phrasebank_sample(real_data, tmp_path):
    """120 sentences of each label from Financial PhraseBank's all-agree set."""
    lines = (
        (real_data / "sentiment/FinancialPhraseBank-v1.0/Sentences_AllAgree.txt")
        .read_bytes()
        .decode("latin-1")
        .splitlines()
    )
    sample = [
        line
        for label in ("positive", "negative", "neutral")
        for line in [x for x in lines if x.endswith("@" + label)][:120]
    ]
    path = tmp_path / "sample.txt"
    path.write_bytes("\n".join(sample).encode("latin-1"))
    return path


@pytest.mark.slow
def test_train_sentiment_saves_a_versioned_artifact_that_scores(phrasebank_sample, data_dir, capsys):
    assert main(["train-sentiment", str(phrasebank_sample), "--folds", "3"]) == 0
    folders = list((data_dir / "models" / "sentiment").iterdir())
    assert len(folders) == 1 and folders[0].name.startswith("trained-")
    metadata = json.loads((folders[0] / "metadata.json").read_text())
    assert (
        metadata["sentences"] == 360
        and metadata["cv_accuracy"] > 0.75
        and metadata["labels"] == ["negative", "neutral", "positive"]
    )
    model = build_model(SentimentOptions.from_settings(settings.current(), "trained"))
    (good, _), (bad, _) = model.score(
        [
            "Net sales increased 25% and operating profit rose to a record",
            "The company swung to a loss and cut its outlook",
        ]
    )
    assert good > 0.3 and bad < -0.3 and model.version == folders[0].name
    assert main(["train-sentiment", str(phrasebank_sample), "--folds", "3"]) == 0  # same data, same version
    assert [p.name for p in (data_dir / "models" / "sentiment").iterdir()] == [folders[0].name]


def test_labeled_files_are_checked(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("A sentence without a label\n")
    with pytest.raises(ValueError, match="expected 'sentence@positive|negative|neutral'"):
        read_labeled_file(bad)
