"""Precision and recall of near-duplicate grouping on labelled pairs of news articles.

`bench/data/duplicates/pairs.json` labels pairs of MultiHop-RAG articles: the 40 pairs with
the most word 5-shingles in common (one is the same deal list updated from Black Friday to
Cyber Monday; the others are related stories, e.g. two live blogs of two World Series games),
100 random pairs, and 32 articles each paired with a republished copy made as syndication
makes them (VARIANTS below), since the corpus holds almost no syndicated copies of its own.
Every article and every copy is signed and grouped together, as the index does, and a pair
counts as grouped when both sides land in one group:

    python bench/duplicates.py
"""

import json
import re
from pathlib import Path

from index.duplicates import THRESHOLD, groups, signature

DATA = Path("bench/data")


def _wire(body: str) -> str:
    """A wire copy: dateline and agency in front, a credit line at the end."""
    return f"NEW YORK (Wire) - {body}\n\nThis article was first published by a partner outlet."


def _trimmed(body: str) -> str:
    """A shorter print version: the last quarter of the paragraphs cut."""
    paragraphs = body.split("\n\n")
    return "\n\n".join(paragraphs[: max(1, round(len(paragraphs) * 0.75))])


def _updated(body: str) -> str:
    """An updated version: a new opening paragraph and every fifth sentence reworded."""
    sentences = re.split(r"(?<=[.!?])\s+", body)
    edited = [
        f"{s.rstrip('.!?')}, officials said on Friday." if i % 5 == 4 else s
        for i, s in enumerate(sentences)
    ]
    return "UPDATED with new details. " + " ".join(edited)


VARIANTS = {"wire": _wire, "trimmed": _trimmed, "updated": _updated}


def main() -> None:
    corpus = json.loads((DATA / "multihop-rag" / "corpus.json").read_text())
    bodies = {article["title"]: article["body"] for article in corpus}
    pairs = json.loads((DATA / "duplicates" / "pairs.json").read_text())
    for pair in pairs:
        if "variant" in pair:
            pair["b"] = f"{pair['a']} [{pair['variant']}]"
            bodies[pair["b"]] = VARIANTS[pair["variant"]](bodies[pair["a"]])
    signatures = {title: signature(body) for title, body in bodies.items()}
    print(f"{len(pairs)} labelled pairs, {sum(p['same'] for p in pairs)} of them duplicates")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        group_of = {t: i for i, g in enumerate(groups(signatures, threshold)) for t in g}
        predicted = [p["a"] in group_of and group_of[p["a"]] == group_of.get(p["b"]) for p in pairs]
        tp = sum(p["same"] and y for p, y in zip(pairs, predicted, strict=True))
        fp = sum(not p["same"] and y for p, y in zip(pairs, predicted, strict=True))
        fn = sum(p["same"] and not y for p, y in zip(pairs, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        grouped = len(group_of)
        mark = "  <- index/duplicates.py THRESHOLD" if threshold == THRESHOLD else ""
        print(
            f"threshold {threshold:.1f}: precision {precision:.3f}, recall {recall:.3f} "
            f"(tp {tp}, fp {fp}, fn {fn}; {grouped} of {len(bodies)} texts grouped){mark}"
        )


if __name__ == "__main__":
    main()
