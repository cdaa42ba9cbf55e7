"""Relevance of a candidate link before fetching and of an extracted article after."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from crawler.topic.profile import TITLE_WEIGHT

if TYPE_CHECKING:
    from crawler.discovery import Candidate
    from crawler.topic.profile import TopicProfile

_SLUG_SEPARATORS = re.compile(r"[/_.+\-]+")
# The effective number of matched concepts at which an article is no longer "one shared name".
_BREADTH = 4.0
# Cosine similarity that maps to relevance 0.5 (1 - exp(-cos/scale) shape).
_COSINE_SCALE = 0.15
# Summed weight of matched concepts that maps to candidate score 0.63.
_CANDIDATE_SCALE = 1.5

DEFAULT_MIN_RELEVANCE = 0.35


def _contributions(profile: TopicProfile, vector: dict[str, float]) -> dict[str, float]:
    return {
        label: profile.terms[label] * weight
        for label, weight in vector.items()
        if label in profile.terms
    }


def _ranked(contributions: dict[str, float]) -> list[str]:
    return sorted(contributions, key=lambda label: (-contributions[label], label))


def score_article(
    profile: TopicProfile, title: str, description: str, body: str
) -> tuple[float, list[str]]:
    """Relevance in 0..1 and the profile terms found, most important first."""
    matcher = profile.matcher
    bag = matcher.bag([(title, TITLE_WEIGHT), (description, 1.0), (body, 1.0)])
    contributions = _contributions(profile, matcher.vector(bag))
    dot = sum(contributions.values())
    if dot <= 0:
        return 0.0, []
    cosine = dot / (profile.norm * matcher.norm(bag))
    breadth = dot**2 / sum(c * c for c in contributions.values())
    evidence = cosine * min(1.0, breadth / _BREADTH)
    return round(1.0 - math.exp(-evidence / _COSINE_SCALE), 4), _ranked(contributions)


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
    contributions = _contributions(profile, profile.matcher.vector(bag))
    total = sum(contributions.values())
    return round(1.0 - math.exp(-total / _CANDIDATE_SCALE), 4)
