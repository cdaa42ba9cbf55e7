"""Choose between body candidates and clean the chosen paragraphs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from crawler.extraction.generic import Block

_WORDS = re.compile(r"\w+")
_BOILERPLATE = re.compile(
    r"^(?:(?:read more|read also|also read|see also|see more|share this|share on|follow us|"
    r"follow (?:him|her|them|us|me|[\w.]+(?: \w+){0,5}) on (?:twitter|facebook|instagram)|"
    r"subscribe|sign up|click here|tell us what you think|you may also like|most read|"
    r"don'?t miss|more from|читайте также|смотрите также|подписывайтесь)\b|"
    r"related(?: articles| stories)?\s*:|more:|write to .{3,60} at \S+@|"
    r"(?:photo|photos|фото|image|picture|credit)\s*:|based on materials\b|по материалам\b|"
    r"(?:recommended(?: for you| stories| articles| reading)?|advertisement|comments?|реклама)"
    r"\s*:?$)",
    re.IGNORECASE,
)
# Legal notices, however long: "Copyright ©...", "This copy is for your personal use...".
_LEGAL = re.compile(
    r"^(?:copyright\s*(?:[©ⓒ]|\(c\)|\d{4})|[©ⓒ]|\(c\) ?\d{4}|all rights reserved|"
    r"this copy is for your personal)",
    re.IGNORECASE,
)
_MAX_BOILERPLATE_CHARS = 200
# Labelled or bare addresses: "www.example.com", "Listen: https://...", "jane@example.com".
_ADDRESS_ONLY = re.compile(r"^(?:[\w ]{1,20}:\s*)?(?:\S+@\S+\.\w+|https?://\S+|www\.\S+)$")
# Promotions, credits and bios that close an article: "Click here...", "Follow him on Twitter".
_CLOSING = re.compile(
    r"\b(?:click here|follow (?:him|her|them|us|me) on|subscrib\w* to (?:our|the|my)|"
    r"our newsletter|sign up for (?:our|the|my)|if you (?:enjoyed|liked) this)\b|"
    r"^(?:(?:filed under|tags?|sources?)\s*:|(?:reporting|writing|editing) by\b|explore further$|"
    r"related roundup|more [\w ]{1,20}:)|"
    r"^\[/?\w+[^\]]*\]|^(?:[\w-]+\.)+[a-z]{2,}/\S*$|^.{0,80}https?://\S+$",
    re.IGNORECASE,
)
# Page furniture around the article: dates, reading times, breadcrumbs, print and share tools.
_FURNITURE = re.compile(
    r"^(?:-\s*)?(?:published|updated|posted|last updated|publicado|atualizado|опубликовано|"
    r"обновлено)\b.*\d|"
    r"\b(?:min(?:ute)?s?\.? read|reading time|tempo de leitura|время чтения)\b|"
    r"^[^.!?]{0,80}(?:»|›| > |>$)[^.!?]*$|"
    r"^(?:-\s*)?(?:order reprints|print(?: article)?|share|e-?mail|comments?)$|"
    r"^(?:by|von|par|por|автор:?)\s+[\w.'’ -]{2,50}$",
    re.IGNORECASE,
)
_DATE_LIKE = re.compile(r"\b\d{1,2}:\d{2}\b|\b(?:19|20)\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b")
_MAX_FURNITURE_WORDS = 10
_MAX_DATED_SENTENCE = 4
_MAX_TEASER = 160
_SENTENCE_ENDS = (".", "!", "?", "…", '"', "”", "»", "'", ")", ":")
_MIN_JSONLD_CHARS = 200
_DATELINE_SEARCH = 3
_LEADING_REPEATS = 5  # title, standfirst, breadcrumb, byline, date...
_TRAILING_LINK_DENSITY = 0.5


def _key(text: str) -> str:
    """Comparison key: lower-cased word tokens."""
    return " ".join(_WORDS.findall(text)).lower()


def _repeats(text: str, keys: set[str]) -> bool:
    """True when ``text`` is one of ``keys`` or a long enough prefix of one."""
    key = _key(text)
    return bool(key) and (key in keys or any(k.startswith(key) and len(key) > 20 for k in keys))


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r", "\n").split("\n") if line.strip()]


def choose_body(generic: list[Block], jsonld_body: str | None) -> tuple[str, list[Block]]:
    """Pick trafilatura's blocks or the page's ``articleBody``: (source, blocks).

    The structured body is used when trafilatura found clearly less text than it holds.
    """
    structured = [Block(p) for p in _paragraphs(jsonld_body)] if jsonld_body else []
    generic_len = sum(len(b.text) for b in generic)
    structured_len = sum(len(b.text) for b in structured)
    if structured_len >= _MIN_JSONLD_CHARS and generic_len < 0.6 * structured_len:
        return "jsonld", structured
    return "trafilatura", generic


def _furniture(text: str) -> bool:
    """A date, byline-like or navigation line rather than article text."""
    if len(text) > 120 or text.startswith(("—", "(")):  # tweet attributions, asides
        return False
    if _FURNITURE.search(text):
        return True
    words = len(text.split())
    if words > _MAX_FURNITURE_WORDS or (text.endswith(".") and words > _MAX_DATED_SENTENCE):
        return False  # "The trial is set for March 2020." is a sentence, not a date line
    return bool(_DATE_LIKE.search(text))


def _closing(block: Block) -> bool:
    """A link, promotion, credit or date line of the kind that follows an article, or a heading
    with nothing under it."""
    return (
        block.tag == "head"
        or block.link_density >= _TRAILING_LINK_DENSITY
        or bool(_CLOSING.search(block.text))
        or _furniture(block.text)
    )


def _teaser(previous: Block, block: Block) -> bool:
    """A one-line summary under a linked headline: a related-story teaser, not article text."""
    return (
        previous.link_density >= _TRAILING_LINK_DENSITY
        and len(block.text) <= _MAX_TEASER
        and not block.text.endswith(_SENTENCE_ENDS)
    )


def linked_share(blocks: Sequence[Block]) -> float:
    """Share of the text of ``blocks`` that sits in mostly-linked lines (high for listings)."""
    total = sum(len(b.text) for b in blocks)
    linked = sum(len(b.text) for b in blocks if b.link_density >= _TRAILING_LINK_DENSITY)
    return linked / total if total else 0.0


def _boilerplate(block: Block) -> bool:
    """Navigation, promotion or address lines, and lines without a word (bare list markers)."""
    text = block.text.removeprefix("- ")
    if not _WORDS.search(text):
        return True
    if _LEGAL.match(text):
        return True
    return len(text) <= _MAX_BOILERPLATE_CHARS and bool(
        _BOILERPLATE.match(text) or _ADDRESS_ONLY.match(text)
    )


def clean_blocks(
    blocks: Sequence[Block],
    *,
    titles: Iterable[str] = (),
    descriptions: Iterable[str] = (),
    dateline: re.Pattern[str] | None = None,
    drop_lines: Iterable[re.Pattern[str]] = (),
) -> list[str]:
    """The body paragraphs without what surrounds an article.

    Drops a leading repeat of the title (or a standfirst heading repeating the description),
    boilerplate and bare addresses anywhere, a trailing run of link lists and boilerplate, and
    lines matching ``drop_lines``; strips ``dateline`` from the first paragraph that opens with it.
    """
    title_keys = {_key(t) for t in titles} - {""}
    description_keys = {_key(d) for d in descriptions} - {""}
    patterns = tuple(drop_lines)
    kept = [
        b for b in blocks if not _boilerplate(b) and not any(p.search(b.text) for p in patterns)
    ]
    for _ in range(_LEADING_REPEATS):
        if kept and (
            _repeats(kept[0].text, title_keys)
            or (kept[0].tag == "head" and _repeats(kept[0].text, description_keys))
            or _furniture(kept[0].text)
        ):
            kept.pop(0)
    while kept and (_closing(kept[-1]) or (len(kept) > 1 and _teaser(kept[-2], kept[-1]))):
        kept.pop()
    paragraphs = [b.text for b in kept]
    if dateline is not None:
        for index, text in enumerate(paragraphs[:_DATELINE_SEARCH]):
            if dateline.match(text):
                paragraphs[index] = dateline.sub("", text, count=1).strip()
                break
    return [p for p in paragraphs if p]
