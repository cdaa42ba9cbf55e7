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
