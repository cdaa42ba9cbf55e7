"""Concepts of the seed texts: whole names, acronyms with their expansions, spelling variants.

A concept is what the profile weighs and an article matches: one word (``peacekeepers``, matching
``peacekeeping`` through the stemmer and ``contingent`` through its word family), a multi-word
name (``Collective Security Council``), a person (``Kassym-Jomart Tokayev``, matching ``Tokayev``
alone), an acronym with its expansion (``CSTO`` = ``Collective Security Treaty Organization``), a
country with its demonym (``Kazakhstan`` = ``Kazakh``), or a place with its other names
(``Nur-Sultan`` = ``Astana``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from crawler.topic.families import FAMILIES
from crawler.topic.matcher import Phrase
from crawler.topic.text import _POSSESSIVE, MAX_SPECIFICITY, Analyzer, Token

# Lower-case words allowed inside a capitalised name ("Organization of the Islamic Cooperation").
_CONNECTORS = frozenset({"of", "the", "and", "for"})
# A capitalised word this common is a title or a sentence start, not part of a person's name.
_TITLE_ZIPF = 4.5
# A last word this rare marks a person's (or place's) name even if it never appears alone.
_NAME_ZIPF = 3.5
# A derived form (Kazakh, Belarusian) is only linked if general language statistics know it.
_KNOWN_ZIPF = 1.5
# Each extra word of a multi-word name adds this much specificity to its rarest word's.
_PHRASE_BONUS = 0.5
# Places known under several names; a seed naming one matches articles naming another.
_PLACE_NAMES = (
    ("Astana", "Nur-Sultan", "Akmola", "Tselinograd"),
    ("Almaty", "Alma-Ata"),
    ("Kyiv", "Kiev"),
    ("Kharkiv", "Kharkov"),
    ("Odesa", "Odessa"),
    ("Lviv", "Lvov"),
    ("Chisinau", "Kishinev"),
    ("Ashgabat", "Ashkhabad"),
    ("Belarus", "Byelorussia"),
    ("Kyrgyzstan", "Kirghizia"),
    ("Moldova", "Moldavia"),
    ("Turkmenistan", "Turkmenia"),
    ("Myanmar", "Burma"),
    ("Turkey", "Türkiye"),
    ("Czechia", "Czech Republic"),
    ("Beijing", "Peking"),
    ("Mumbai", "Bombay"),
)


@dataclass(slots=True)
class Concept:
    """One profile concept: the phrases (token keys) that express it and their surface forms."""

    label: str
    specificity: float
    phrases: list[Phrase] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    event: bool = False  # a seed word of a news-event family (protests, coup, peacekeepers)


def _is_acronym(token: Token) -> bool:
    word = _POSSESSIVE.sub("", token.text)
    return 2 <= len(word) <= 6 and word.isalpha() and word.isupper()


def _is_headline_case(tokens: list[Token]) -> bool:
    """Title Case Headlines say nothing about which words are names."""
    long_words = [token for token in tokens if len(token.text) > 3]
    return len(long_words) >= 3 and sum(t.capital for t in long_words) > 0.6 * len(long_words)


class ConceptBuilder:
    """Collects words and capitalised runs from the seeds, then derives their concepts."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer
        self.forms: dict[str, Counter[str]] = defaultdict(Counter)  # key -> surface forms
        self.acronyms: dict[str, str] = {}  # key -> surface
        self.runs: list[list[Token]] = []
        self.alone: set[str] = set()  # keys of capitalised words seen outside multi-word runs
        self.texts: list[list[str]] = []  # token keys of every part, to rank surface forms

    def add(self, tokens: list[Token]) -> None:
        """Take in one seed part (a title or a body)."""
        self.texts.append([token.key for token in tokens])
        for token in tokens:
            self.forms[token.key][_POSSESSIVE.sub("", token.text)] += 1
            if _is_acronym(token):
                self.acronyms[token.key] = _POSSESSIVE.sub("", token.text)
        if _is_headline_case(tokens):
            return
        for run in self._capital_runs(tokens):
            if len(run) > 1:
                self.runs.append(run)
            else:
                self.alone.add(run[0].key)

    def _capital_runs(self, tokens: list[Token]) -> list[list[Token]]:
        runs: list[list[Token]] = []
        current: list[Token] = []
        for token in tokens:
            lower = token.text in _CONNECTORS
            if current and token.joined and not _is_acronym(token) and (token.capital or lower):
                current.append(token)
                continue
            runs.append(current)
            current = [token] if token.capital and not _is_acronym(token) else []
        runs.append(current)
        return [trimmed for run in runs if (trimmed := self._trim(run))]

    def _trim(self, run: list[Token]) -> list[Token]:
        while run and run[-1].text in _CONNECTORS:
            run = run[:-1]
        while run and (
            run[0].text.lower() in _CONNECTORS
            or (run[0].initial and self.analyzer.zipf(run[0].text) >= _TITLE_ZIPF)
        ):
            run = run[1:]
        return run

    def build(self) -> list[Concept]:
        """Concepts in a fixed order: acronyms, multi-word names, then single words."""
        concepts: dict[str, Concept] = {}
        owner: dict[Phrase, str] = {}

        def claim(label: str, phrase: Phrase, form: str) -> None:
            if phrase in owner:
                return
            owner[phrase] = label
            concepts[label].phrases.append(phrase)
            concepts[label].forms.append(form)

        for key, surface in sorted(self.acronyms.items()):
            label = surface.lower()
            concepts[label] = Concept(label, self._word_specificity(key))
            claim(label, (key,), surface)
            expansion = self._expansion(label)
            if expansion:
                concepts[label].specificity = max(
                    concepts[label].specificity, self._phrase_specificity(expansion)
                )
                claim(label, tuple(t.key for t in expansion), _text(expansion))

        for run in self.runs:
            name = self._person(run)
            phrase = tuple(t.key for t in (name or run))
            if len(phrase) < 2 or phrase in owner:
                continue
            if name:
                last = name[-1]
                label = self._best_form(last.key).lower()
                if label not in concepts:
                    concepts[label] = Concept(label, self._word_specificity(last.key))
                claim(label, phrase, _text(name))
                claim(label, (last.key,), self._best_form(last.key))
            else:
                label = _text(run).lower()
                concepts[label] = Concept(label, self._phrase_specificity(run))
                claim(label, phrase, _text(run))
                for variant in self._variants(_text(run)):
                    claim(label, self._phrase(variant), variant)

        derived = {
            variant: key
            for key in self.forms
            for variant in self._variant_keys(self._best_form(key))
            if variant != key and self._word_specificity(key) > 0
        }
        for key in sorted(self.forms):
            specificity = self._word_specificity(key)
            if (key,) in owner or key in derived or specificity <= 0:
                continue
            form = self._best_form(key)
            label = form.lower()
            if label in concepts:
                label = key
            concepts[label] = Concept(label, specificity)
            claim(label, (key,), form)
            for variant in self._variants(form):
                claim(label, self._phrase(variant), variant)
        self._add_families(concepts, claim)
        result = [concept for concept in concepts.values() if concept.specificity > 0]
        for concept in result:
            uses = dict(zip(concept.forms, map(self._occurrences, concept.phrases), strict=True))
            concept.forms.sort(key=lambda form: -uses[form])
        return result

    def _add_families(
        self, concepts: dict[str, Concept], claim: Callable[[str, Phrase, str], None]
    ) -> None:
        """Mark the seed's event words and let the rest of each one's family match as it."""
        for family in FAMILIES:
            keys = [(self.analyzer.key(word), word) for word in family]
            owners = {phrase[0]: c for c in concepts.values() for phrase in c.phrases}
            seeded = [
                owners[key]
                for key, word in keys
                if key in owners and word in {form.lower() for form in self.forms.get(key, ())}
            ]
            for concept in seeded:
                concept.event = True
            for key, word in keys if seeded else ():
                claim(seeded[0].label, (key,), word)

    def _occurrences(self, phrase: Phrase) -> int:
        n = len(phrase)
        return sum(
            tuple(keys[i : i + n]) == phrase for keys in self.texts for i in range(len(keys))
        )

    def _expansion(self, acronym: str) -> list[Token] | None:
        """The first capitalised run whose initials spell ``acronym`` (lower case)."""
        for run in self.runs:
            for start in range(len(run)):
                for end in range(start + len(acronym), len(run) + 1):
                    words = [t for t in run[start:end] if t.text not in _CONNECTORS]
                    if "".join(t.text[0] for t in words).lower() == acronym:
                        return run[start:end]
        return None

    def _person(self, run: list[Token]) -> list[Token] | None:
        """The name part of "Russian President Vladimir Putin", or None if ``run`` is no person."""
        last = run[-1]
        zipf = self.analyzer.zipf(last.text)
        if zipf >= _TITLE_ZIPF or (zipf > _NAME_ZIPF and last.key not in self.alone):
            return None
        start = len(run) - 1
        while start > 0 and self.analyzer.zipf(run[start - 1].text) < _TITLE_ZIPF:
            start -= 1
        return run[start:]

    def _phrase(self, text: str) -> Phrase:
        return tuple(token.key for token in self.analyzer.tokens(text))

    def _variant_keys(self, name: str) -> list[str]:
        """Keys of the one-word variants of ``name``."""
        phrases = [self._phrase(variant) for variant in self._variants(name)]
        return [phrase[0] for phrase in phrases if len(phrase) == 1]

    def _variants(self, name: str) -> list[str]:
        """Other names of a place and demonyms that general language statistics know."""
        if not name[0].isupper():
            return []
        variants = [v for group in _PLACE_NAMES if name in group for v in group if v != name]
        derived = [name + "n", name + "ian", name[:-1] + "ian"]
        if name.endswith("stan"):  # Kazakhstan: Kazakh, Kazakhstani; Afghanistan: Afghan
            derived += [name[:-5] if name.endswith("istan") else name[:-4], name + "i"]
        variants += [v for v in derived if self.analyzer.zipf(v) >= _KNOWN_ZIPF]
        return variants

    def _best_form(self, key: str) -> str:
        forms = self.forms[key]
        return max(forms, key=lambda form: (forms[form], form[0].isupper(), form))

    def _word_specificity(self, key: str) -> float:
        # the form commonest in general language decides: a rare inflection must not make a
        # common word look distinctive
        return min(self.analyzer.specificity(form) for form in self.forms[key])

    def _phrase_specificity(self, run: list[Token]) -> float:
        words = [t for t in run if t.text not in _CONNECTORS]
        rarest = max(self.analyzer.specificity(t.text) for t in words)
        return min(MAX_SPECIFICITY, rarest + _PHRASE_BONUS * (len(words) - 1))


def _text(tokens: list[Token]) -> str:
    """Surface text of a run, with hyphens restored where the seed had no space."""
    return tokens[0].text + "".join(
        ("-" if t.gap.strip(" ") == "-" else " ") + t.text for t in tokens[1:]
    )
