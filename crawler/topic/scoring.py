"""Relevance of a candidate link before fetching and of an extracted article after.

An article is related when it is about what the seeds are about (cosine similarity of its
concepts and other distinctive words to the profile) *and* names the seeds' concepts together
the way the seeds do (cosine similarity of concept pairs named in one sentence). Sharing one
name, however rare, gives neither: "CSTO" in a story about Armenia, "Kazakhstan" in one about oil.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from crawler.topic.matcher import damped
from crawler.topic.profile import TITLE_WEIGHT, _pair_vector

if TYPE_CHECKING:
    from collections.abc import Mapping

    from crawler.discovery import Candidate
    from crawler.topic.profile import TopicProfile

# Relevance below which an extracted article is not stored (calibrated on tests/test_topic.py).
DEFAULT_MIN_RELEVANCE = 0.33
# Matched concepts needed (as an effective number: evenly weighted) before breadth stops counting.
_BREADTH = 3.0
# Evidence (flattened weights of matched concepts and pairs) that maps to a pre-fetch score of 0.5.
_CANDIDATE_HALF = 2.0
_SLUG_SEPARATORS = re.compile(r"[/_.+\-]+")


def _cosine(a: Mapping[object, float], b: Mapping[object, float], b_norm: float) -> float:
    a_norm = math.sqrt(sum(w * w for w in a.values()))
    dot = sum(w * b[k] for k, w in a.items() if k in b)
    return dot / (a_norm * b_norm) if dot else 0.0


def score_article(
    profile: TopicProfile, title: str, description: str, body: str
) -> tuple[float, list[str]]:
    """Relevance in 0..1 and the profile terms found, most important first."""
    matcher = profile.matcher
    bag = matcher.bag([(title, TITLE_WEIGHT), (description, 1.0), (body, 1.0)])
    vector = matcher.vector(bag)
    shares = {c: profile.terms[c] * w for c, w in vector.items() if c in profile.terms}
    if not shares:
        return 0.0, []
    matched = sorted(shares, key=lambda c: (-shares[c], c))
    terms = _cosine(profile.terms, vector, matcher.norm(bag))
    pair_vector = _pair_vector(profile.terms, bag)
    pairs = _cosine(profile.pairs, pair_vector, math.sqrt(sum(w * w for w in pair_vector.values())))
    breadth = sum(shares.values()) ** 2 / sum(s * s for s in shares.values())
    evidence = math.sqrt(terms * pairs) * min(1.0, breadth / _BREADTH)
    return round(math.sqrt(evidence), 4), matched


def score_candidate(profile: TopicProfile, candidate: Candidate) -> float:
    """Pre-fetch relevance in 0..1 from the title, snippet, keywords and URL slug."""
    slug = _SLUG_SEPARATORS.sub(" ", unquote(urlsplit(candidate.url).path))
    bag = profile.matcher.bag(
        [
            (candidate.title, TITLE_WEIGHT),
            (candidate.snippet, 1.0),
            (" ; ".join(candidate.keywords), 1.0),
            (slug, 1.0),
        ]
    )
    # square roots flatten the profile: a title naming the leader and "coup" is no weaker a lead
    # than one naming only the top acronym; naming two concepts together adds their pairing
    found = sum(
        math.sqrt(profile.terms[c]) * damped(n)
        for c, n in bag.concepts.items()
        if c in profile.terms
    )
    together = sum(math.sqrt(profile.pairs.get(pair, 0.0)) for pair in bag.pairs(profile.terms))
    total = found + together
    return round(total / (total + _CANDIDATE_HALF), 4)
