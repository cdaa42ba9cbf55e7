"""Counting a profile's concepts in a text, with the text's other distinctive words beside them."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from crawler.topic.text import Analyzer

Phrase = tuple[str, ...]  # a sequence of token keys


@dataclass(slots=True)
class Bag:
    """Weighted counts of a text: profile concepts by label, other distinctive words by key."""

    concepts: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    others: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    other_specificity: dict[str, float] = field(default_factory=dict)


def damped(count: float) -> float:
    """Sub-linear term frequency: a word said ten times is not ten times the evidence."""
    return 1.0 + math.log(count) if count >= 1.0 else count


class Matcher:
    """Greedy longest-match of concept phrases over a token stream; one pass per text."""

    def __init__(
        self,
        analyzer: Analyzer,
        phrases: Mapping[Phrase, str],
        specificity: Mapping[str, float],
    ) -> None:
        self.analyzer = analyzer
        self.specificity = dict(specificity)
        index: dict[str, list[tuple[Phrase, str]]] = defaultdict(list)
        for phrase, label in sorted(phrases.items(), key=lambda item: (-len(item[0]), item[0])):
            index[phrase[0]].append((phrase, label))
        self._index = dict(index)

    def bag(self, parts: Iterable[tuple[str, float]]) -> Bag:
        """Count concepts and other words in each ``(text, weight)`` part."""
        bag = Bag()
        for text, weight in parts:
            tokens = self.analyzer.tokens(text)
            keys = [token.key for token in tokens]
            i = 0
            while i < len(tokens):
                label, length = self._match(keys, i)
                if label is not None:
                    bag.concepts[label] += weight
                    i += length
                    continue
                specificity = self.analyzer.specificity(tokens[i].text)
                if specificity > 0:
                    key = keys[i]
                    bag.others[key] += weight
                    bag.other_specificity[key] = max(
                        specificity, bag.other_specificity.get(key, 0.0)
                    )
                i += 1
        return bag

    def _match(self, keys: list[str], i: int) -> tuple[str | None, int]:
        for phrase, label in self._index.get(keys[i], ()):
            if tuple(keys[i : i + len(phrase)]) == phrase:
                return label, len(phrase)
        return None, 0

    def vector(self, bag: Bag) -> dict[str, float]:
        """Concept weights of ``bag``: specificity times damped frequency."""
        return {
            label: self.specificity[label] * damped(count) for label, count in bag.concepts.items()
        }

    def norm(self, bag: Bag) -> float:
        """Euclidean length of the whole bag, concepts and other words alike."""
        total = sum(weight**2 for weight in self.vector(bag).values())
        total += sum(
            (bag.other_specificity[key] * damped(count)) ** 2 for key, count in bag.others.items()
        )
        return math.sqrt(total)
