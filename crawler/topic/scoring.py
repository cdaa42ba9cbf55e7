"""Relevance of a candidate link before fetching and of an extracted article after.

An article is related when four things hold together, each a factor of a geometric mean:

* its words are the seeds' words (cosine similarity of concept and word weights);
* it names the seeds' concepts *together*, as the seeds do (cosine similarity of the pairs of
  concepts named in one sentence): "CSTO" and "Kazakhstan" in one sentence, not "Kazakhstan" in a
  story about oil and "CSTO" in one about Armenia;
* its own main subjects, the heaviest words of the article, are profile concepts;
* it keeps to the story's core concepts throughout rather than in one passing paragraph.

An article that shares only one concept, however rare, is scaled down further.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from crawler.topic.matcher import Bag, damped
from crawler.topic.profile import TITLE_WEIGHT, pair_vector

if TYPE_CHECKING:
    from collections.abc import Mapping

    from crawler.discovery import Candidate
    from crawler.topic.profile import TopicProfile

# Relevance below which an extracted article is not stored (calibrated on tests/test_topic.py).
DEFAULT_MIN_RELEVANCE = 0.33
# Matched concepts needed (as an effective number: evenly weighted) before breadth stops counting.
_BREADTH = 3.0
# How many of an article's heaviest words decide what it is about.
_SUBJECTS = 5
# A profile concept lighter than this does not make an article's subject the story's.
_SUBJECT_WEIGHT = 0.05
# Share of an article's words in sentences naming a core concept that counts as fully on topic.
_FOCUS = 0.3
# Evidence (flattened weights of matched concepts and pairs) that maps to a pre-fetch score of 0.5.
_CANDIDATE_HALF = 2.0
_SLUG_SEPARATORS = re.compile(r"[/_.+\-]+")


def _cosine(a: Mapping[object, float], b: Mapping[object, float], b_norm: float) -> float:
    dot = sum(w * b[k] for k, w in a.items() if k in b)
    return dot / (math.sqrt(sum(w * w for w in a.values())) * b_norm) if dot else 0.0


def _norm(*vectors: Mapping[str, float]) -> float:
    return math.sqrt(sum(w * w for vector in vectors for w in vector.values()))


def _subjects(
    profile: TopicProfile, vector: Mapping[str, float], others: Mapping[str, float]
) -> float:
    """Share of the article's heaviest words that are (not too light) profile concepts."""
    heaviest = sorted(
        [
            (w, label in profile.terms and profile.terms[label] >= _SUBJECT_WEIGHT)
            for label, w in vector.items()
        ]
        + [(w, False) for w in others.values()],
        reverse=True,
    )[:_SUBJECTS]
    return sum(w for w, ours in heaviest if ours) / sum(w for w, _ in heaviest)


def _focus(profile: TopicProfile, bag: Bag) -> float:
    """Share of the article's word mass in sentences that name a core concept, scaled to 0..1."""
    core = profile.core
    total = sum(bag.sentence_mass)
    on_topic = sum(
        mass for mass, named in zip(bag.sentence_mass, bag.sentences, strict=True) if named & core
    )
    return min(1.0, on_topic / (total * _FOCUS)) if total else 0.0


def score_article(
    profile: TopicProfile, title: str, description: str, body: str
) -> tuple[float, list[str]]:
    """Relevance in 0..1 and the profile terms found, most important first."""
    matcher = profile.matcher
    bag = matcher.bag([(title, TITLE_WEIGHT), (description, 1.0), (body, 1.0)])
    vector, others = matcher.vector(bag), matcher.others(bag)
    shares = {c: profile.terms[c] * w for c, w in vector.items() if c in profile.terms}
    if not shares:
        return 0.0, []
    matched = sorted(shares, key=lambda c: (-shares[c], c))
    words = _cosine(profile.terms, vector, _norm(vector, others))
    article_pairs = pair_vector(profile.terms, matcher.rarity, bag)
    pairs = _cosine(profile.pairs, article_pairs, _norm(article_pairs))
    evidence = (words * pairs * _subjects(profile, vector, others) * _focus(profile, bag)) ** 0.25
    breadth = sum(shares.values()) ** 2 / sum(s * s for s in shares.values())
    return round(evidence * min(1.0, breadth / _BREADTH), 4), matched


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
