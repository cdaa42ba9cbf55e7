import pytest

from crawler.extraction.authors import clean_authors


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Jane Doe"], ["Jane Doe"]),
        (["By Jane Doe and John Smith"], ["Jane Doe", "John Smith"]),
        (["Jane Doe, Senior Correspondent"], ["Jane Doe"]),
        (["Jane Doe (jane.doe@example.com)"], ["Jane Doe"]),
        (["jane.doe@example.com", "Email the author"], []),
        (["Jane Doe", "JANE DOE", "jane doe"], ["Jane Doe"]),
        (["Reuters Staff"], []),
        (["Автор: Иван Петров"], ["Иван Петров"]),
        (["Follow @janedoe on Twitter"], []),
        (["https://example.com/authors/jane-doe"], []),
    ],
)
def test_clean_authors(raw: list[str], expected: list[str]) -> None:
    assert clean_authors(raw) == expected


def test_publisher_names_are_not_authors() -> None:
    assert clean_authors(["Example Times", "Jane Doe"], ["Example Times"]) == ["Jane Doe"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["Associated Press", "The Associated Press", "Reuters"], []),
        (["Rachael Link, MS, RD"], ["Rachael Link"]),
        (["Bruce Y. Lee"], ["Bruce Y. Lee"]),
        (["Jeff Foust Monday, November 18, 2019"], ["Jeff Foust"]),
        (["Roger Gonzalez \n Nov 19, 2019"], ["Roger Gonzalez"]),
        (["Admin"], []),
        (["Гость"], []),
        (["Jane Doe\nJohn Smith"], ["Jane Doe", "John Smith"]),
    ],
)
def test_agencies_credentials_dates_and_single_words(raw: list[str], expected: list[str]) -> None:
    assert clean_authors(raw) == expected


def test_site_and_host_names_are_not_authors() -> None:
    site = ["The Telegraph", "linknaija", "beachbodyondemand"]
    assert clean_authors(["Telegraph Sport", "Link Naija", "Beach Body", "Jane Doe"], site) == [
        "Jane Doe"
    ]
