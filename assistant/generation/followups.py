"""Follow-up questions: rewrite the last message of a chat into a standalone search query.

Searching with the raw message loses the conversation ("and what about trade?" finds
nothing about Russia and the Taliban). With an LLM the rewrite is the model's (prompt in
`prompts/standalone.txt`); without one, or when the model's reply is unusable, a rule
carries the named entities of the previous question over to a follow-up that names none and
reads as one (it opens with "and", points back with "he" or "it", or is a word or two).
"""

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from assistant.prompts import render
from index.bm25 import tokenize

if TYPE_CHECKING:
    from llama_index.core.llms import LLM

Message = dict[str, Any]  # {"role": "user" | "assistant", "content": str}

HISTORY_TURNS = 4  # messages of history shown to the model: the last two exchanges
MAX_QUERY_CHARS = 300

_NAME = re.compile(r"\b[A-Z][\w'\u2019.-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w'\u2019.-]*)*")
_MARKER = re.compile(r"\[\\?\[?\d+\\?\]?\]\(#[^)]*\)|\[\d+\]")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
# Capitalized only because they open a question or are generic: never carried over.
_NOT_NAMES = {
    "and", "but", "so", "or", "what", "why", "how", "who", "whom", "whose", "when", "where",
    "which", "is", "are", "was", "were", "do", "does", "did", "can", "could", "will", "would",
    "should", "has", "have", "had", "the", "a", "an", "in", "on", "about", "tell", "me", "i",
    "it", "its", "they", "their", "he", "she", "his", "her", "this", "that", "these", "those",
}  # fmt: skip
_CONNECTIVES = {"and", "but", "so", "also", "then", "what about", "how about", "and what"}
_POINTING = {
    "he", "she", "it", "they", "him", "her", "them", "his", "its", "their", "theirs", "this",
    "that", "these", "those", "there", "then", "such", "same", "other", "others",
}  # fmt: skip
_ALONE_AT_MOST = 2  # content words of a question too short to stand alone ("why?", "when?")


def text_of(content: Any) -> str:
    """A chat message's plain text, from a string or a list of typed parts (Gradio's format)."""
    if isinstance(content, str):
        text = content
    elif isinstance(content, list):
        text = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    elif isinstance(content, dict):
        text = str(content.get("text", ""))
    else:
        text = ""
    return " ".join(_ESCAPE.sub(r"\1", _MARKER.sub("", text)).split())


def names(text: str) -> list[str]:
    """The names a text mentions (runs of capitalized words), in order, without repeats."""
    found = []
    for match in _NAME.finditer(text):
        words = match.group().split()
        while words and words[0].lower() in _NOT_NAMES:
            words = words[1:]
        name = " ".join(words).rstrip(".'\u2019")
        if name and name.lower() not in _NOT_NAMES:
            found.append(re.sub(r"['\u2019]s$", "", name))
    return list(dict.fromkeys(found))


def leans_on_the_chat(question: str) -> bool:
    """Whether a question that names nothing reads as a follow-up: it opens with a connective
    ("and what about trade?"), points back ("what did he say?"), or is too short to stand
    alone ("why?"). "How much did the river rise overnight?" stands alone."""
    words = re.findall(r"[\w'\u2019]+", question.lower())
    if not words or words[0] in _CONNECTIVES or " ".join(words[:2]) in _CONNECTIVES:
        return True
    if any(word in _POINTING for word in words):
        return True
    return len(set(tokenize([question])[0])) <= _ALONE_AT_MOST


def by_rule(question: str, history: Sequence[Message]) -> str:
    """The question, plus the previous question's names when the question names nothing and
    reads as a follow-up."""
    previous = [text_of(m.get("content")) for m in history if m.get("role") == "user"]
    if not previous or names(question) or not leans_on_the_chat(question):
        return question
    carried = names(previous[-1])
    if not carried:
        return question
    return f"{question} ({', '.join(carried)})"


def by_llm(llm: "LLM", question: str, history: Sequence[Message]) -> str:
    """The model's standalone rewrite, or the rule's when the reply is empty or runs on."""
    shown = [
        f"{m.get('role', 'user')}: {text_of(m.get('content'))}"
        for m in history[-HISTORY_TURNS:]
        if m.get("role") in ("user", "assistant")
    ]
    prompt = render("standalone", history="\n".join(shown), question=question)
    reply = llm.complete(prompt).text.strip()
    query = " ".join(reply.splitlines()[0].split()).strip("\"'` ") if reply else ""
    # A small model may drop the very names the rewrite exists to carry over, or the question's
    # own subject ("trade"); then the rule's query is the better search.
    ruled = by_rule(question, history)
    kept = set(tokenize([query])[0]) if query else set()
    carried = names(ruled)
    if (
        not query
        or len(query) > MAX_QUERY_CHARS
        or (carried and not any(name.lower() in query.lower() for name in carried))
        or not set(tokenize([question])[0]) <= kept
    ):
        return ruled
    return query


def standalone(question: str, history: Sequence[Message], llm: "LLM | None") -> str:
    """The search query for `question` asked after `history`; the question itself when alone."""
    if not any(m.get("role") == "user" for m in history):
        return question
    return by_llm(llm, question, history) if llm is not None else by_rule(question, history)
