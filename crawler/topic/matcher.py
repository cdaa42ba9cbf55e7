"""Counting a profile's concepts in a text, sentence by sentence, beside the text's other words."""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from crawler.topic.text import RARITY_EXPONENT, Analyzer

Phrase = tuple[str, ...]  # a sequence of token keys
Pair = tuple[str, str]  # two concept labels, sorted


@dataclass(slots=True)
class Bag:
    """Weighted concept counts of a text and, sentence by sentence, what each one names."""

    concepts: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    sentences: list[set[str]] = field(default_factory=list)  # concepts named in each sentence
    sentence_mass: list[float] = field(default_factory=list)  # rarity of each sentence's words

    def pairs(self, labels: Container[str]) -> Counter[Pair]:
        """How many sentences name each two of ``labels`` together."""
        counts: Counter[Pair] = Counter()
        for sentence in self.sentences:
            named = sorted(label for label in sentence if label in labels)
            counts.update(itertools.combinations(named, 2))
        return counts


def damped(count: float) -> float:
    """Sub-linear term frequency: a word said ten times is not ten times the evidence."""
    return 1.0 + math.log(count) if count >= 1.0 else count


class Matcher:
    """Greedy longest-match of concept phrases over a token stream; one pass per text."""

    def __init__(
        self, analyzer: Analyzer, phrases: Mapping[Phrase, str], specificity: Mapping[str, float]
    ) -> None:
        self.analyzer = analyzer
        self.rarity = {label: value**RARITY_EXPONENT for label, value in specificity.items()}
        index: dict[str, list[tuple[Phrase, str]]] = defaultdict(list)
        for phrase, label in sorted(phrases.items(), key=lambda item: (-len(item[0]), item[0])):
            index[phrase[0]].append((phrase, label))
        self._index = dict(index)

    def bag(self, parts: Iterable[tuple[str, float]]) -> Bag:
        """Count concepts in each ``(text, weight)`` part, and weigh each sentence's words."""
        bag = Bag()
        index, rarity_of, concepts = self._index, self.rarity, bag.concepts
        for text, weight in parts:
            keys, rarities, starts = self.analyzer.words(text)
            named: set[str] = set()
            mass = 0.0
            i = 0
            ends = [*starts[1:], len(keys)] if starts else []
            for start, end in zip(starts, ends, strict=True):
                if i <= start:  # a sentence starts here (unless a name ran across its start)
                    if i:
                        bag.sentences.append(named)
                        bag.sentence_mass.append(mass)
                    named, mass, i = set(), 0.0, start
                while i < end:
                    if keys[i] in index:
                        label, length = self._match(keys, i)
                        if label is not None:
                            concepts[label] += weight
                            named.add(label)
                            mass += rarity_of[label]
                            i += length
                            continue
                    mass += rarities[i]
                    i += 1
            if keys:
                bag.sentences.append(named)
                bag.sentence_mass.append(mass)
        return bag

    def _match(self, keys: list[str], i: int) -> tuple[str | None, int]:
        for phrase, label in self._index.get(keys[i], ()):
            if tuple(keys[i : i + len(phrase)]) == phrase:
                return label, len(phrase)
        return None, 0

    def vector(self, bag: Bag) -> dict[str, float]:
        """Concept weights of a text: rarity times damped frequency."""
        return {label: self.rarity[label] * damped(n) for label, n in bag.concepts.items()}


def pair_vector(terms: Container[str], weights: Mapping[str, float], bag: Bag) -> dict[Pair, float]:
    """Pairs of ``terms`` named in one sentence of ``bag``: joint weight times damped count."""
    return {
        (a, b): math.sqrt(weights[a] * weights[b]) * damped(n)
        for (a, b), n in bag.pairs(terms).items()
    }


def norm(vector: Mapping[Any, float]) -> float:
    """Euclidean length of a sparse vector."""
    return math.sqrt(sum(w * w for w in vector.values()))
