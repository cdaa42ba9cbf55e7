"""Find the news agency a page credits ("Based on materials from TASS", "(Reuters) -", "/TASS/")."""

from __future__ import annotations

import re

_AGENCIES = {
    "tass": "TASS",
    "ria novosti": "RIA Novosti",
    "interfax": "Interfax",
    "reuters": "Reuters",
    "ap": "AP",
    "associated press": "AP",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "xinhua": "Xinhua",
    "kazinform": "Kazinform",
    "belta": "BelTA",
    "sputnik": "Sputnik",
    "dpa": "dpa",
    "efe": "EFE",
    "ansa": "ANSA",
    "anadolu": "Anadolu",
    "armenpress": "Armenpress",
    "trend": "Trend",
    "apa": "APA",
    "kyodo": "Kyodo",
    "yonhap": "Yonhap",
    "pti": "PTI",
    "ians": "IANS",
    "upi": "UPI",
    "bloomberg": "Bloomberg",
    "тасс": "TASS",
    "риа новости": "RIA Novosti",
    "интерфакс": "Interfax",
}
_NAMES = "|".join(sorted((re.escape(k) for k in _AGENCIES), key=len, reverse=True))
_PATTERNS = (
    re.compile(
        rf"(?:based on materials (?:from|of)|according to materials (?:from|of)|source:|"
        rf"по материалам|источник:)\s*[\"«]?({_NAMES})\b",
        re.IGNORECASE,
    ),
    re.compile(rf"^[^\n]{{0,80}}?[(/]({_NAMES})[)/]\s*[.:\-–—]", re.IGNORECASE | re.MULTILINE),
    re.compile(rf"^[A-ZА-ЯЁ][A-ZА-ЯЁ\- ]+[.,]\s*({_NAMES})\s*[-–—]", re.IGNORECASE | re.MULTILINE),
)


def credited_agency(text: str) -> str | None:
    """The agency a text credits in a dateline or a credit line, by its usual name, or None."""
    head, tail = text[:600], text[-600:]
    for pattern in _PATTERNS:
        for part in (head, tail):
            if match := pattern.search(part):
                return _AGENCIES[match.group(1).lower()]
    return None


def is_agency(text: str) -> bool:
    """True when ``text`` names a news agency ("Reuters", "The Associated Press")."""
    return text.strip(" \"«»'.").casefold().removeprefix("the ") in _AGENCIES


def agency_name(text: str) -> str:
    """The usual name of an agency given as free text (falls back to the text itself)."""
    cleaned = text.strip(" \"«»'.")
    return _AGENCIES.get(cleaned.casefold().removeprefix("the "), cleaned)
