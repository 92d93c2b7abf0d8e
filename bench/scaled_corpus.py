"""The MultiHop-RAG corpus replicated with perturbed text, to measure the index at many sizes.

Replica 0 is the corpus itself. Replica r > 0 holds every article once more, its text changed
the same way each time for the same r: in each paragraph adjacent sentences are swapped at
random, one word in ten is replaced by a word drawn from the corpus's own vocabulary, and the
title gains a tag. Every replica article is therefore new content (new chunks, new vectors,
new BM25 rows) that still reads like news and sits close to its original in the vector space:
near-duplicates are the hard case for retrieval, not the easy one.
"""

import json
import random
import re
from pathlib import Path
from typing import Any

SENTENCE = re.compile(r"(?<=[.!?])\s+")
TAGS = ("update", "analysis", "report", "briefing", "recap", "review", "digest", "follow-up")


def load(corpus: Path) -> list[dict[str, Any]]:
    return list(json.loads(corpus.read_text(encoding="utf-8")))


def replica(articles: list[dict[str, Any]], r: int) -> list[dict[str, Any]]:
    """Replica `r` of the corpus (r = 0 is the corpus unchanged); deterministic in r."""
    if r == 0:
        return articles
    rng = random.Random(r)
    vocabulary = sorted({w for a in articles[:200] for w in a["body"].split() if w.isalpha()})
    out = []
    for article in articles:
        body = "\n".join(_perturb(p, rng, vocabulary) for p in article["body"].split("\n"))
        tag = TAGS[(r - 1) % len(TAGS)]
        out.append(dict(article, title=f"{article['title']} ({tag} {r})", body=body))
    return out


def lead(article: dict[str, Any], words: int = 120) -> dict[str, Any]:
    """The article cut to its first paragraphs, about `words` words: one chunk, not ten."""
    kept: list[str] = []
    for paragraph in article["body"].split("\n"):
        kept.append(paragraph)
        if sum(len(p.split()) for p in kept) >= words:
            break
    return dict(article, body="\n".join(kept))


def write_replicas(
    articles: list[dict[str, Any]], docs: Path, replicas: range, leads: bool = False
) -> int:
    """One JSON file per replica in `docs`; returns how many files were written. With
    `leads`, replicas after the first hold each article's lead only (`lead`)."""
    docs.mkdir(parents=True, exist_ok=True)
    written = 0
    for r in replicas:
        path = docs / f"corpus-{r:03}.json"
        if not path.exists():
            items = replica(articles, r)
            if leads and r > 0:
                items = [lead(item) for item in items]
            path.write_text(json.dumps(items), encoding="utf-8")
            written += 1
    return written


def _perturb(paragraph: str, rng: random.Random, vocabulary: list[str]) -> str:
    sentences = SENTENCE.split(paragraph)
    for i in range(len(sentences) - 1):
        if rng.random() < 0.3:
            sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
    words = " ".join(sentences).split(" ")
    for i in range(len(words)):
        if rng.random() < 0.1:
            words[i] = rng.choice(vocabulary)
    return " ".join(words)
