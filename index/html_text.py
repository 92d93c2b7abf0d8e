"""Article text and metadata from a web page, without navigation, scripts or page chrome."""

import json
from itertools import groupby

from bs4 import BeautifulSoup, Tag

from index.documents import clean_value

_DROP_TAGS = [
    *("script", "style", "noscript", "template", "nav", "header", "footer", "aside"),
    *("form", "iframe", "svg"),
]
_BLOCK_TAGS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td"]
_CONTAINER_TAGS = ["div", "section", "article", "main", "body"]


def extract(html: str) -> tuple[str, dict[str, str | None]]:
    """A web page's article paragraphs, and its title, date, outlet, author and URL."""
    soup = BeautifulSoup(html, "html.parser")
    meta = _html_meta(soup)  # before the drop below removes the JSON-LD scripts
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")  # keeps the words on either side of a <br> apart
    # Pages often add teaser <article>s for related stories; the story is the longest one.
    articles = soup.select("article")
    root = max(articles, key=lambda a: len(a.get_text())) if articles else None
    root = root or soup.select_one("main") or soup.body or soup
    return _html_text(root), meta


def _html_text(root: Tag) -> str:
    """Outermost block elements' text, whitespace collapsed, one paragraph per block."""
    paragraphs = []
    for block in root.find_all(_BLOCK_TAGS):
        if not _inside_block(block, root) and (text := " ".join(block.get_text().split())):
            paragraphs.append(text)
    return "\n\n".join(paragraphs or _loose_paragraphs(root))


def _loose_paragraphs(root: Tag) -> list[str]:
    """For pages that put text straight into divs: one paragraph per run of text in one div."""
    runs = groupby(root.strings, key=lambda string: id(string.find_parent(_CONTAINER_TAGS)))
    texts = (" ".join("".join(run).split()) for _, run in runs)
    return [text for text in texts if text]


def _inside_block(tag: Tag, root: Tag) -> bool:
    """Whether a block element sits in another block below root, whose text already holds it."""
    for parent in tag.parents:
        if parent is root:
            return False
        if parent.name in _BLOCK_TAGS:
            return True
    return False


def _html_meta(soup: BeautifulSoup) -> dict[str, str | None]:
    """Title, date, outlet, author and URL from meta tags, JSON-LD and the page itself."""
    ld = _json_ld(soup)
    return {
        "title": _meta_tag(soup, "og:title") or _select(soup, "title") or _select(soup, "h1"),
        "published": _meta_tag(soup, "article:published_time")
        or _first(ld, "datePublished")
        or _select(soup, "time[datetime]", "datetime"),
        "source": _meta_tag(soup, "og:site_name") or _first(ld, "publisher"),
        "author": _meta_tag(soup, "author") or _first(ld, "author"),
        "url": _meta_tag(soup, "og:url") or _select(soup, "link[rel~=canonical]", "href"),
    }


def _meta_tag(soup: BeautifulSoup, key: str) -> str | None:
    """The content of a <meta> tag named by property (Open Graph) or by name."""
    return _select(soup, f'meta[property="{key}"], meta[name="{key}"]', "content")


def _select(soup: BeautifulSoup, selector: str, attribute: str | None = None) -> str | None:
    """The text, or the given attribute, of the first element matching a CSS selector."""
    tag = soup.select_one(selector)
    if tag is None:
        return None
    return clean_value(tag.get(attribute) if attribute else tag.get_text())


def _json_ld(soup: BeautifulSoup) -> list[dict[str, object]]:
    """Every object in the page's JSON-LD blocks, including those in an @graph."""
    objects: list[dict[str, object]] = []
    for script in soup.select('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.get_text())
        except ValueError:
            continue  # broken structured data is common and the page is still readable
        for obj in data if isinstance(data, list) else [data]:
            if isinstance(obj, dict):
                objects.append(obj)
                graph = obj.get("@graph")
                if isinstance(graph, list):
                    objects += [g for g in graph if isinstance(g, dict)]
    return objects


def _first(objects: list[dict[str, object]], key: str) -> str | None:
    """The first usable value of key among JSON-LD objects (names for people and outlets)."""
    return next((v for obj in objects if (v := clean_value(obj.get(key)))), None)
