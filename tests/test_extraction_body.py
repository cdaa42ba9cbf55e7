import re
from pathlib import Path

from lxml import etree
from trafilatura.utils import load_html

from crawler.extraction.body import clean_blocks
from crawler.extraction.generic import (
    Block,
    add_missing_chunks,
    restore_link_spaces,
    trafilatura_blocks,
)

FIXTURES = Path(__file__).parent / "fixtures" / "extraction"
STORY = [
    Block("The alliance sent troops within a day of the request for help from the president."),
    Block("Officials said on Monday that order had been restored in Almaty after days of clashes."),
]


def test_leading_title_and_standfirst_heading_dropped() -> None:
    blocks = [
        Block("Troops sent to Almaty"),
        Block("The alliance acted within a day.", tag="head"),
        *STORY,
    ]
    kept = clean_blocks(
        blocks,
        titles=["Troops sent to Almaty | Example"],
        descriptions=["The alliance acted within a day."],
    )
    assert kept == [b.text for b in STORY]


def test_lead_paragraph_repeating_description_is_kept() -> None:
    kept = clean_blocks(STORY, descriptions=[STORY[0].text])
    assert kept == [b.text for b in STORY]


def test_page_furniture_around_the_story_dropped() -> None:
    blocks = [
        Block("Home » World » Asia"),
        Block("By Jane Doe"),
        Block("Published 10 January 2022, 10:10"),
        Block("3 min read"),
        *STORY,
        Block("Updated at 1:23 p.m."),
        Block("Most read", tag="head"),
    ]
    assert clean_blocks(blocks) == [b.text for b in STORY]


def test_sentences_starting_like_boilerplate_kept() -> None:
    blocks = [
        Block("Subscribers to the service rose by a third in the last quarter of the year."),
        Block("Copyright law was changed in the same session of parliament."),
        Block("Recommended doses were cut after the trial."),
        *STORY,
    ]
    assert len(clean_blocks(blocks)) == 5


def test_short_closing_sentence_with_a_year_kept() -> None:
    blocks = [*STORY, Block("The trial is set for March 2020.")]
    assert clean_blocks(blocks)[-1] == "The trial is set for March 2020."


def test_boilerplate_and_closing_promotions_dropped() -> None:
    blocks = [
        STORY[0],
        Block("Read more: Tokayev names a new prime minister", link_density=0.8),
        Block("https://example.com/world/2022/01/10/story"),
        STORY[1],
        Block("- Another story", tag="item", link_density=1.0),
        Block("- Yet another story", tag="item", link_density=1.0),
        Block("Follow her on Twitter for more coverage of Central Asia."),
        Block("Copyright 2022 Example News. All rights reserved."),
    ]
    assert clean_blocks(blocks) == [b.text for b in STORY]


def test_credit_lines_dropped() -> None:
    blocks = [
        STORY[0],
        Block("Photo: Sergei Bobylev/TASS"),
        STORY[1],
        Block("Based on materials from TASS"),
        Block("Фото: пресс-служба Акорды"),
    ]
    assert clean_blocks(blocks) == [b.text for b in STORY]


def test_linked_paragraph_inside_the_story_kept() -> None:
    blocks = [STORY[0], Block("A paragraph that is all one link.", link_density=1.0), STORY[1]]
    assert len(clean_blocks(blocks)) == 3


def test_site_dateline_and_drop_lines() -> None:
    blocks = [Block("MOSCOW, January 10. /TASS/. Leaders met."), Block("Photo: kremlin.ru")]
    kept = clean_blocks(
        blocks,
        dateline=re.compile(r"^[A-Z]+, \w+ \d+\. /TASS/\.\s*"),
        drop_lines=[re.compile("^Photo:")],
    )
    assert kept == ["Leaders met."]


def test_body_split_into_sibling_chunks_is_joined() -> None:
    tree = load_html((FIXTURES / "split_body.html").read_text("utf-8"))
    first_chunk = [Block(p.text_content()) for p in tree.xpath("//p")[:2]]
    joined = add_missing_chunks(tree, first_chunk)
    assert len(joined) == 6
    assert joined[-1].text.startswith("The alliance's secretary general said")
    assert not any("summary" in b.text for b in joined)


def test_related_story_cards_are_not_chunks() -> None:
    tree = load_html((FIXTURES / "split_body.html").read_text("utf-8"))
    card = [Block(tree.xpath('//div[@class="story-card"]/p')[0].text_content())]
    assert add_missing_chunks(tree, card) == card


def test_teasers_under_linked_headlines_dropped() -> None:
    blocks = [
        *STORY,
        Block("Pochettino fired by Tottenham", link_density=1.0),
        Block("He took the club to the Champions League final in June", tag="head"),
        Block("-"),
        Block("Results from the expansion draft", link_density=1.0),
        Block("Here is what you need to know about the draft", tag="head"),
    ]
    assert clean_blocks(blocks) == [b.text for b in STORY]


def test_space_after_links_restored() -> None:
    body = etree.fromstring(
        "<body><p>The <ref>MacBook Pro</ref>was released, <ref>it</ref>'s new.</p></body>"
    )
    restore_link_spaces(body)
    assert "".join(body.itertext()) == "The MacBook Pro was released, it's new."


def test_captions_repeating_image_alt_text_dropped() -> None:
    story = "<br><br>".join(b.text for b in STORY * 3)
    figure = (
        "<div><img src='a.jpg' alt='The summit by video link'><p>The summit by video link</p></div>"
    )
    html = f"<html><body><div class='article-text'>{story}{figure}{story}</div></body></html>"
    texts = [b.text for b in trafilatura_blocks(load_html(html), "https://example.com/a")]
    assert STORY[0].text in texts
    assert "The summit by video link" not in texts
