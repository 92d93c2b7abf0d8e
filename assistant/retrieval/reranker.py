"""The learned second stage: a LambdaMART model that orders candidates by their features.

Trained on the MultiHop-RAG dev questions by `bench/train_ranker.py`, which writes the model
(`ranker.txt`, LightGBM's text format) and what it was trained on (`ranker.json`: the feature
list, the command, the cross-validated figures). The trees are read and applied here with
numpy: importing LightGBM (and the scikit-learn it loads) costs two seconds of every command's
start-up, applying 300 small trees to a question's candidates about a millisecond. A model
whose features differ from `features.FEATURES` is refused rather than applied to the wrong
columns.
"""

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import AssistantError
from assistant.retrieval.features import FEATURES

MODEL = Path(__file__).with_name("ranker.txt")
CARD = Path(__file__).with_name("ranker.json")
_DEFAULT_LEFT, _ZERO, _NAN = 2, 1, 2  # LightGBM's decision_type bit and missing types
_ZERO_THRESHOLD = 1e-35


class RankerMismatch(AssistantError):
    """The saved ranker cannot be applied: other features, or not a model this reads."""


@dataclass(frozen=True)
class Forest:
    """Trees as arrays, one row per tree, padded: internal nodes, then leaves."""

    feature: np.ndarray  # (trees, nodes) column each node splits on
    threshold: np.ndarray  # go left when value <= threshold
    default_left: np.ndarray  # where a missing value goes, when the node treats it as missing
    missing: np.ndarray  # 0: none (NaN reads as 0), 1: zero is missing, 2: NaN is missing
    left: np.ndarray  # child node; ~leaf (negative) for a leaf
    right: np.ndarray
    leaves: np.ndarray  # (trees, leaves) values, shrinkage included
    depth: int

    def predict(self, rows: np.ndarray) -> np.ndarray:
        """The sum of every tree's leaf for each row, as LightGBM's `predict` computes it."""
        x = np.asarray(rows, dtype=np.float64)
        trees, width = self.feature.shape
        base = (np.arange(trees) * width)[None, :]  # flat index of each tree's root
        offsets = (np.arange(len(x)) * x.shape[1])[:, None]
        node = np.where(self.left[:, 0] == 0, -1, 0)[None, :].repeat(len(x), axis=0)
        for _ in range(self.depth):
            at = base + np.maximum(node, 0)
            value = x.take(offsets + self.feature.take(at))
            kind = self.missing.take(at)
            nan = np.isnan(value)
            value = np.where(nan & (kind != _NAN), 0.0, value)
            is_missing = ((kind == _ZERO) & (np.abs(value) <= _ZERO_THRESHOLD)) | (
                (kind == _NAN) & nan
            )
            left = np.where(
                is_missing, self.default_left.take(at), value <= self.threshold.take(at)
            )
            child = np.where(left, self.left.take(at), self.right.take(at))
            node = np.where(node >= 0, child, node)
        leaf = (np.arange(trees) * self.leaves.shape[1])[None, :] + ~node
        return self.leaves.take(leaf).sum(axis=1)


def read_forest(text: str) -> tuple[list[str], Forest]:
    """The feature names and trees of a LightGBM text model of numerical splits."""
    header, _, body = text.partition("\nTree=")
    names = _fields(header).get("feature_names", "").split()
    trees = [_fields(block) for block in ("Tree=" + body).split("\nTree=")]
    trees = [t for t in trees if "leaf_value" in t]
    if not names or not trees or any(t.get("num_cat", "0") != "0" for t in trees):
        raise ValueError("not a LightGBM model of numerical splits")
    nodes = max(int(t["num_leaves"]) - 1 for t in trees) or 1
    leaves = max(int(t["num_leaves"]) for t in trees)
    arrays = {k: np.zeros((len(trees), nodes), dtype=np.int64) for k in ("f", "d", "l", "r")}
    threshold = np.zeros((len(trees), nodes))
    values = np.zeros((len(trees), leaves))
    for i, tree in enumerate(trees):
        values[i, : int(tree["num_leaves"])] = _numbers(tree["leaf_value"])
        if int(tree["num_leaves"]) > 1:
            for key, field in (("f", "split_feature"), ("d", "decision_type")):
                arrays[key][i, : len(tree[field].split())] = _numbers(tree[field])
            for key, field in (("l", "left_child"), ("r", "right_child")):
                arrays[key][i, : len(tree[field].split())] = _numbers(tree[field])
            threshold[i, : len(tree["threshold"].split())] = _numbers(tree["threshold"])
    decision = arrays["d"]
    forest = Forest(
        feature=arrays["f"],
        threshold=threshold,
        default_left=(decision & _DEFAULT_LEFT) > 0,
        missing=(decision >> 2) & 3,
        left=arrays["l"],
        right=arrays["r"],
        leaves=values,
        depth=nodes,
    )
    return names, forest


def _fields(block: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in block.splitlines() if "=" in line)


def _numbers(text: str) -> np.ndarray:
    return np.asarray([float(v) for v in text.split()])


class LearnedRanker:
    """Scores feature rows with the shipped trees; higher ranks first."""

    def __init__(self, model: Path = MODEL) -> None:
        try:
            names, self.forest = read_forest(model.read_text(encoding="utf-8"))
        except (OSError, KeyError, ValueError) as exc:
            raise RankerMismatch(
                f"The ranker in {model} cannot be read ({exc}). Reinstall the assistant, or "
                "set ASSISTANT_RETRIEVAL__RERANK=off to rank by the fused score."
            ) from exc
        if tuple(names) != FEATURES:
            raise RankerMismatch(
                f"The ranker in {model} was trained on other features than this version "
                "computes. Retrain it with `python -m bench.train_ranker`, or set "
                "ASSISTANT_RETRIEVAL__RERANK=off to rank by the fused score."
            )

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """One score per row."""
        if not len(rows):
            return np.zeros(0, dtype=np.float32)
        return self.forest.predict(rows).astype(np.float32)


@functools.cache
def load() -> LearnedRanker:
    """The ranker shipped with the assistant, read once per process."""
    return LearnedRanker()


def card() -> dict[str, Any]:
    """What the shipped ranker was trained on, and how well it ranked under cross-validation."""
    return dict(json.loads(CARD.read_text(encoding="utf-8")))
