"""Clean author bylines into a list of personal names."""

from __future__ import annotations

import re
from collections.abc import Iterable

from crawler.extraction.credits import is_agency

_BY = re.compile(
    r"^(?:(?:written|posted|reported|text|photos?|story|words)\s+)?"
    r"(?:by|von|par|por|di|door|av|af|автор(?:ы)?|текст|от)\s*[:\-]?\s+",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:,|;|\||/|&|\band\b|\bи\b|\n)\s*", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+")
_URL = re.compile(r"https?://\S+|www\.\S+|\S+\.(?:com|org|net|ru|kz|co\.uk)\b")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_PARENS = re.compile(r"\([^)]*\)|\[[^]]*\]")
_TRAILING_DATE = re.compile(
    r"\s+(?:on\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|updated|published"
    r"|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\.?\s+\d|\d).*$",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[^\S\n]+")  # runs of spaces; newlines separate names
_ROLE_WORDS = frozenset(
    [
        "staff",
        "writer",
        "writers",
        "reporter",
        "reporters",
        "correspondent",
        "correspondents",
        "editor",
        "editors",
        "editorial",
        "contributor",
        "contributing",
        "columnist",
        "journalist",
        "journalists",
        "senior",
        "chief",
        "deputy",
        "associate",
        "managing",
        "news",
        "desk",
        "team",
        "bureau",
        "agency",
        "agencies",
        "author",
        "authors",
        "photographer",
        "photo",
        "photos",
        "video",
        "producer",
        "analyst",
        "special",
        "international",
        "political",
        "business",
        "sports",
        "email",
        "follow",
        "twitter",
        "facebook",
        "instagram",
        "linkedin",
        "contact",
        "more",
        "articles",
        "read",
        "bio",
        "view",
        "updated",
        "published",
        "share",
        "comments",
        "comment",
        "newsletter",
        "subscribe",
        "guest",
        "admin",
        "administrator",
        "anonymous",
        "unknown",
        "press",
        "media",
        "online",
        "digital",
        "sport",
        "redaktion",
        "redacción",
        "rédaction",
        "редакция",
        "корреспондент",
        "корреспондентов",
        "обозреватель",
        "редактор",
        "фото",
        "гость",
        "администратор",
    ]
)
_NAME_TOKEN = re.compile(r"^[^\W\d_][\w.'’\-]*$")
_SPACED_SCRIPT = re.compile(r"[A-Za-zÀ-ɏЀ-ӿ]")  # scripts that write names as several words
_MAX_TOKENS = 5
_MIN_SHARED_WORD = 4


def _looks_like_name(text: str) -> bool:
    """A personal name: a few word tokens (two or more in Latin or Cyrillic script), starting with
    a capital, without role or navigation words."""
    tokens = text.split()
    if not 1 <= len(tokens) <= _MAX_TOKENS or not text[0].isupper():
        return False
    if len(tokens) == 1 and _SPACED_SCRIPT.search(text):
        return False  # "Admin", "MS", a brand or a user name
    if any(not _NAME_TOKEN.match(tok) for tok in tokens):
        return False
    return not any(tok.lower().strip(".") in _ROLE_WORDS for tok in tokens)


def _words(text: str) -> set[str]:
    return {w for w in text.split() if len(w) >= _MIN_SHARED_WORD}


def _publisher_like(name: str, publishers: set[str]) -> bool:
    """True when ``name`` is, shares a word with, or is part of the publication's own name."""
    key = name.casefold()
    if is_agency(name) or any(key.replace(" ", "") in p.replace(" ", "") for p in publishers):
        return True
    return any(_words(key) & _words(p) for p in publishers)


def clean_authors(raw: Iterable[str], publisher_names: Iterable[str] = ()) -> list[str]:
    """Names only, in order: no "By", roles, e-mails, handles, agencies, publisher names (give
    the site's names and host labels in ``publisher_names``) or duplicates."""
    publishers = {p.casefold().removeprefix("the ").strip() for p in publisher_names if p}
    names: list[str] = []
    seen: set[str] = set()
    for entry in raw:
        if not entry:
            continue
        text = _PARENS.sub(" ", _HANDLE.sub(" ", _URL.sub(" ", _EMAIL.sub(" ", entry))))
        text = _SPACES.sub(" ", text)
        for part in _SPLIT.split(text):
            name = _BY.sub("", part.strip(" \t-–—:·•")).strip(" \t-–—:·•.")
            name = _TRAILING_DATE.sub("", name)
            if name.isupper() and len(name) > 3:
                name = name.title()
            key = name.casefold()
            if not name or key in seen or not _looks_like_name(name):
                continue
            if _publisher_like(name, publishers):
                continue
            seen.add(key)
            names.append(name)
    return names
