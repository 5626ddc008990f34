"""Read the numbers on a page: every <a data-count> with its href."""

from html import unescape
from html.parser import HTMLParser


class CountLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "data-count" in attrs:
            self.links.append((unescape(attrs["href"]), int(attrs["data-count"])))


def count_links(html: str) -> list[tuple[str, int]]:
    parser = CountLinks()
    parser.feed(html)
    return parser.links
