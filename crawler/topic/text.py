"""Tokens for topic matching: words folded for spelling variants, stemmed, and weighted by rarity.

Every text (seed, feed entry, article) goes through the same :class:`Analyzer`, so a profile term
and an article word match when their keys are equal. Rarity comes from general language statistics
(``wordfreq``), never from the texts being compared.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from wordfreq import zipf_frequency

# Zipf frequency of a word that has no weight (the, said) and the cap on a word's specificity,
# reached by words rarer than zipf 1.5 (CSTO, Tokayev and words wordfreq has never seen).
COMMON_ZIPF = 7.0
MAX_SPECIFICITY = 5.5
# Words at least this common carry no topic information.
STOP_ZIPF = 6.0
# Rarity counts more than linearly: one "CSTO" says more than two "security".
RARITY_EXPONENT = 1.5

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['’]s?$")
_SENTENCE_END = re.compile(r"[.!?:;\n]")
# Transliteration and spelling patterns applied to every lowercased word before stemming:
# Toqaev/Tokayev/Tokaev, Zhanaozen/Janaozen, Dmitriy/Dmitrii, Kassym/Kasym,
# organisation/organization, colour/color.
_FOLDS = (
    (re.compile("q"), "k"),
    (re.compile("zh"), "j"),
    (re.compile("(?<=[aeiou])y(?=[aeiou])"), ""),
    (re.compile("(?:ii|iy|yi)$"), "y"),
    (re.compile(r"([b-df-hj-np-tv-z])\1"), r"\1"),
    (re.compile("(?<=..)is(?=ation|ing|ed|es|e$)"), "iz"),
    (re.compile("(?<=[lvbnmi])our"), "or"),
)
_SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "eu": "basque", "fi": "finnish", "fr": "french",
    "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
    "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch", "no": "norwegian",
    "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "sv": "swedish", "ta": "tamil", "tr": "turkish",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: its surface form, its matching key and where it stands."""

    text: str
    key: str
    capital: bool  # starts with an upper-case letter
    initial: bool  # first word of a sentence, heading or line
    gap: str  # what separates it from the previous word ("" for the first word)

    @property
    def joined(self) -> bool:
        """Only a space or a hyphen separates it from the previous word."""
        return self.gap != "" and self.gap.strip(" ") in ("", "-")


def fold(word: str) -> str:
    """Lowercase ``word``, drop accents and apply the transliteration patterns."""
    word = unicodedata.normalize("NFKD", word.lower())
    word = "".join(c for c in word if not unicodedata.combining(c))
    for pattern, replacement in _FOLDS:
        word = pattern.sub(replacement, word)
    return word


class Analyzer:
    """Tokeniser, stemmer and rarity weights for one language; results are cached per word."""

    def __init__(self, language: str = "en") -> None:
        self.language = language
        algorithm = _SNOWBALL.get(language.split("-")[0].lower())
        self._stemmer = snowballstemmer.stemmer(algorithm) if algorithm else None
        self.key = lru_cache(maxsize=200_000)(self._key)
        self.zipf = lru_cache(maxsize=200_000)(self._zipf)
        self._word = lru_cache(maxsize=200_000)(self._word_info)

    def _key(self, word: str) -> str:
        folded = fold(_POSSESSIVE.sub("", word))
        return self._stemmer.stemWord(folded) if self._stemmer else folded

    def _zipf(self, word: str) -> float:
        return zipf_frequency(_POSSESSIVE.sub("", word.lower()), self.language)

    def specificity(self, word: str) -> float:
        """How much ``word`` says about a topic: 0 for common words, up to MAX_SPECIFICITY."""
        zipf = self.zipf(word)
        if zipf >= STOP_ZIPF:
            return 0.0
        return min(MAX_SPECIFICITY, COMMON_ZIPF - zipf)

    def _word_info(self, word: str) -> tuple[str, float]:
        return self.key(word), self.specificity(word) ** RARITY_EXPONENT

    def words(self, text: str) -> tuple[list[str], list[float], list[int]]:
        """The key and rarity (specificity to the power RARITY_EXPONENT) of each word, and the
        positions of the words that start a sentence: :meth:`tokens` for matching."""
        words: list[str] = []
        starts: list[int] = []
        for sentence in _SENTENCE_END.split(text):  # no word spans a sentence end
            found = _WORD.findall(sentence)
            if not found:
                continue
            starts.append(len(words))
            if "-" not in sentence:
                words += found
                continue
            for word in found:
                parts = word.split("-")
                if len(parts) > 1 and any(part[0].isupper() for part in parts):
                    words += parts  # names split at hyphens: Kassym-Jomart, Nur-Sultan
                else:
                    words.append(word)
        if not words:
            return [], [], starts
        keys, rarities = zip(*map(self._word, words), strict=True)
        return list(keys), list(rarities), starts

    def tokens(self, text: str) -> list[Token]:
        """Split ``text`` into words with their keys."""
        result: list[Token] = []
        end = 0
        for match in _WORD.finditer(text):
            gap = text[end : match.start()]
            end = match.end()
            # names split at hyphens (Kassym-Jomart, Nur-Sultan); lower-case compounds stay whole
            parts = match.group().split("-")
            if not any(part[0].isupper() for part in parts):
                parts = [match.group()]
            for word in parts:
                result.append(
                    Token(
                        text=word,
                        key=self.key(word),
                        capital=word[0].isupper(),
                        initial=not result or _SENTENCE_END.search(gap) is not None,
                        gap=gap if result else "",
                    )
                )
                gap = "-"
        return result
