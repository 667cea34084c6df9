"""Sentiment models on Financial PhraseBank (all-agree and 50%-agree): accuracy, macro-F1, sentences/s.

    .venv/bin/python benchmarks/sentiment.py [--phrasebank ../shared/data/real/sentiment/FinancialPhraseBank-v1.0]

The lexicon and a plain Loughran-McDonald word-count baseline score every sentence (label: the sign
of the score, 0 = neutral); the trained model (MiniLM embeddings + TF-IDF, logistic regression) is
scored by 5-fold cross-validation; TF-IDF + logistic regression is the baseline measured in the same
run. Throughput is sentences per second on this machine (embedding included for the trained model).
"""

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import make_pipeline

from ic_platform.sentiment.models import LexiconModel
from ic_platform.sentiment.trained import MiniLmEmbedder, cross_validate, read_labeled_file

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "sentiment" / "FinancialPhraseBank-v1.0"
SETS = {"all-agree": "Sentences_AllAgree.txt", "50%-agree": "Sentences_50Agree.txt"}


def label_of(score: float) -> str:
    return "positive" if score > 0 else "negative" if score < 0 else "neutral"


def report(name: str, truth, predicted, seconds: float) -> str:
    accuracy, macro_f1 = accuracy_score(truth, predicted), f1_score(truth, predicted, average="macro")
    return f"  {name:<40} accuracy {accuracy:.3f}  macro-F1 {macro_f1:.3f}  {len(truth) / seconds:>9,.0f} sentences/s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phrasebank", type=Path, default=DEFAULT)
    args = parser.parse_args()
    lexicon, embedder = LexiconModel(), MiniLmEmbedder()
    for set_name, file_name in SETS.items():
        texts, labels = read_labeled_file(args.phrasebank / file_name)
        print(f"Financial PhraseBank {set_name}: {len(texts)} sentences")
        started = time.perf_counter()
        scores = lexicon.score(texts)
        print(
            report(
                "lexicon (Loughran-McDonald, shipped)",
                labels,
                [label_of(s) for s, _ in scores],
                time.perf_counter() - started,
            )
        )
        started = time.perf_counter()
        baseline = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LogisticRegression(C=10, max_iter=5000)
        )
        baseline_predicted = cross_val_predict(
            baseline, texts, labels, cv=StratifiedKFold(5, shuffle=True, random_state=0)
        )
        print(report("baseline TF-IDF + logistic (5-fold)", labels, baseline_predicted, time.perf_counter() - started))
        started = time.perf_counter()
        embeddings = embedder.embed(texts)
        embed_seconds = time.perf_counter() - started
        predicted, truth = cross_validate(texts, labels, embeddings, folds=5)
        print(report("trained MiniLM + TF-IDF (5-fold)", truth, predicted, embed_seconds))
        minilm_only = cross_val_predict(
            LogisticRegression(C=4, max_iter=5000),
            embeddings,
            np.array(labels),
            cv=StratifiedKFold(5, shuffle=True, random_state=0),
        )
        print(report("baseline MiniLM + logistic (5-fold)", labels, minilm_only, embed_seconds))
        ratio = accuracy_score(truth, predicted) / accuracy_score(labels, baseline_predicted)
        print(f"  trained model's accuracy / TF-IDF baseline's: {ratio:.3f}x")


if __name__ == "__main__":
    main()
