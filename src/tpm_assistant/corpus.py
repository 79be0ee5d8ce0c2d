"""Find, decode and clean the source documents.

Cleaning *skips* noise (image file names, bylines, the reference and related-article lists at the
end); it never rewrites text. Every block it keeps is an exact slice ``text[start:end]`` of the file
decoded as UTF-8 without newline translation, so citations can always be checked against the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

SUFFIXES = (".txt", ".md")

BlockKind = Literal["title", "heading", "paragraph", "bullet"]

_IMAGE = re.compile(r"^(?:!\[[^\]]*\]\([^)]*\)|\S+\.(?:webp|png|jpe?g|gif|svg|bmp|avif|tiff?))$", re.I)
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_BULLET = re.compile(r"^(?:[•●▪◦‣∙·*+\-–—]|\d{1,3}[.)])[ \t]+")
# "Label: text" bullets; the label is short and has no sentence punctuation of its own.
_LABEL = re.compile(r"([^:.!?\n]{1,100}?):[ \t]+\S")
_BYLINE = re.compile(r"^by\s+\S", re.I)
# Headings that open the back matter of a web article: everything after them lists other pages.
_BACK_MATTER = {
    "references",
    "sources",
    "bibliography",
    "further reading",
    "see also",
    "related articles",
    "related posts",
    "recently published",
    "recently published articles",
    "you may also like",
}
_SPACE = " \t\r\ufeff\u00a0"


@dataclass(frozen=True)
class Block:
    """A kept piece of a document: ``text[start:end]`` is its content (bullet glyph excluded)."""

    kind: BlockKind
    start: int
    end: int
    label_end: int | None = None  # for "Label: text" bullets, the offset where the label ends
    section: str = ""  # the heading the block sits under (for headings, the heading itself)
    heading: tuple[int, int] = (-1, -1)  # offsets of that heading in the file; (-1, -1) if none


@dataclass(frozen=True)
class Noise:
    """A span that cleaning skipped, and why."""

    start: int
    end: int
    reason: str


@dataclass
class Document:
    source: str  # path relative to the corpus folder, with forward slashes
    text: str
    blocks: list[Block] = field(default_factory=list)
    noise: list[Noise] = field(default_factory=list)

    def slice(self, block: Block) -> str:
        return self.text[block.start : block.end]


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


def find_sources(corpus_dir: Path) -> list[Path]:
    """Every .txt and .md file under the folder, in a stable order; hidden files are ignored."""
    found = []
    for path in corpus_dir.rglob("*"):
        rel = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix.lower() in SUFFIXES and path.is_file():
            found.append(path)
    return sorted(found, key=lambda p: p.relative_to(corpus_dir).as_posix())


def decode(raw: bytes) -> str:
    """UTF-8 text, or ValueError with the reason it is not text."""
    if b"\x00" in raw:
        raise ValueError("binary file (contains NUL bytes)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None


def load_corpus(corpus_dir: Path) -> tuple[list[Document], list[SkippedFile]]:
    """Parse every readable source file; unreadable ones are reported, not fatal."""
    documents: list[Document] = []
    skipped: list[SkippedFile] = []
    for path in find_sources(corpus_dir):
        rel = path.relative_to(corpus_dir).as_posix()
        try:
            text = decode(path.read_bytes())
        except OSError as exc:
            skipped.append(SkippedFile(rel, f"cannot read: {exc.strerror or exc}"))
            continue
        except ValueError as exc:
            skipped.append(SkippedFile(rel, str(exc)))
            continue
        doc = parse(text, rel)
        if not doc.blocks:
            skipped.append(SkippedFile(rel, "no text to index"))
            continue
        documents.append(doc)
    return documents, skipped


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every line's content, without its newline and surrounding spaces.

    Blank lines come out as ``start == end``.
    """
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        stop = n if nl == -1 else nl
        start, end = pos, stop
        while start < end and text[start] in _SPACE:
            start += 1
        while end > start and text[end - 1] in _SPACE:
            end -= 1
        yield start, end
        if nl == -1:
            break
        pos = nl + 1


def _looks_like_heading(line: str) -> bool:
    """A short line with no closing sentence punctuation (or a question) standing on its own."""
    words = line.split()
    if not words or len(words) > 20:
        return False
    if line[-1] in ".,;:!" or line.endswith(('."', '.”')):
        return False
    return line[0].isupper() or line[0].isdigit()


class _Parser:
    def __init__(self, text: str, source: str):
        self.doc = Document(source=source, text=text)
        self.section = ""
        self.heading_span = (-1, -1)
        self.seen_body = False
        self.back_matter_at: int | None = None

    def heading(self, start: int, end: int) -> None:
        text = self.doc.text[start:end]
        if text.strip().rstrip(":").lower() in _BACK_MATTER:
            self.back_matter_at = start
            return
        kind: BlockKind = "heading"
        if not self.section and not self.seen_body:
            kind = "title"
        elif not self.seen_body:
            # Short lines between the title and the first paragraph: author, role, date.
            self.doc.noise.append(Noise(start, end, "byline"))
            return
        self.section = text
        self.heading_span = (start, end)
        self.doc.blocks.append(Block(kind, start, end, section=text, heading=self.heading_span))

    def body(self, kind: BlockKind, start: int, end: int, label_end: int | None = None) -> None:
        self.seen_body = True
        self.doc.blocks.append(Block(kind, start, end, label_end, self.section, self.heading_span))

    def run(self) -> Document:
        text = self.doc.text
        para: list[tuple[int, int]] = []  # lines of the paragraph being collected
        bullet: list[int] | None = None  # [start, end, label_end or -1] of the open bullet

        def flush() -> None:
            nonlocal para, bullet
            if bullet is not None:
                label = bullet[2] if bullet[2] >= 0 else None
                self.body("bullet", bullet[0], bullet[1], label)
                bullet = None
            if para:
                start, end = para[0][0], para[-1][1]
                single = text[start:end]
                if len(para) == 1 and _looks_like_heading(single):
                    self.heading(start, end)
                else:
                    self.body("paragraph", start, end)
                para = []

        for start, end in _lines(text):
            if self.back_matter_at is not None:
                break
            line = text[start:end]
            if start == end:
                flush()
                continue
            if _IMAGE.match(line):
                flush()
                self.doc.noise.append(Noise(start, end, "image file name"))
                continue
            if _BYLINE.match(line) and len(line.split()) <= 8:
                flush()
                self.doc.noise.append(Noise(start, end, "byline"))
                continue
            md = _MD_HEADING.match(line)
            if md:
                flush()
                self.heading(start + md.start(2), start + md.end(2))
                continue
            marker = _BULLET.match(line)
            if marker:
                flush()
                content = start + marker.end()
                # A bullet with an empty label (": "quote"") starts at the quote.
                while content < end and text[content] in ": \t":
                    content += 1
                if content >= end:
                    continue
                label = _LABEL.match(text, content, end)
                bullet = [content, end, content + len(label.group(1)) if label else -1]
                continue
            if bullet is not None:  # a wrapped bullet continues on the next line
                bullet[1] = end
                continue
            para.append((start, end))
        flush()
        if self.back_matter_at is not None:
            self.doc.noise.append(Noise(self.back_matter_at, len(text), "reference and related-article lists"))
        return self.doc


def parse(text: str, source: str) -> Document:
    """Split a decoded document into titled, sectioned blocks, skipping noise."""
    return _Parser(text, source).run()
