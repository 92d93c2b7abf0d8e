"""The MultiHop-RAG metric on hand-computed cases, and the eval commands run as a user runs them."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answering.citations import Answer
from assistant.evaluation.answers import correct
from assistant.evaluation.benchmark import (
    QueryScores,
    Question,
    facts_found,
    load_questions,
    mean,
    sample,
    score,
)
from assistant.evaluation.indexing import eval_settings
from assistant.retrieval.corpus import Corpus
from assistant.settings import Settings
from tests.conftest import FIXTURES, ROOT
from tests.servers import clean_env

FACT = "Kelce's 81.3 average receiving yards per game against the Raiders since 2019."
OTHER = "Aside from the second quarter drive dominated by Jacobs, the offense has shown nothing."
THIRD = "Instead, Marshall will start freshman Cole Pennington."
FILLER = [f"Unrelated chunk {i} about the weather." for i in range(12)]


def ranked(hits: dict[int, str]) -> list[str]:
    """Ten chunk texts, with the given text inside the chunk at each 1-based rank."""
    return [f"Before. {hits[r]} After." if r in hits else FILLER[r] for r in range(1, 11)]


def test_hit_at_rank_three():
    assert score(ranked({3: FACT}), [FACT]) == QueryScores(1.0, 1.0, 1 / 3, 1 / 3)


def test_hit_at_rank_five_counts_for_hits_at_10_only():
    assert score(ranked({5: FACT}), [FACT]) == QueryScores(1.0, 0.0, 1 / 5, 1 / 5)


def test_miss_scores_zero_everywhere():
    assert score(ranked({2: OTHER}), [FACT]) == QueryScores(0.0, 0.0, 0.0, 0.0)


def test_only_the_top_ten_count():
    chunks = [*ranked({}), FACT]
    assert score(chunks, [FACT]) == QueryScores(0.0, 0.0, 0.0, 0.0)


def test_average_precision_divides_by_the_number_of_gold_facts():
    # Facts at ranks 1 and 3, the third never retrieved: (1/1 + 1/3) / 3.
    result = score(ranked({1: FACT, 3: OTHER}), [FACT, OTHER, THIRD])
    assert result.ap_at_10 == pytest.approx(4 / 9)
    assert (result.hits_at_10, result.hits_at_4, result.rr_at_10) == (1.0, 1.0, 1.0)


def test_a_fact_counts_once_at_its_first_rank():
    # Rank 2 repeats the fact found at rank 1: a hit for MRR's sake, no gain for AP.
    result = score(ranked({1: FACT, 2: FACT, 4: OTHER}), [FACT, OTHER])
    assert result.ap_at_10 == pytest.approx((1 / 1 + 1 / 4) / 2)


def test_one_chunk_holding_two_facts_counts_both():
    result = score(ranked({2: f"{FACT} {OTHER}"}), [FACT, OTHER])
    assert result.ap_at_10 == pytest.approx((2 / 2) / 2)
    assert result.rr_at_10 == 0.5


def test_matching_ignores_spaces_and_newlines_only():
    wrapped = "Kelce's 81.3 average\nreceiving  yards per\n game against the Raiders since 2019."
    assert score(ranked({2: wrapped}), [FACT]).hits_at_10 == 1.0
    glued = FACT.replace(" ", "")
    assert score(ranked({2: glued}), [FACT]).rr_at_10 == 0.5
    # Upstream strips only " " and "\n": a tab still separates words.
    tabbed = FACT.replace(" ", "\t")
    assert score(ranked({2: tabbed}), [FACT]).hits_at_10 == 0.0


def test_a_question_without_gold_facts_is_not_scored():
    with pytest.raises(ValueError, match="null"):
        score(ranked({1: FACT}), [])


def test_mean_averages_each_metric_over_questions():
    scores = [score(ranked({1: FACT}), [FACT]), score(ranked({5: FACT}), [FACT])]
    assert mean(scores) == pytest.approx(
        {"Hits@10": 1.0, "Hits@4": 0.5, "MAP@10": 0.6, "MRR@10": 0.6}
    )


# Evidence recall: gold facts among the exhibits handed to the writer, spans of articles.
LEAD = FACT
FOLLOW = "He has caught a touchdown pass in four of those seven games."
TWO_SENTENCES = f"{LEAD} {FOLLOW}"


def spans(article: str, *sentences: str, doc_id: str = "a") -> list[tuple[str, int, int]]:
    """The spans of `article` (document `doc_id`) that hold each sentence."""
    return [(doc_id, article.index(s), article.index(s) + len(s)) for s in sentences]


def test_a_fact_over_two_adjacent_exhibits_is_found():
    article = f"Chiefs at Raiders.\n{LEAD}\n  {FOLLOW} {OTHER}"
    exhibits = spans(article, FOLLOW, LEAD)  # in any order: the article's order decides
    assert facts_found(exhibits, [TWO_SENTENCES], {"a": article}) == 1
    assert facts_found(spans(article, LEAD), [TWO_SENTENCES], {"a": article}) == 0


def test_a_fact_over_two_exhibits_apart_is_not_found():
    article = f"{LEAD} {OTHER} {FOLLOW}"
    assert facts_found(spans(article, LEAD, FOLLOW), [TWO_SENTENCES], {"a": article}) == 0
    # What lies between them was not handed over.
    assert facts_found(spans(article, LEAD, FOLLOW), [OTHER], {"a": article}) == 0
    # Nor when the halves end and open two different articles.
    first, second = f"{OTHER} {LEAD}", f"{FOLLOW} {THIRD}"
    exhibits = spans(first, LEAD) + spans(second, FOLLOW, doc_id="b")
    assert facts_found(exhibits, [TWO_SENTENCES], {"a": first, "b": second}) == 0


def test_evidence_matching_ignores_spaces_and_newlines():
    article = f"{OTHER}\n\n{LEAD}\n{FOLLOW}"
    wrapped = "Kelce's 81.3 average\nreceiving  yards per game against the Raiders since 2019."
    assert facts_found(spans(article, LEAD), [wrapped], {"a": article}) == 1
    glued = TWO_SENTENCES.replace(" ", "")
    assert facts_found(spans(article, LEAD, FOLLOW), [glued], {"a": article}) == 1


def test_a_fact_is_counted_once():
    first, second = f"{LEAD} {OTHER}", f"{THIRD} {LEAD}"
    exhibits = spans(first, LEAD, OTHER) + spans(second, THIRD, LEAD, doc_id="b")
    articles = {"a": first, "b": second}
    assert facts_found(exhibits, [LEAD], articles) == 1
    assert facts_found(exhibits, [LEAD, OTHER, FOLLOW], articles) == 2


def question(kind: str, n: int) -> Question:
    return Question(f"{kind} {n}?", kind, "", ())


def test_sample_takes_each_type_in_turn_and_keeps_file_order():
    questions = [question("a", i) for i in range(4)] + [question("b", 0), question("c", 0)]
    assert [q.query for q in sample(questions, 4)] == ["a 0?", "a 1?", "b 0?", "c 0?"]
    assert sample(questions, None) == questions


DEV = ROOT / "bench" / "data" / "multihop-rag" / "queries-dev.json"
SAMPLE = FIXTURES / "multihop" / "corpus-sample.json"


def test_eval_index_defaults_to_one_ignored_folder_per_corpus(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = eval_settings(Settings(), SAMPLE)
    digest = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()[:12]
    assert settings.data_dir == Path(".index-eval") / digest
    assert settings.docs_dir == settings.data_dir / "docs"
    assert [p.name for p in settings.docs_dir.iterdir()] == ["corpus-sample.json"]
    assert (settings.docs_dir / "corpus-sample.json").read_bytes() == SAMPLE.read_bytes()
    assert (tmp_path / ".index-eval" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert eval_settings(Settings(), SAMPLE) == settings


def test_eval_index_holds_the_corpus_alone(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="fresh --data-dir"):
        eval_settings(Settings(), SAMPLE, tmp_path)
    assert (tmp_path / "docs" / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.slow
def test_eval_never_reuses_a_real_index(seeds_settings: Settings):
    with pytest.raises(FileExistsError, match="did not build"):
        eval_settings(Settings(), SAMPLE, seeds_settings.data_dir)
    assert not (seeds_settings.data_dir / "docs").exists()


# The eval commands end to end, on eight real articles and real benchmark questions.


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus of the eight sample articles and the dev questions they fully answer, plus one
    question the corpus cannot answer."""
    folder = tmp_path_factory.mktemp("bench")
    articles = json.loads(SAMPLE.read_text(encoding="utf-8"))
    bodies = {a["url"]: a["body"] for a in articles}
    dev = json.loads(DEV.read_text(encoding="utf-8"))
    chosen, seen = [], set()
    for item in dev:
        facts = frozenset(e["fact"] for e in item["evidence_list"])
        urls = {e["url"] for e in item["evidence_list"]}
        if facts and urls <= bodies.keys() and facts not in seen:
            seen.add(facts)
            chosen.append(item)
    chosen = [*chosen[:4], next(q for q in dev if q["question_type"] == "null_query")]
    for item in chosen:
        for evidence in item["evidence_list"]:
            assert evidence["fact"] in bodies[evidence["url"]]  # the premise: verbatim facts
    (folder / "corpus.json").write_text(json.dumps(articles), encoding="utf-8")
    (folder / "queries.json").write_text(json.dumps(chosen), encoding="utf-8")
    return folder


