"""Clean author bylines into a list of personal names."""

from __future__ import annotations

import re
from collections.abc import Iterable

_BY = re.compile(
    r"^(?:(?:written|posted|reported|text|photos?|story|words)\s+)?"
    r"(?:by|von|par|por|di|door|av|af|автор(?:ы)?|текст|от)\s*[:\-]?\s+",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:,|;|\||/|&|\band\b|\bund\b|\bet\b|\by\b|\bи\b|\n)\s*", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_HANDLE = re.compile(r"(?<!\w)@\w+")
_PARENS = re.compile(r"\([^)]*\)|\[[^]]*\]")
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
        "political",
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
        "редакция",
        "корреспондент",
        "корреспондентов",
        "обозреватель",
        "редактор",
        "фото",
    ]
)
_NAME_TOKEN = re.compile(r"^[^\W\d_][\w.'’\-]*$")


def _looks_like_name(text: str) -> bool:
    """A personal name: 1-5 word tokens, no role/navigation words, starting with a capital."""
    tokens = text.split()
    if not 1 <= len(tokens) <= 5 or not text[0].isupper():
        return False
    if any(not _NAME_TOKEN.match(tok) for tok in tokens):
        return False
    return not any(tok.lower().strip(".") in _ROLE_WORDS for tok in tokens)


def clean_authors(raw: Iterable[str], publisher_names: Iterable[str] = ()) -> list[str]:
    """Names only, in order: no "By", roles, e-mails, handles, publisher names or duplicates."""
    banned = {p.casefold() for p in publisher_names if p}
    names: list[str] = []
    seen: set[str] = set()
    for entry in raw:
        if not entry:
            continue
        text = _PARENS.sub(" ", _HANDLE.sub(" ", _URL.sub(" ", _EMAIL.sub(" ", entry))))
        for part in _SPLIT.split(text):
            name = _BY.sub("", part.strip(" \t-–—:·•")).strip(" \t-–—:·•.")
            if name.isupper() and len(name) > 3:
                name = name.title()
            key = name.casefold()
            if not name or key in seen or key in banned or not _looks_like_name(name):
                continue
            seen.add(key)
            names.append(name)
    return names
