"""The learned second stage: its features on a real index, the shipped model, its refusals."""

import lightgbm
import numpy as np
import pytest

from assistant.retrieval import features, reranker, wording
from assistant.retrieval.corpus import Corpus
from assistant.retrieval.retriever import HybridRetriever
from assistant.settings import Settings
from index.bm25 import tokenize
from index.embedder import build_embedder

SMU = "What odds did Sporting News give for North Texas against SMU?"


def column(rows: np.ndarray, name: str) -> np.ndarray:
    return rows[:, features.FEATURES.index(name)]


def test_sentence_terms_are_the_terms_bm25_indexes_sentence_by_sentence():
    sentences = [
        "The Federal Trade Commission sued Amazon.",
        " Sellers paid fees!",
        " Why?",
        " 5%.",
    ]
    assert wording.sentence_terms("".join(sentences)) == tuple(map(tuple, tokenize(sentences)))
    assert wording.sentence_terms("") == ((),)


def test_signals_measure_the_best_sentence_and_the_question_s_word_pairs():
    sentences = wording.sentence_terms(
        "The trade commission sued Amazon on Tuesday. Amazon sellers paid higher fees. "
        "Fees rose again."
    )
    terms = tokenize(["Did the trade commission say Amazon sellers paid higher fees?"])[0]
    assert terms == ["trade", "commiss", "say", "amazon", "seller", "paid", "higher", "fee"]
    best, window, count, pairs, n = wording.signals(sentences, terms, dict.fromkeys(terms, 1.0))
    assert n == 3
    assert count == 5 and best == pytest.approx(5 / 8)  # amazon seller paid higher fee
    assert window == pytest.approx(7 / 8)  # the first two sentences: all but "say"
    assert pairs == pytest.approx(5 / 7)  # no "commiss say" nor "say amazon" in the text
    assert wording.coverage(sentences, {"amazon": 2.0, "tuesday": 1.0, "apple": 1.0}) == (
        pytest.approx(3 / 4),
        pytest.approx(3 / 4),
    )


@pytest.fixture(scope="module")
def news(news_settings: Settings) -> HybridRetriever:
    corpus = Corpus(news_settings)
    return HybridRetriever(corpus, build_embedder(news_settings), news_settings.retrieval)


@pytest.fixture(scope="module")
def dated(dated_settings: Settings) -> HybridRetriever:
    corpus = Corpus(dated_settings)
    return HybridRetriever(corpus, build_embedder(dated_settings), dated_settings.retrieval)


def test_the_shipped_ranker_loads_with_the_features_it_was_trained_on():
    card = reranker.card()
    assert tuple(card["features"]) == features.FEATURES
    assert card["command"].startswith("python -m bench.train_ranker")
    assert set(card["cross_validated"]["by_type"]["all"]) == {"fused", "learned"}
    rows = np.zeros((3, len(features.FEATURES)), dtype=np.float32)
    assert reranker.load().scores(rows).shape == (3,)


def test_the_trees_score_as_lightgbm_scores_them_missing_and_zero_values_too():
    rng = np.random.default_rng(3)
    rows = rng.random((200, len(features.FEATURES))) * rng.choice(
        [1, 10, 400], (1, len(features.FEATURES))
    )
    rows[rng.random(rows.shape) < 0.2] = np.nan
    rows[rng.random(rows.shape) < 0.1] = 0.0
    booster = lightgbm.Booster(model_file=str(reranker.MODEL))
    assert reranker.load().scores(rows) == pytest.approx(booster.predict(rows), abs=1e-5)


def test_a_ranker_trained_on_other_features_is_refused(tmp_path):
    rng = np.random.default_rng(0)
    data = lightgbm.Dataset(
        rng.random((40, 2)), label=rng.integers(0, 2, 40), feature_name=["lexical", "dense"]
    )
    path = tmp_path / "ranker.txt"
    lightgbm.train({"objective": "binary", "verbose": -1}, data, num_boost_round=2).save_model(
        str(path)
    )
    with pytest.raises(reranker.RankerMismatch, match=r"bench\.train_ranker") as refused:
        reranker.LearnedRanker(path)
    assert "ASSISTANT_RETRIEVAL__RERANK=off" in str(refused.value)
    path.write_text("not a model", encoding="utf-8")
    with pytest.raises(reranker.RankerMismatch, match="RERANK=off"):
        reranker.LearnedRanker(path)


@pytest.mark.slow
def test_features_describe_each_candidate(news: HybridRetriever):
    found = news.candidates(SMU)
    rows = features.table(found, news.corpus)
    assert rows.shape == (len(found.ids), len(features.FEATURES)) and len(found.ids) > 3
    listed = features.shortlist(found)
    read = [features.FEATURES.index(n) for n in features.FEATURES[-7:]]  # sentence signals
    assert features.FEATURES[-7:] == (
        *wording.SIGNALS,
        "clause_sentence_coverage",
        "clause_coverage",
    )
    assert np.isfinite(np.delete(rows, read, axis=1)).all() and np.isfinite(rows[listed]).all()
    unlisted = sorted(set(range(len(found.ids))) - set(listed))
    assert np.isnan(rows[np.ix_(unlisted, read)]).all()  # the ranker reads them as not measured
    assert column(rows, "lexical_rank")[np.argmax(found.lexical)] == 0
    assert column(rows, "dense_rank")[np.argmax(found.dense)] == 0
    sources = [news.corpus.documents[news.corpus.chunks[c].doc_id].source for c in found.ids]
    assert list(column(rows, "outlet_match")) == [float(s == "Sporting News") for s in sources]
    names = ["Sporting", "News", "North", "Texas", "SMU"]  # "What" opens the question
    texts = [news.corpus.chunks[c].text for c in found.ids]
    expected = [sum(name in text for name in names) / len(names) for text in texts]
    assert list(column(rows, "name_coverage")) == pytest.approx(expected)
    assert "SMU" in texts[int(np.argmax(column(rows, "name_coverage")))]


@pytest.mark.slow
def test_date_features_say_which_articles_fall_in_the_question_s_dates(dated: HybridRetriever):
    found = dated.candidates("What did the Riverton council approve in October 2023?")
    rows = features.table(found, dated.corpus)
    days = [dated.corpus.documents[dated.corpus.chunks[c].doc_id].published for c in found.ids]
    assert set(column(rows, "dated")) == {1.0}
    inside = [d is not None and d[:7] == "2023-10" for d in days]
    assert list(column(rows, "in_dates") == 1.0) == inside
    assert (column(rows, "days_off")[~np.asarray(inside)] > 0).all()


@pytest.mark.slow
@pytest.mark.parametrize("rerank", ["learned", "off"])
def test_both_rankings_serve_exact_chunks_best_first(news: HybridRetriever, rerank: str):
    settings = news.settings.model_copy(update={"rerank": rerank})
    retriever = HybridRetriever(news.corpus, news.embedder, settings)
    passages = retriever.passages("Amazon sellers FTC antitrust lawsuit", top_k=8)
    assert len(passages) == 8
    for passage in passages:
        text = retriever.corpus.document_text(passage.doc_id)
        assert text[passage.start : passage.end] == passage.text
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)  # no outlet named: one list, best first
    if rerank == "off":
        found = retriever.candidates("Amazon sellers FTC antitrust lawsuit")
        assert max(scores) == pytest.approx(float(found.fused.max()))
