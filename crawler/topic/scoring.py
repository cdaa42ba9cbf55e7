"""Relevance of a candidate link before fetching and of an extracted article after.

An article is related when these hold together (a product, so each can veto):

* it names the story's actors and places: the weights of the profile concepts it names, with
  damped counts, saturate (one top name goes half way);
* it reports the story's kind of events: the same over the seeds' news-event words and their
  families ("protests" also matches "unrest" and "riots"), saturating at a lower level, as event
  words weigh less than names; events told in sentences without the core count half;
* the story's core (the heaviest concepts) comes back in several sentences, not in one passing
  mention (a title counts twice);
* most of its distinctive wording is in sentences naming the core or an event (focus);
* it was published close to the seeds' dates (a date prior, when both dates are known).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from crawler.topic.matcher import Bag, damped
from crawler.topic.profile import TITLE_WEIGHT

if TYPE_CHECKING:
    from crawler.discovery import Candidate
    from crawler.topic.profile import TopicProfile

# Relevance below which an extracted article is not stored. Calibrated on the local news web and
# the labelled texts of tests/test_topic.py, with dates: precision and recall are flat from 0.16
# to 0.34 (the highest unrelated text scores 0.159, all related ones but one 0.344 or more); this
# is the middle of that plateau (the curve: python tests/benchmarks/relevance.py).
DEFAULT_MIN_RELEVANCE = 0.25
# How many matched terms an article record lists.
MATCHED_TERMS = 20
# Weight of named concepts (the top one weighs 1.0) and of event words that count half way.
_NAMES_HALF = 1.0
_EVENTS_HALF = 0.2
# Sentences naming the core (a title counts twice) for full credit; a text without any gets
# _CORE_FLOOR / _CORE_SENTENCES.
_CORE_SENTENCES = 2.5
_CORE_FLOOR = 0.5
# Weight of event words in sentences that name no core concept ("protests" somewhere else).
_APART = 0.5
# Share of an article's word mass in on-topic sentences that counts as fully on topic.
_FOCUS = 0.35
# Evidence (flattened weights of matched concepts and pairs) that maps to a pre-fetch score of 0.5.
_CANDIDATE_HALF = 2.0
_SLUG_SEPARATORS = re.compile(r"[/_.+\-]+")


def _saturated(value: float, half: float) -> float:
    return value / (value + half)


def _core_mentions(profile: TopicProfile, bag: Bag, titled: bool) -> float:
    """Share of the needed core mentions: sentences naming a core concept, the title twice."""
    core = profile.core
    named = sum(1 + (titled and i == 0) for i, s in enumerate(bag.sentences) if s & core)
    return min(1.0, (named + _CORE_FLOOR) / _CORE_SENTENCES)


def _with_core(profile: TopicProfile, bag: Bag) -> float:
    """How far the text reports its events together with the core, from _APART to 1: the share
    of the sentences naming an event word that also name a core concept."""
    reporting = [named for named in bag.sentences if named & profile.events]
    if not reporting:
        return 1.0
    together = sum(bool(named & profile.core) for named in reporting) / len(reporting)
    return _APART + (1 - _APART) * together


def _focus(profile: TopicProfile, bag: Bag) -> float:
    """Share of the text's word mass in sentences naming a core concept or an event word."""
    topical = profile.core | profile.events
    total = sum(bag.sentence_mass)
    on_topic = sum(
        mass
        for mass, named in zip(bag.sentence_mass, bag.sentences, strict=True)
        if named & topical
    )
    return min(1.0, on_topic / (total * _FOCUS)) if total else 0.0


def _day(published: date | datetime | None) -> date | None:
    if isinstance(published, datetime):
        return published.astimezone(UTC).date() if published.tzinfo else published.date()
    return published


def score_article(
    profile: TopicProfile,
    title: str,
    description: str,
    body: str,
    published: date | datetime | None = None,
) -> tuple[float, list[str]]:
    """Relevance in 0..1 and the profile terms found (up to MATCHED_TERMS), most important first.

    ``published`` (the article's date) applies the profile's date prior; without it the score
    rests on the text alone. One tokeniser pass over the text plus arithmetic over its concepts.
    """
    matcher = profile.matcher
    bag = matcher.bag([(title, TITLE_WEIGHT), (description, 1.0), (body, 1.0)])
    shares = {
        c: profile.terms[c] * damped(n) for c, n in bag.concepts.items() if c in profile.terms
    }
    if not shares:
        return 0.0, []
    matched = sorted(shares, key=lambda c: (-shares[c], c))[:MATCHED_TERMS]
    names = sum(w for c, w in shares.items() if c not in profile.events)
    events = sum(w for c, w in shares.items() if c in profile.events) * _with_core(profile, bag)
    similarity = math.sqrt(_saturated(names, _NAMES_HALF) * _saturated(events, _EVENTS_HALF))
    relevance = (
        similarity
        * _core_mentions(profile, bag, titled=bool(title.strip()))
        * _focus(profile, bag)
        * profile.proximity(_day(published))
    )
    return round(relevance, 4), matched


def score_candidate(profile: TopicProfile, candidate: Candidate) -> float:
    """Pre-fetch relevance in 0..1 from the title, snippet, keywords, URL slug and date."""
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
    prior = profile.proximity(_day(candidate.published))
    return round(prior * total / (total + _CANDIDATE_HALF), 4)
