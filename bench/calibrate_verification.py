"""Calibrate the verification threshold on claims built from MultiHop-RAG news articles.

    .venv/bin/python bench/calibrate_verification.py [--articles 120] [--out cases.json]

For each sampled article, one sentence of its opening (about 1,200 characters) is the cited
evidence, as the answer writer is given it, and these claims cite it:
- true: the sentence, verbatim (supported);
- paraphrase: the same sentence reworded by rule (synonyms, "According to <outlet>, …", its
  last clause dropped) (supported);
- other article: a sentence of another article (unsupported);
- changed number: a sentence with one number altered (unsupported);
- changed name: the sentence with one name swapped for another article's (unsupported);
and, joining it with a sentence of another article, as multi-hop answers do:
- joined: "<first>, while <second>" citing both (supported);
- joined, half uncited: the same claim citing the first alone (unsupported);
- joined, half changed: the second half with a number or name altered, citing both
  (unsupported).
Every case is scored with the real embedder; the script prints precision and recall of
"supported" by threshold, and the threshold chosen: the middle of the range where precision
reaches --precision and recall is within 0.01 of its best there, so a kept sentence is rarely
a false one and the margin either side is widest.
"""

import argparse
import json
import random
import re
from pathlib import Path

import numpy as np

from assistant.answering.sentences import Sentence, split
from assistant.generation.briefing import Exhibit
from assistant.generation.drafts import Claim
from assistant.generation.verification import Verifier
from assistant.retrieval.passage import Passage
from assistant.settings import Settings
from index.embedder import build_embedder

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "bench" / "data" / "multihop-rag" / "corpus.json"
PASSAGE_CHARS = 1200
SYNONYMS = {
    "said": "stated", "says": "states", "announced": "revealed", "company": "firm",
    "people": "individuals", "also": "additionally", "big": "large", "new": "fresh",
    "started": "began", "start": "begin", "buy": "purchase", "bought": "purchased",
    "help": "assist", "show": "demonstrate", "shows": "demonstrates", "about": "roughly",
    "government": "administration", "reported": "stated", "expected": "anticipated",
}  # fmt: skip
KINDS = [
    "true",
    "paraphrase",
    "other article",
    "changed number",
    "changed name",
    "joined",
    "joined, half uncited",
    "joined, half changed",
]
SUPPORTED = {"true", "paraphrase", "joined"}
Case = tuple[str, str, list[Sentence]]  # (kind, claim, the evidence it cites)


def passage_of(doc_id: str, article: dict) -> Passage | None:
    body = article["body"]
    cut = body.rfind(". ", 0, PASSAGE_CHARS)
    if cut < 300:
        return None
    text = body[: cut + 1]
    return Passage(
        doc_id, doc_id, 0, len(text), text, article["title"], article.get("source"),
        article.get("published_at"), None, (), 1.0, 1.0, 1.0,
    )  # fmt: skip


def paraphrase(sentence: str, source: str | None) -> str:
    words = [SYNONYMS.get(w, w) for w in sentence.rstrip(".").split()]
    text = " ".join(words)
    head, _, tail = text.rpartition(", ")
    if head and len(head.split()) >= 8 and len(tail.split()) <= len(head.split()):
        text = head
    return f"According to {source or 'reports'}, {text[0].lower()}{text[1:]}."


def joined(first: str, second: str) -> str:
    return f"{first.rstrip('.')}, while {second[0].lower()}{second[1:]}"


def change_number(sentence: str, passage: str) -> str | None:
    for match in re.finditer(r"\d+", sentence):
        new = str(int(match.group()) * 3 + 7)
        if new not in passage:
            return sentence[: match.start()] + new + sentence[match.end() :]
    return None


def change_name(sentence: str, passage: str, names: list[str]) -> str | None:
    words = re.findall(r"\b[A-Z][a-z]{2,}\b", sentence)[1:]
    for old in words:
        for new in names:
            if new.lower() not in passage.lower():
                return re.sub(rf"\b{old}\b", new, sentence)
    return None


