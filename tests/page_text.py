"""What a reader sees of a page: its visible text, tags removed, entities
decoded and white space folded."""

import re
from html.parser import HTMLParser


class _TextExtractor(HTMLParser):
    _hidden = {"script", "style", "head", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._hidden:
            self._hidden_depth += 1
        elif tag in {"p", "li", "h1", "h2", "h3", "h4", "section", "div", "br", "ol", "ul"}:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self._hidden:
            self._hidden_depth -= 1
        elif tag in {"p", "li", "h1", "h2", "h3", "h4"}:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._hidden_depth:
            self.parts.append(data)


def visible_text(html):
    extractor = _TextExtractor()
    extractor.feed(html)
    lines = (
        re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(extractor.parts).split("\n")
    )
    return "\n".join(line for line in lines if line)
