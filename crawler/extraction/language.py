"""Detect the language of a text (ISO 639-1), cross-checked with what the page declares."""

from __future__ import annotations

import re

from py3langid.langid import MODEL_FILE, LanguageIdentifier

_IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
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
    ranked = [(lang, p) for lang, p in _IDENTIFIER.rank(sample) if len(lang) == 2]  # ISO 639-1
    best, prob = ranked[0]
    if declared is None or best == declared:
        return best
    if len(sample) < _MIN_TEXT or prob < _CONFIDENT:
        declared_prob = next((p for lang, p in ranked if lang == declared), 0.0)
        if declared_prob > 0.01:
            return declared
    return best