def cases(articles: list[dict], count: int, rng: random.Random) -> list[Case]:
    """(kind, claim, cited evidence) for `count` articles."""
    built: list[Case] = []
    picked = rng.sample(range(len(articles)), k=min(count, len(articles)))
    names = sorted({n for a in articles for n in re.findall(r"\b[A-Z][a-z]{3,}\b", a["title"])})
    for index in picked:
        passage = passage_of(str(index), articles[index])
        other_index = rng.choice([i for i in range(len(articles)) if i != index])
        other_passage = passage_of(str(other_index), articles[other_index])
        if passage is None or other_passage is None:
            continue
        sentences = [s for s in split(passage) if len(s.text.split()) >= 6]
        others = [s for s in split(other_passage) if len(s.text.split()) >= 6]
        if len(sentences) < 2 or not others:
            continue
        chosen, second = rng.choice(sentences), rng.choice(others)
        built.append(("true", chosen.text, [chosen]))
        built.append(("paraphrase", paraphrase(chosen.text, passage.source), [chosen]))
        built.append(("other article", second.text, [chosen]))
        numbered = [s for s in sentences if re.search(r"\d", s.text)]
        if numbered:
            source = rng.choice(numbered)
            if changed := change_number(source.text, passage.text):
                built.append(("changed number", changed, [source]))
        pool = rng.sample(names, k=min(50, len(names)))
        if changed := change_name(chosen.text, passage.text, pool):
            built.append(("changed name", changed, [chosen]))
        both = joined(chosen.text, second.text)
        built.append(("joined", both, [chosen, second]))
        built.append(("joined, half uncited", both, [chosen]))
        altered = change_number(second.text, other_passage.text) or change_name(
            second.text, other_passage.text, pool
        )
        if altered:
            built.append(("joined, half changed", joined(chosen.text, altered), [chosen, second]))
    return built


def support(embedder: object, case: Case) -> float:
    """The case's verification score from the evidence it cites, taken together."""
    _, claim, cited = case
    exhibits = [Exhibit(n, sentence, 1.0) for n, sentence in enumerate(cited, start=1)]
    verifier = Verifier(embedder, exhibits, threshold=0.0)  # type: ignore[arg-type]
    return verifier.check(Claim(claim, tuple(e.number for e in exhibits))).support


def precision_recall(
    labels: np.ndarray, scores: np.ndarray, threshold: float
) -> tuple[float, float]:
    kept = scores >= threshold
    true_kept = float((kept & labels).sum())
    return true_kept / max(float(kept.sum()), 1.0), true_kept / max(float(labels.sum()), 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=120)
    parser.add_argument("--precision", type=float, default=0.95)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    articles = json.loads(CORPUS.read_text(encoding="utf-8"))
    built = cases(articles, args.articles, random.Random(0))
    embedder = build_embedder(Settings())
    scores = np.array([support(embedder, case) for case in built])
    labels = np.array([kind in SUPPORTED for kind, _, _ in built])
    kinds = np.array([kind for kind, _, _ in built])
    print(
        f"{len(built)} cases: " + ", ".join(f"{k} {sum(c[0] == k for c in built)}" for k in KINDS)
    )
    print("mean score: " + ", ".join(f"{k} {scores[kinds == k].mean():.2f}" for k in KINDS))
    grid = [round(float(t), 2) for t in np.arange(0.30, 0.91, 0.01)]
    rows = {t: precision_recall(labels, scores, t) for t in grid}
    print("threshold  precision  recall  " + "  ".join(f"kept:{k}" for k in KINDS))
    for t in grid[::5]:
        kept = "  ".join(f"{(scores[kinds == k] >= t).mean():.3f}" for k in KINDS)
        print(f"{t:9.2f}  {rows[t][0]:9.3f}  {rows[t][1]:6.3f}  {kept}")
    # The middle of the thresholds with the best recall at the wanted precision: the widest
    # margin on both sides, since real answers differ from these cases.
    eligible = [t for t in grid if rows[t][0] >= args.precision]
    top = max(rows[t][1] for t in eligible)
    plateau = [t for t in eligible if rows[t][1] >= top - 0.01]
    chosen = plateau[len(plateau) // 2]
    print(
        f"chosen threshold {chosen}: precision {rows[chosen][0]:.3f}, recall {rows[chosen][1]:.3f}"
    )
    print(f"(recall within 0.01 of the best from {plateau[0]} to {plateau[-1]})")
    if args.out:
        out = [
            {"kind": k, "claim": c, "score": float(s)}
            for (k, c, _), s in zip(built, scores, strict=True)
        ]
        args.out.write_text(json.dumps(out, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
