"""The seeds' topic profile: weighted concepts, their variants, the seeds' dates, search queries."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from crawler.topic.concepts import ConceptBuilder
from crawler.topic.matcher import Matcher
from crawler.topic.text import Analyzer

# A seed's title says what the story is: its words count this many times.
TITLE_WEIGHT = 2.0
# Concepts below this share of the top weight are left out of the profile.
_MIN_WEIGHT = 0.02
_DESCRIBED_TERMS = 40


@dataclass(frozen=True)
class TopicProfile:
    """What the seeds are about; build it once with :meth:`from_texts` and share it."""

    terms: dict[str, float]  # concept label -> weight, heaviest first, top weight 1.0
    variants: dict[str, tuple[str, ...]]  # concept label -> surface forms that express it
    dates: tuple[date, ...]
    language: str
    seeds: int
    matcher: Matcher = field(repr=False, compare=False)
    norm: float = field(repr=False, compare=False)

    @classmethod
    def from_texts(
        cls, docs: Sequence[tuple[str, str]], dates: Sequence[date] = (), language: str = "en"
    ) -> TopicProfile:
        """Profile of seed ``docs`` given as ``(title, body)``; several seeds combine."""
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
        centroid: dict[str, float] = {}
        for title, body in docs:
            vector = matcher.vector(matcher.bag([(title, TITLE_WEIGHT), (body, 1.0)]))
            length = math.sqrt(sum(w * w for w in vector.values())) or 1.0
            for label, weight in vector.items():
                centroid[label] = centroid.get(label, 0.0) + weight / length
        if not centroid:
            raise ValueError("the seeds contain no distinctive words")
        top = max(centroid.values())
        terms = {
            label: round(weight / top, 4)
            for label, weight in sorted(centroid.items(), key=lambda item: (-item[1], item[0]))
            if weight / top >= _MIN_WEIGHT
        }
        forms = {c.label: tuple(dict.fromkeys(c.forms)) for c in concepts}
        return cls(
            terms=terms,
            variants={label: forms[label] for label in terms},
            dates=tuple(sorted(set(dates))),
            language=language,
            seeds=len(docs),
            matcher=matcher,
            norm=math.sqrt(sum(w * w for w in terms.values())),
        )

    def display(self, label: str) -> str:
        """How a concept reads in a query or a listing: its commonest seed form."""
        return self.variants[label][0]

    def date_window(self, margin_days: int = 30) -> tuple[date | None, date | None]:
        """``margin_days`` either side of the seeds' dates; open when no seed has a date."""
        if not self.dates:
            return None, None
        margin = timedelta(days=margin_days)
        return self.dates[0] - margin, self.dates[-1] + margin

    def queries(self, n: int = 5) -> list[str]:
        """Short search queries: the top concept paired with each of the next ones."""
        labels = list(self.terms)
        if len(labels) < 2:
            return [self.display(label) for label in labels][:n]
        anchor = self.display(labels[0])
        return [f"{anchor} {self.display(label)}" for label in labels[1 : n + 1]]

    def describe(self) -> str:
        """Human-readable profile, printed by ``scrapy seed``."""
        since, until = self.date_window()
        dates = ", ".join(d.isoformat() for d in self.dates) or "none"
        window = f"{since} .. {until}" if since else "open"
        lines = [
            f"Topic profile of {self.seeds} seed(s), language {self.language}",
            f"Seed dates: {dates}; date window: {window}",
            f"Terms (top {min(_DESCRIBED_TERMS, len(self.terms))} of {len(self.terms)}):",
        ]
        for label in list(self.terms)[:_DESCRIBED_TERMS]:
            forms = " = ".join(self.variants[label])
            lines.append(f"  {self.terms[label]:5.2f}  {forms}")
        lines.append("Search queries:")
        lines.extend(f"  {query}" for query in self.queries())
        return "\n".join(lines)
