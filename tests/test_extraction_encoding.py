import pytest

from crawler.extraction import extract_article
from crawler.extraction.encoding import decode_html

TEXT = (
    "Лидеры стран ОДКБ признали события в Казахстане внешней агрессией и решили "
    "совершенствовать союз. Участники внеочередной сессии Совета коллективной безопасности "
    "обсудили ситуацию в республике в формате видеоконференции."
)


def page(charset: str | None) -> str:
    meta = f'<meta charset="{charset}">' if charset else ""
    return f"<html><head>{meta}<title>ОДКБ</title></head><body><p>{TEXT}</p></body></html>"


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r", "utf-8"])
@pytest.mark.parametrize("declared", ["correct", "missing", "wrong"])
def test_cyrillic_pages_decode(encoding: str, declared: str) -> None:
    wrong = {"cp1251": "utf-8", "koi8_r": "windows-1251", "utf-8": "windows-1251"}[encoding]
    charset = {"correct": encoding, "missing": None, "wrong": wrong}[declared]
    data = page(charset).encode(encoding)
    assert TEXT in decode_html(data)
    header = f"text/html; charset={charset}" if charset else "text/html"
    assert TEXT in decode_html(page(None).encode(encoding), header)


def test_cp1251_page_claiming_utf8_in_header_and_meta() -> None:
    data = page("utf-8").encode("cp1251")
    record = extract_article(data, "https://example.ru/a", content_type="text/html; charset=UTF-8")
    assert TEXT in record["body"]
    assert record["language"] == "ru"


def test_bom_and_str_input() -> None:
    assert TEXT in decode_html(b"\xef\xbb\xbf" + page("cp1251").encode("utf-8"))
    assert decode_html("<p>уже текст</p>", "text/html; charset=koi8-r") == "<p>уже текст</p>"


def test_western_single_byte_page_keeps_accents() -> None:
    text = "Les dirigeants de l'OTSC ont jugé que les événements étaient une agression extérieure."
    html = f"<html><head><meta charset='windows-1252'></head><body><p>{text}</p></body></html>"
    assert text in decode_html(html.encode("cp1252"))
    assert text in decode_html(html.replace("windows-1252", "utf-8").encode("cp1252"))
