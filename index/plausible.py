"""Whether loaded text reads like an article, before anything is spent on chunking and embedding.

A data dump saved as .txt, a minified page or base64 in a news item would otherwise be cut
into thousands of chunks of noise and hold the index lock for minutes.
"""

# The longest paragraphs of real articles run to a few thousand characters.
MAX_LINE_CHARS = 200_000
# Words of real text stay short; encoded data and minified code run on without spaces.
LONG_RUN_CHARS = 200
MAX_LONG_RUN_SHARE = 0.5


def implausible(text: str) -> str | None:
    """Why `text` is not article text, or None when it may be."""
    longest = max((len(line) for line in text.splitlines()), default=0)
    if longest > MAX_LINE_CHARS:
        return (
            f"one line is {longest:,} characters long, which is not article text (a data dump "
            "or a minified file?); split it into paragraphs to index it"
        )
    in_long_runs = sum(len(word) for word in text.split() if len(word) > LONG_RUN_CHARS)
    if in_long_runs > MAX_LONG_RUN_SHARE * len(text):
        return (
            f"most of it is runs of over {LONG_RUN_CHARS} characters without a space "
            "(encoded or binary data?), not article text"
        )
    return None
