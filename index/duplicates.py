"""Near-duplicate articles: the same wire story in several outlets, or updated versions.

Each article gets a MinHash signature over its word 5-shingles when it is indexed; articles
whose signatures agree on at least `THRESHOLD` of their slots (an estimate of the Jaccard
similarity of their shingle sets) form one group. Locality-sensitive hashing over bands of the
signature finds the candidate pairs without comparing every article with every other.
Threshold measured on labelled MultiHop-RAG pairs: see bench/duplicates.py.
"""

import re
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from index.manifest import Manifest

PERMUTATIONS = 128
BANDS = 32  # 4 rows per band: pairs around 0.5 similarity become candidates reliably
SHINGLE = 5
THRESHOLD = 0.5
_PRIME = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20231007)  # fixed: signatures must agree across runs
_A = _rng.integers(1, (1 << 61) - 1, PERMUTATIONS, dtype=np.uint64)
_B = _rng.integers(0, (1 << 61) - 1, PERMUTATIONS, dtype=np.uint64)
_MASK = np.uint64((1 << 32) - 1)
_WORD = re.compile(r"\w+")


def group_duplicates(manifest: "Manifest") -> None:
    """Sign the documents that have no signature yet, then regroup all of them."""
    for doc_id, text in manifest.unsigned_documents():
        manifest.set_signature(doc_id, signature(text))
    manifest.set_groups(groups(manifest.signatures()))


def shingles(text: str) -> set[str]:
    """Overlapping runs of `SHINGLE` lower-cased words (the whole text when it is shorter)."""
    words = _WORD.findall(text.lower())
    if len(words) <= SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def signature(text: str) -> bytes:
    """The MinHash signature of a text, as bytes for the manifest."""
    found = shingles(text)
    if not found:
        return np.full(PERMUTATIONS, np.iinfo(np.uint64).max, dtype=np.uint64).tobytes()
    hashes = np.fromiter(
        (zlib.crc32(s.encode()) for s in found),
        dtype=np.uint64,
        count=len(found),
    )
    # As datasketch does: the product wraps at 64 bits, which still permutes well enough.
    permuted = ((hashes[:, None] * _A[None, :] + _B[None, :]) % _PRIME) & _MASK
    return permuted.min(axis=0).astype(np.uint64).tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two texts' shingle sets."""
    return float(np.mean(_array(a) == _array(b)))


def groups(signatures: dict[str, bytes], threshold: float = THRESHOLD) -> list[list[str]]:
    """Doc ids in groups of two or more near-duplicates, each group and the list sorted."""
    ids = sorted(signatures)
    parent = {doc_id: doc_id for doc_id in ids}

    def root(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in _candidate_pairs(ids, signatures):
        if root(a) != root(b) and similarity(signatures[a], signatures[b]) >= threshold:
            parent[max(root(a), root(b))] = min(root(a), root(b))
    members: dict[str, list[str]] = {}
    for doc_id in ids:
        members.setdefault(root(doc_id), []).append(doc_id)
    return sorted(group for group in members.values() if len(group) > 1)


def _candidate_pairs(ids: list[str], signatures: dict[str, bytes]) -> Iterable[tuple[str, str]]:
    """Pairs that share at least one band of their signatures."""
    rows = PERMUTATIONS // BANDS
    seen: set[tuple[str, str]] = set()
    for band in range(BANDS):
        buckets: dict[bytes, list[str]] = {}
        for doc_id in ids:
            key = _array(signatures[doc_id])[band * rows : (band + 1) * rows].tobytes()
            buckets.setdefault(key, []).append(doc_id)
        for bucket in buckets.values():
            for i, a in enumerate(bucket):
                for b in bucket[i + 1 :]:
                    if (a, b) not in seen:
                        seen.add((a, b))
                        yield a, b


def _array(value: bytes) -> np.ndarray:
    return np.frombuffer(value, dtype=np.uint64)
