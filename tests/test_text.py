from __future__ import annotations

from crawler.text import (
    content_hash,
    credited_agency,
    is_credit_line,
    normalize_text,
    split_credits,
)


def test_normalize_text() -> None:
    raw = "Cafe\u0301  news\u00a0today \r\n\r\n\r\n  second\tpara \x07\n"
    assert normalize_text(raw) == "Café news today\n\nsecond para"


def test_content_hash_ignores_case_spacing_and_punctuation_only() -> None:
    assert content_hash("Hello,  World!") == content_hash("hello world")
    assert content_hash("hello world") != content_hash("hello word")


def test_credits() -> None:
    paragraphs = [
        "Body paragraph one.",
        "Body two.",
        'GSV "Russia - Islamic World"',
        "Photo: kremlin.ru",
        "Based on materials from TASS",
    ]
    body, credits = split_credits(paragraphs)
    assert body == ["Body paragraph one.", "Body two."]
    assert credited_agency(credits) == "TASS"
    assert is_credit_line("По материалам РИА Новости")
    assert credited_agency(["По материалам РИА Новости"]) == "РИА Новости"
    assert split_credits(["Body.", "Short closing line"]) == (["Body.", "Short closing line"], [])
