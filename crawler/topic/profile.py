"""The seeds' topic profile: weighted concepts, their variants and pairings, dates and queries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from crawler.topic.concepts import ConceptBuilder
from crawler.topic.matcher import Matcher, Pair, norm, pair_vector
from crawler.topic.text import RARITY_EXPONENT, Analyzer

# A seed's title says what the story is: its words count this many times.
TITLE_WEIGHT = 2.0
# Concepts at least this heavy (the top one weighs 1.0) are the story's core: its main actors,
# places and organisations.
CORE_WEIGHT = 0.3
# Days before the first and after the last seed date at which the date prior falls to one half: a
# story's coverage builds up over days before a seed reports it and goes on for weeks after.
PRIOR_DAYS_BEFORE = 10
PRIOR_DAYS_AFTER = 30
# Concepts below this share of the top weight are left out of the profile.
_MIN_WEIGHT = 0.02
# Concepts as common as "events" or "situation" (zipf above 4) make poor search words.
_QUERY_RARITY = 3.0**RARITY_EXPONENT
_DESCRIBED_TERMS = 30
_DESCRIBED_PAIRS = 10


@dataclass(frozen=True)
class TopicProfile:
    """What the seeds are about; build it once with :meth:`from_texts` and share it."""

    terms: dict[str, float]  # concept label -> weight, heaviest first, top weight 1.0
    variants: dict[str, tuple[str, ...]]  # concept label -> surface forms, commonest first
    pairs: dict[Pair, float]  # concepts named in one seed sentence -> weight, heaviest first
    events: frozenset[str]  # concepts that are news-event words (protests, coup, peacekeepers)
    dates: tuple[date, ...]
    language: str
    seeds: int
    matcher: Matcher = field(repr=False, compare=False)

    @classmethod
    def from_texts(
        cls, docs: Sequence[tuple[str, str]], dates: Sequence[date] = (), language: str = "en"
    ) -> TopicProfile:
        """Profile of seed ``docs`` given as ``(title, body)``; several seeds combine.

        A concept weighs its rarity in general language times how often the seed names it, so
        the story's subject outweighs a rarer name mentioned in passing. Concepts named in one
        seed sentence form weighted pairs. Each seed counts equally.
        """
        analyzer = Analyzer(language)
        builder = ConceptBuilder(analyzer)
        for title, body in docs:
            builder.add(analyzer.tokens(title))
            builder.add(analyzer.tokens(body))
        concepts = builder.build()
        matcher = Matcher(
            analyzer,
            {phrase: c.label for c in concepts for phrase in c.phrases},
            {c.label: c.specificity for c in concepts},
        )
        bags = [matcher.bag([(title, TITLE_WEIGHT), (body, 1.0)]) for title, body in docs]
        terms = _top(
            _centroid([{c: matcher.rarity[c] * n for c, n in b.concepts.items()} for b in bags])
        )
        if not terms:
            raise ValueError("the seeds contain no distinctive words")
        pairs = _centroid([pair_vector(terms, terms, bag) for bag in bags])
        forms = {c.label: c.forms for c in concepts}
        return cls(
            terms=terms,
            variants={label: tuple(forms[label]) for label in terms},
            pairs=dict(sorted(pairs.items(), key=lambda item: (-item[1], item[0]))),
            events=frozenset(c.label for c in concepts if c.event and c.label in terms),
            dates=tuple(sorted(set(dates))),
            language=language,
            seeds=len(docs),
            matcher=matcher,
        )

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, Any]]) -> TopicProfile:
        """Profile of seed records (title, body, published ISO date or None, language)."""
        dates = [
            datetime.fromisoformat(record["published"]).date()
            for record in records
            if record.get("published")
        ]
        languages = Counter(record.get("language") or "en" for record in records)
        return cls.from_texts(
            [(record["title"], record["body"]) for record in records],
            dates=dates,
            language=languages.most_common(1)[0][0] if languages else "en",
        )

    @cached_property
    def core(self) -> frozenset[str]:
        """The concepts the story is about: those weighing at least CORE_WEIGHT."""
        return frozenset(label for label, weight in self.terms.items() if weight >= CORE_WEIGHT)

    def display(self, label: str) -> str:
        """How a concept reads in a query or a listing: its commonest seed form."""
        return self.variants[label][0]

    def date_window(self, margin_days: int = 30) -> tuple[date | None, date | None]:
        """``margin_days`` either side of the seeds' dates; open when no seed has a date."""
        if not self.dates:
            return None, None
        margin = timedelta(days=margin_days)
        return self.dates[0] - margin, self.dates[-1] + margin

    def proximity(self, published: date | None) -> float:
        """Date prior in 0..1: 1 within the seeds' dates, one half PRIOR_DAYS_BEFORE days before
        the first or PRIOR_DAYS_AFTER days after the last, falling off steeply beyond; 1 when
        either the article or the seeds have no date."""
        if published is None or not self.dates:
            return 1.0
        if published < self.dates[0]:
            return 1 / (1 + ((self.dates[0] - published).days / PRIOR_DAYS_BEFORE) ** 4)
        return 1 / (1 + (max(0, (published - self.dates[-1]).days) / PRIOR_DAYS_AFTER) ** 4)

    def queries(self, n: int = 5) -> list[str]:
        """Up to ``n`` short search queries: the strongest pairings of distinctive concepts."""
        queries: list[str] = []
        rarity = self.matcher.rarity
        for first, second in self.pairs:
            if min(rarity[first], rarity[second]) < _QUERY_RARITY:
                continue
            query = f"{self.display(first)} {self.display(second)}"
            if query not in queries:
                queries.append(query)
            if len(queries) == n:
                break
        return queries or [self.display(label) for label in self.terms][:n]

    def describe(self) -> str:
        """Human-readable profile, printed by ``scrapy seed``."""
        since, until = self.date_window()
        dates = ", ".join(d.isoformat() for d in self.dates) or "none"
        window = f"{since} .. {until}" if since else "open"
        lines = [
            f"Topic profile of {self.seeds} seed(s), language {self.language}",
            f"Seed dates: {dates}; date window: {window}; date prior: one half "
            f"{PRIOR_DAYS_BEFORE} days before, {PRIOR_DAYS_AFTER} days after",
            f"Terms (top {min(_DESCRIBED_TERMS, len(self.terms))} of {len(self.terms)}):",
        ]
        for label in list(self.terms)[:_DESCRIBED_TERMS]:
            lines.append(f"  {self.terms[label]:5.2f}  {' = '.join(self.variants[label])}")
        core = ", ".join(self.display(label) for label in self.terms if label in self.core)
        lines.append(f"Core (an article must keep to these, not mention them in passing): {core}")
        events = ", ".join(
            " = ".join(self.variants[label]) for label in self.terms if label in self.events
        )
        lines.append(f"Event words (an article must report such events): {events or 'none'}")
        lines.append("Named together (an article needs such pairs, not one shared name):")
        for first, second in list(self.pairs)[:_DESCRIBED_PAIRS]:
            weight = self.pairs[first, second]
            lines.append(f"  {weight:5.2f}  {self.display(first)} + {self.display(second)}")
        lines.append("Search queries:")
        lines.extend(f"  {query}" for query in self.queries())
        return "\n".join(lines)


def _centroid(vectors: Sequence[Mapping[Any, float]]) -> dict[Any, float]:
    """Sum of the unit-length ``vectors``, so that every seed counts the same."""
    total: dict[Any, float] = {}
    for vector in vectors:
        length = norm(vector) or 1.0
        for key, weight in vector.items():
            total[key] = total.get(key, 0.0) + weight / length
    return total


def _top(weights: Mapping[str, float]) -> dict[str, float]:
    """Weights scaled to a top of 1.0, heaviest first, without the negligible ones."""
    if not weights:
        return {}
    top = max(weights.values())
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    return {label: round(w / top, 4) for label, w in ranked if w / top >= _MIN_WEIGHT}
