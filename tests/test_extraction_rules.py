from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.errors import InputError
from crawler.extraction import extract_article
from crawler.extraction.rules import load_rules, rule_for

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
FETCHED = datetime(2022, 3, 1, tzinfo=UTC)


def extract(name: str, url: str) -> dict:
    return extract_article((FIXTURES / name).read_bytes(), url, fetched_at=FETCHED)


def test_tass() -> None:
    record = extract("tass.html", "https://tass.com/politics/1385617")
    assert record["extractor"].startswith("rule:tass")
    assert record["title"] == "CSTO leaders recognize events in Kazakhstan as external aggression"
    paragraphs = record["body"].split("\n\n")
    assert paragraphs[0].startswith("The events in Kazakhstan were an attempt")  # the lead
    assert paragraphs[1].startswith("The events in Kazakhstan")  # dateline removed
    assert "/TASS/" not in record["body"] and "Read also" not in record["body"]
    assert len(paragraphs) == 4
    assert record["published"] == "2022-01-10T18:48:00Z"
    assert record["published_raw"] == "2022-01-10T21:48:00+03:00"
    assert record["based_on"] == "TASS"
    assert record["authors"] == []
    assert record["image"] == "https://tass.com/img/2022/01/10/csto.jpg"


def test_kremlin() -> None:
    record = extract("kremlin.html", "http://en.kremlin.ru/events/president/news/67559")
    assert record["extractor"] == "rule:kremlin"
    assert record["title"] == "Extraordinary session of CSTO Collective Security Council"
    assert record["body"].startswith("Vladimir Putin took part, via videoconference")
    assert "Publication date" not in record["body"] and "Direct link" not in record["body"]
    assert record["published"] == "2022-01-10T11:15:00Z"  # 14:15 Moscow time
    assert record["page_type"] == "article"


def test_kazinform() -> None:
    record = extract("kazinform.html", "https://www.inform.kz/en/csto-peacekeepers_a3886754")
    assert record["extractor"] == "rule:kazinform"
    assert record["body"].startswith("The CSTO peacekeeping contingent will leave")
    assert "KAZINFORM" not in record["body"]
    assert record["authors"] == ["Aigerim Zhumabekova"]
    assert record["published"] == "2022-01-10T04:10:00Z"  # 10:10 in Almaty
    assert record["published_raw"] == "10 January 2022, 10:10"
    assert record["based_on"] == "Kazinform"


def test_russia_islworld() -> None:
    url = (
        "https://russia-islworld.ru/en/main/csto-leaders-recognized-events-in-kazakhstan-as-"
        "external-aggression-and-decided-to-improve-the-alliance-2022-01-10-21826/"
    )
    record = extract("russia-islworld.html", url)
    assert record["extractor"] == "rule:russia-islworld"
    assert record["published"] == "2022-01-10T00:00:00Z"
    assert record["based_on"] == "TASS"
    body = record["body"]
    assert body.endswith("TASS compiled the key statements made at the meeting.")
    assert "Photo:" not in body and "GSV" not in body and "Based on materials" not in body


def test_rule_lookup_by_host() -> None:
    assert rule_for("https://tass.com/world/1").name == "tass"
    assert rule_for("https://www.tass.com/world/1").name == "tass"
    assert rule_for("https://example.com/tass.com") is None


def test_site_without_rule_uses_generic_path() -> None:
    record = extract("tass.html", "https://example.com/politics/1385617")
    assert record["extractor"].startswith("trafilatura")
    assert "Kassym-Jomart Tokayev called what happened a coup attempt" in record["body"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[[rule]]\nhosts = ["a.com"]', "without a name"),
        ('[[rule]]\nname = "a"', "needs a non-empty 'hosts'"),
        ('[[rule]]\nname = "a"\nhosts = ["a.com"]\nbody = "div[["', "bad 'body'"),
        ('[[rule]]\nname = "a"\nhosts = ["a.com"]\ndateline = "("', "bad 'dateline'"),
        ('[[rule]]\nname = "a"\nhosts = ["a.com"]\nbodyy = "p"', "unknown keys"),
        ("[[rule]\n", "invalid TOML"),
    ],
)
def test_bad_rules_give_one_line_errors(text: str, problem: str) -> None:
    with pytest.raises(InputError, match=r"^rules\.toml: ") as info:
        load_rules(text, "rules.toml")
    assert problem in str(info.value)
    assert "\n" not in str(info.value)