def run_eval(bench: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "assistant.cli", "eval", *args]
    command += ["--corpus", str(bench / "corpus.json"), "--queries", str(bench / "queries.json")]
    command += ["--data-dir", str(bench / "index")]
    env = clean_env(ASSISTANT_LLM="extractive", PYTHONPATH=str(ROOT))
    return subprocess.run(command, cwd=bench, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def retrieval(bench: Path) -> tuple[subprocess.CompletedProcess, dict]:
    result = run_eval(bench, "retrieval", "--out", str(bench / "retrieval.json"))
    assert result.returncode == 0, result.stderr
    return result, json.loads((bench / "retrieval.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_eval_retrieval_prints_every_system(retrieval: tuple[subprocess.CompletedProcess, dict]):
    result, out = retrieval
    lines = result.stdout.splitlines()
    rows, evidence = lines[: lines.index("")], lines[lines.index("") + 1 :]
    assert rows[0].startswith("Retrieval: 4 questions with gold evidence")
    assert rows[1].split()[-4:] == ["Hits@10", "Hits@4", "MAP@10", "MRR@10"]
    systems = [row.split()[-5] for row in rows[2:-1]]
    assert systems[:3] == ["ours", "dense", "bm25"] and len(systems) % 3 == 0
    assert rows[2].split()[:4] == ["all", "4", "ours", "1.0000"]
    assert rows[-1].startswith("ours latency: p50 ") and rows[-1].endswith(" ms")
    assert evidence[0].startswith(
        "Evidence handed to the writer (best sentences of the top 8 passages)"
    )
    assert evidence[1].split()[-5:] == ["all", "facts", "any", "fact", "exhibits"]
    recall = out["summary"]["evidence_recall"]
    assert [row.split() for row in evidence[2:]] == [
        [
            group,
            str(n),
            f"{recall[group]['all']:.4f}",
            f"{recall[group]['any']:.4f}",
            f"{recall[group]['exhibits']:.1f}",
        ]
        for group, n in out["summary"]["questions"].items()
    ]


@pytest.mark.slow
def test_eval_retrieval_json_holds_the_chunks_as_indexed(
    bench: Path, retrieval: tuple[subprocess.CompletedProcess, dict]
):
    _, out = retrieval
    queries = load_questions(bench / "queries.json")
    assert [q["query"] for q in out["questions"]] == [q.query for q in queries if q.answerable]
    data = bench / "index"
    corpus = Corpus(Settings(docs_dir=data / "docs", data_dir=data))
    try:
        for entry in out["questions"]:
            assert 0 < len(entry["retrieval_list"]) <= 10
            for item in entry["retrieval_list"]:
                assert item["text"] == corpus.chunks[item["chunk_id"]].text
                doc = corpus.document_text(item["doc_id"])
                assert doc[item["start"] : item["end"]] == item["text"]
            facts = [e["fact"] for e in entry["gold_list"]]
            texts = [item["text"] for item in entry["retrieval_list"]]
            assert score(texts, facts).hits_at_10 == entry["scores"]["ours"]["Hits@10"] == 1.0
    finally:
        corpus.close()
    assert out["summary"]["metrics"]["ours"]["all"]["Hits@10"] == 1.0
    assert set(out["summary"]["metrics"]) == {"ours", "dense", "bm25"}


@pytest.mark.slow
def test_eval_retrieval_counts_the_facts_handed_to_the_writer(
    bench: Path, retrieval: tuple[subprocess.CompletedProcess, dict]
):
    _, out = retrieval
    data = bench / "index"
    corpus = Corpus(Settings(docs_dir=data / "docs", data_dir=data))
    counted: dict[str, list[tuple[bool, bool, int]]] = {"all": []}
    try:
        for entry in out["questions"]:
            evidence, facts = entry["evidence"], [e["fact"] for e in entry["gold_list"]]
            exhibits = evidence["exhibits"]
            assert 0 < len(exhibits) <= Settings().generation.exhibits
            articles = {e["doc_id"]: corpus.document_text(e["doc_id"]) for e in exhibits}
            for e in exhibits:
                assert articles[e["doc_id"]][e["start"] : e["end"]] == e["text"]
            spans = [(e["doc_id"], e["start"], e["end"]) for e in exhibits]
            found = facts_found(spans, facts, articles)
            assert (evidence["facts_found"], evidence["facts_total"]) == (found, len(facts))
            row = (found == len(facts), found > 0, len(exhibits))
            counted["all"].append(row)
            counted.setdefault(entry["question_type"], []).append(row)
    finally:
        corpus.close()
    recall = out["summary"]["evidence_recall"]
    assert recall.keys() == counted.keys() == out["summary"]["questions"].keys()
    for group, rows in counted.items():
        assert recall[group] == pytest.approx(
            {
                "all": sum(all_ for all_, _, _ in rows) / len(rows),
                "any": sum(any_ for _, any_, _ in rows) / len(rows),
                "exhibits": sum(n for _, _, n in rows) / len(rows),
            }
        )
        assert recall[group]["all"] <= recall[group]["any"]
    assert recall["all"]["any"] > 0


@pytest.mark.slow
def test_eval_answers_reports_refusals_and_exact_citations(
    bench: Path, retrieval: tuple[subprocess.CompletedProcess, dict]
):
    result = run_eval(bench, "answers", "--limit", "3", "--out", str(bench / "answers.json"))
    assert result.returncode == 0, result.stderr
    assert "0 added" in result.stderr  # the retrieval run's index is reused
    rows = result.stdout.splitlines()
    assert rows[0] == "Answers (extractive): 3 questions"
    assert rows[1].split()[:4] == ["questions", "n", "accuracy", "refused"]
    types = [row.split()[0] for row in rows[2:] if row.split()[0].endswith("query")]
    assert types == ["comparison_query", "inference_query", "null_query"]
    out = json.loads((bench / "answers.json").read_text(encoding="utf-8"))
    citations = [c for q in out["questions"] for c in q["citations"]]
    assert citations and all(c["exact"] for c in citations)
    total = out["summary"]["groups"]["all"]
    assert total["citations_exact"] == total["citations"] == len(citations)
    assert total["accuracy"] == sum(q["correct"] for q in out["questions"]) / 3


def test_answers_are_scored_by_the_readers_rules():
    def asked(question_type: str, gold: str) -> Question:
        return Question("q", question_type, gold, ())

    def said(text: str, refused: bool = False) -> Answer:
        return Answer("q", text, refused=refused)

    null = asked("null_query", "Insufficient information.")
    assert correct(null, said("I will not guess.", refused=True))
    assert not correct(null, said("Google. It was fined [1]."))
    yes, no = asked("comparison_query", "Yes"), asked("temporal_query", "no")
    assert correct(yes, said("Yes. Both reports say so [1][2]."))
    assert not correct(yes, said("Both reports say so, yes [1]."))  # the verdict comes first
    assert correct(no, said("No. The Verge said otherwise [2]."))
    assert not correct(no, said("Nothing suggests it [1]."))
    name = asked("inference_query", "Sam Bankman-Fried")
    assert correct(name, said("Sam Bankman-Fried. He founded FTX [1]."))
    assert correct(name, said("The founder, sam bankman fried, was convicted [1]."))
    assert not correct(name, said("Sam Bankman was there [1]."))
    assert not correct(name, said("Sam Bankman-Fried [1].", refused=True))
