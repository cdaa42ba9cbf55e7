"""A Scrapy crawler that starts from seed articles and builds a corpus of the related news."""

__version__ = "0.1.0"
