"""Sentiment models chosen by name, and scoring cached by content hash and model version."""

import hashlib
import os
from pathlib import Path

import polars as pl

from ic_platform import settings
from ic_platform.sentiment.models import EnsembleModel, LexiconModel, SentimentModel, TransformerModel
from ic_platform.sentiment.trained import TrainedModel, latest_artifact

MODEL_NAMES = ("lexicon", "transformer", "trained", "ensemble")
MODEL_ENV, MODEL_DIR_ENV, ARTIFACT_ENV = "IC_SENTIMENT_MODEL", "IC_SENTIMENT_MODEL_DIR", "IC_SENTIMENT_ARTIFACT"
CACHE_SCHEMA = {"content_hash": pl.String, "sentiment": pl.Float64, "sentiment_confidence": pl.Float64}


def _trained_artifact() -> Path | None:
    named = os.environ.get(ARTIFACT_ENV)
    return Path(named) if named else latest_artifact(settings.data_dir() / "models")


def build_model(name: str | None = None) -> SentimentModel:
    """The model called `name` (default `$IC_SENTIMENT_MODEL`, else `lexicon`). The ensemble is the
    lexicon plus the transformer and the trained model where they are configured."""
    name = name or os.environ.get(MODEL_ENV) or "lexicon"
    if name == "lexicon":
        return LexiconModel()
    if name == "transformer":
        return TransformerModel(os.environ.get(MODEL_DIR_ENV, ""))
    if name == "trained":
        artifact = _trained_artifact()
        if artifact is None:
            raise ValueError(
                "no trained sentiment model: run `ic-platform train-sentiment LABELED_FILE` (or "
                "set IC_SENTIMENT_ARTIFACT)"
            )
        return TrainedModel(artifact)
    if name == "ensemble":
        members: list[SentimentModel] = [LexiconModel()]
        if os.environ.get(MODEL_DIR_ENV):
            members.append(TransformerModel(os.environ[MODEL_DIR_ENV]))
        if _trained_artifact() is not None:
            members.append(TrainedModel(_trained_artifact()))
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
