"""The corpus record: one ``Article`` per stored page, handled through itemadapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = 1

@dataclass(slots=True)
class Article:
    """One article of the corpus. Field meanings are documented in README.md and
    ``crawler/schema/article.schema.json``."""

    url: str
    source: str
    title: str
    body: str
    discovered_via: str
    fetched_at: str
    id: str = ""
    canonical_url: str = ""
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    published_raw: str | None = None
    modified: str | None = None
    language: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    referrer: str | None = None
    depth: int = 0
    relevance: float = 0.0
    matched_terms: list[str] = field(default_factory=list)
    is_seed: bool = False
    based_on: str | None = None
    content_hash: str = ""
    extractor: str = ""
    schema_version: int = SCHEMA_VERSION

    @classmethod
    def from_fields(cls, fields: dict[str, Any], **overrides: Any) -> Article:
        """Build an Article from a dict that may carry extra keys (extractor output)."""
        values = {**fields, **overrides}
        return cls(**{name: values[name] for name in cls.__dataclass_fields__ if name in values})
