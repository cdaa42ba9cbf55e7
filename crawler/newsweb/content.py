"""Article records of the local news web, loaded from the TOML files in ``data/``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from crawler.errors import InputError

DATA_DIR = Path(__file__).parent / "data"

_REQUIRED = ("id", "slug", "published", "title", "lead", "author", "related", "paragraphs")


@dataclass(frozen=True)
class Article:
    """One article as written in a data file; ``key`` is ``"<site>/<id>"``."""

    site: str
    id: str
    slug: str
    section: str
    published: datetime
    title: str
    lead: str
    author: str
    related: bool
    paragraphs: tuple[str, ...]
    tags: tuple[str, ...] = ()
    related_links: tuple[str, ...] = ()
    syndicated_of: str | None = None
    photo: str = ""
    place: str = ""

    @property
    def key(self) -> str:
        return f"{self.site}/{self.id}"

    @property
    def text(self) -> str:
        """Title, lead and body as one string (what search matches against)."""
        return "\n".join((self.title, self.lead, *self.paragraphs))


@dataclass
class Corpus:
    """All articles of all sites, indexed by key."""

    by_key: dict[str, Article] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)  # keys not published yet

    def for_site(self, site: str, *, include_hidden: bool = False) -> list[Article]:
        """The site's published articles (all with ``include_hidden``), newest first."""
        found = [
            a
            for a in self.by_key.values()
            if a.site == site and (include_hidden or a.key not in self.hidden)
        ]
        return sorted(found, key=lambda a: a.published, reverse=True)

    def resolve(self, site: str, ref: str) -> Article:
        """Look up a related-link reference: ``"<id>"`` on ``site`` or ``"<site>/<id>"``."""
        key = ref if "/" in ref else f"{site}/{ref}"
        return self.by_key[key]


def _article(site: str, raw: dict, where: Path) -> Article:
    missing = [name for name in _REQUIRED if name not in raw]
    if missing:
        raise InputError(where, f"article {raw.get('id', '?')} lacks {', '.join(missing)}")
    published = raw["published"]
    if not isinstance(published, datetime) or published.tzinfo is None:
        raise InputError(where, f"article {raw['id']}: published must be an offset date-time")
    paragraphs = tuple(p.strip() for p in raw["paragraphs"].split("\n\n") if p.strip())
    return Article(
        site=site,
        id=str(raw["id"]),
        slug=raw["slug"],
        section=raw.get("section", ""),
        published=published,
        title=raw["title"],
        lead=raw["lead"],
        author=raw["author"],
        related=bool(raw["related"]),
        paragraphs=tuple(" ".join(p.split()) for p in paragraphs),
        tags=tuple(raw.get("tags", ())),
        related_links=tuple(str(x) for x in raw.get("related_links", ())),
        syndicated_of=raw.get("syndicated_of"),
        photo=raw.get("photo", ""),
        place=raw.get("place", ""),
    )


def load_corpus(data_dir: Path = DATA_DIR) -> Corpus:
    """Read every ``*.toml`` file in ``data_dir`` (one file per site, ``site = "<key>"``)."""
    corpus = Corpus()
    files: dict[str, Path] = {}
    for path in sorted(data_dir.glob("*.toml")):
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
        site = doc.get("site")
        if not site:
            raise InputError(path, "missing top-level 'site' key")
        files[site] = path
        for raw in doc.get("articles", ()):
            article = _article(site, raw, path)
            if article.key in corpus.by_key:
                raise InputError(path, f"duplicate article {article.key}")
            corpus.by_key[article.key] = article
    for article in corpus.by_key.values():
        for ref in (*article.related_links, *filter(None, [article.syndicated_of])):
            key = ref if "/" in ref else f"{article.site}/{ref}"
            if key not in corpus.by_key:
                raise InputError(files[article.site], f"{article.id} links unknown article {ref}")
    return corpus
