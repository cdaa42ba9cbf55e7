"""Relevance of a candidate link before fetching and of an extracted article after.

An article is related when these hold together (the first three as a weighted geometric mean, the
others as factors that only ever scale down):

* its words are the seeds' words (cosine similarity of concept and word weights);
* it names the seeds' concepts *together*, as the seeds do (cosine similarity of the pairs of
  concepts named in one sentence): "CSTO" and "Kazakhstan" in one sentence, not "Kazakhstan" in a
  story about oil and "CSTO" in one about Armenia;
* its own main subjects, the heaviest words of the article, are profile concepts;
* it keeps to the story's core concepts beyond one passing paragraph (focus);
* it shares several concepts, not one name however rare (breadth).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from crawler.topic.matcher import Bag, damped, norm, pair_vector
from crawler.topic.profile import TITLE_WEIGHT

if TYPE_CHECKING:
    from collections.abc import Mapping

    from crawler.discovery import Candidate
    from crawler.topic.profile import TopicProfile

# Relevance below which an extracted article is not stored (calibrated on tests/test_topic.py).
DEFAULT_MIN_RELEVANCE = 0.16
# How many matched terms an article record lists.
MATCHED_TERMS = 20
# Matched concepts needed (as an effective number: evenly weighted) before breadth stops counting.
_BREADTH = 2.5
# How many of an article's heaviest words decide what it is about.
_SUBJECTS = 5
# A profile concept lighter than this does not make an article's subject the story's.
_SUBJECT_WEIGHT = 0.05
# Share of an article's words in sentences naming a core concept that counts as fully on topic.
_FOCUS = 0.35
# Evidence (flattened weights of matched concepts and pairs) that maps to a pre-fetch score of 0.5.
_CANDIDATE_HALF = 2.0
_SLUG_SEPARATORS = re.compile(r"[/_.+\-]+")


def _cosine(
    profile: Mapping[Any, float], profile_norm: float, text: Mapping[Any, float], text_norm: float
) -> float:
    dot = sum(w * profile[k] for k, w in text.items() if k in profile)
    return dot / (profile_norm * text_norm) if dot else 0.0


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
    """Relevance in 0..1 and the profile terms found (up to MATCHED_TERMS), most important first.

    One tokeniser pass over the text plus arithmetic over the concepts it names.
    """
    matcher = profile.matcher
    bag = matcher.bag([(title, TITLE_WEIGHT), (description, 1.0), (body, 1.0)])
    vector, others = matcher.vector(bag), matcher.other_vector(bag)
    shares = {c: profile.terms[c] * w for c, w in vector.items() if c in profile.terms}
    if not shares:
        return 0.0, []
    matched = sorted(shares, key=lambda c: (-shares[c], c))[:MATCHED_TERMS]
    terms_norm, pairs_norm = profile.norms
    words = _cosine(profile.terms, terms_norm, vector, math.hypot(norm(vector), norm(others)))
    article_pairs = pair_vector(profile.terms, matcher.rarity, bag)
    pairs = _cosine(profile.pairs, pairs_norm, article_pairs, norm(article_pairs))
    # weighted geometric mean: an article's heaviest words are a noisier signal (new names
    # abound in follow-up stories) than the two similarities, so they weigh half as much
    similarity = (words * words * pairs * pairs * _subjects(profile, vector, others)) ** 0.2
    breadth = sum(shares.values()) ** 2 / sum(s * s for s in shares.values())
    relevance = similarity * _focus(profile, bag) * min(1.0, breadth / _BREADTH)
    return round(relevance, 4), matched


def score_candidate(profile: TopicProfile, candidate: Candidate) -> float:
    """Pre-fetch relevance in 0..1 from the title, snippet, keywords and URL slug."""
    slug = _SLUG_SEPARATORS.sub(" ", unquote(urlsplit(candidate.url).path))
    bag = profile.matcher.bag(
        [
            (candidate.title, TITLE_WEIGHT),
            (candidate.snippet, 1.0),
            (", ".join(candidate.keywords), 1.0),
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
