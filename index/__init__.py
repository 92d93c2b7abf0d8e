"""The build side: load articles, chunk, embed, and keep Chroma, BM25 and the manifest in step.

    import index
    report = index.update(settings)   # -> index.UpdateReport

Heavy modules load on first use, so `assistant index status` stays instant.
"""

from typing import Any

__all__ = ["UpdateReport", "rebuild", "update"]  # loaded from index.pipeline on first use


def __getattr__(name: str) -> Any:
    if name in __all__:
        from index import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'index' has no attribute {name!r}")
