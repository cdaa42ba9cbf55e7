"""HTML snippets shared by the site templates: metadata blocks and page chrome to strip."""

from __future__ import annotations

import json
from html import escape
from urllib.parse import quote

from crawler.newsweb.content import Article


def h(text: str) -> str:
    """Escape text for HTML content and attribute values."""
    return escape(text, quote=True)


def json_ld(article: Article, url: str, publisher: str, image: str = "") -> str:
    """A NewsArticle JSON-LD block."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": article.title,
        "description": article.lead,
        "datePublished": article.published.isoformat(),
        "dateModified": article.published.isoformat(),
        "author": {"@type": "Person", "name": article.author},
        "publisher": {"@type": "Organization", "name": publisher},
        "keywords": list(article.tags),
        "inLanguage": "en",
    }
    if image:
        data["image"] = [image]
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>'


def breadcrumbs_ld(items: list[tuple[str, str]]) -> str:
    """A BreadcrumbList JSON-LD block (a second, non-article block pages often carry)."""
    data = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, "item": url}
            for i, (name, url) in enumerate(items, 1)
        ],
    }
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def open_graph(article: Article, url: str, site_name: str, title: str, image: str = "") -> str:
    """OpenGraph and article:* meta tags."""
    tags = [
        ("og:type", "article"),
        ("og:site_name", site_name),
        ("og:title", title),
        ("og:description", article.lead),
        ("og:url", url),
        ("article:published_time", article.published.isoformat()),
        *(("article:tag", t) for t in article.tags),
    ]
    if image:
        tags.append(("og:image", image))
    return "".join(f'<meta property="{p}" content="{h(v)}">' for p, v in tags)


def share_bar(url: str, title: str, css: str = "share") -> str:
    """Social share links (off-site hosts end in the reserved ``.invalid`` TLD: never reachable)."""
    u, t = quote(url, safe=""), quote(title, safe="")
    return (
        f'<div class="{css}"><span>Share:</span>'
        f'<a href="https://www.facebook.com.invalid/sharer/sharer.php?u={u}" '
        'rel="nofollow">Facebook</a>'
        f'<a href="https://twitter.com.invalid/intent/tweet?url={u}&amp;text={t}" '
        'rel="nofollow">Twitter</a>'
        f'<a href="https://t.me.invalid/share/url?url={u}" rel="nofollow">Telegram</a>'
        f'<a href="mailto:?subject={t}&amp;body={u}">E-mail</a></div>'
    )


def cookie_notice(site_name: str) -> str:
    """A cookie consent banner."""
    return (
        '<div class="cookie-notice" role="dialog"><p>We use cookies to improve your experience '
        f"on {h(site_name)} and to analyse traffic. By continuing to browse the site you agree "
        'to our use of cookies. <a href="/privacy/">Learn more</a></p>'
        '<button type="button">Accept</button></div>'
    )


def newsletter(site_name: str) -> str:
    """A newsletter sign-up prompt."""
    return (
        '<aside class="newsletter"><h3>Get the morning briefing</h3>'
        f"<p>The day's top stories from {h(site_name)}, delivered to your inbox at 7 am. Free.</p>"
        '<form action="/subscribe" method="post"><input type="email" name="email" '
        'placeholder="Your e-mail"><button type="submit">Subscribe</button></form></aside>'
    )


def pager(links: list[tuple[int, str]], current: int, css: str = "pagination") -> str:
    """Numbered pagination links; ``links`` holds (page number, href)."""
    items = "".join(
        f'<li class="active"><span>{n}</span></li>'
        if n == current
        else f'<li><a href="{h(href)}">{n}</a></li>'
        for n, href in links
    )
    nxt = next((href for n, href in links if n == current + 1), None)
    more = f'<li class="next"><a href="{h(nxt)}" rel="next">Next &raquo;</a></li>' if nxt else ""
    return f'<nav class="{css}"><ul>{items}{more}</ul></nav>' if len(links) > 1 else ""
