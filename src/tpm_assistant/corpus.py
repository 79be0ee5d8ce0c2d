"""Find, decode and clean the source documents.

Cleaning *skips* noise (image file names, bylines, the reference and related-article lists at the
end); it never rewrites text. Every block it keeps is an exact slice ``text[start:end]`` of the file
decoded as UTF-8 without newline translation, so citations can always be checked against the file.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .config import DEFAULT_MAX_FILE_BYTES

SUFFIXES = (".txt", ".md")

BlockKind = Literal["title", "heading", "paragraph", "bullet", "byline"]

_IMAGE = re.compile(r"^(?:!\[[^\]]*\]\([^)]*\)|\S+\.(?:webp|png|jpe?g|gif|svg|bmp|avif|tiff?))$", re.I)
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_BULLET = re.compile(r"^(?:[•●▪◦‣∙·*+\-–—]|\d{1,3}[.)])[ \t]+")
# "Label: text" bullets; the label is short and has no sentence punctuation of its own.
_LABEL = re.compile(r"([^:.!?\n]{1,100}?):[ \t]+\S")
_BYLINE = re.compile(r"^by\s+\S", re.I)
AUTHOR_PASSAGE = True
AUTHOR_ROLE = True  # the line under the byline (the author's role) is part of the byline passage
# Markdown markup that is not prose: code fences, thematic breaks (and setext underlines), table
# rows, block-quote markers and task-list boxes. Lines of markup are skipped as noise; markers at
# the start of a kept line are stepped over. Text is never rewritten.
_FENCE = re.compile(r"^(`{3,}|~{3,})")
_RULE = re.compile(r"^(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,}|={3,})$")
_TABLE_SEPARATOR = re.compile(r"^\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?$|^\|[ \t]*:?-+:?[ \t]*\|$")
_QUOTE = re.compile(r"^(?:>[ \t]?)+")
_TASK_BOX = re.compile(r"\[[ xX]\][ \t]+")
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


@dataclass(frozen=True)
class Source:
    """A file to index: ``rel`` is what citations name, ``real`` the resolved file to read."""

    rel: str
    real: Path


def _display(rel: str) -> str:
    """A path for reports: names that are not valid UTF-8 show their bytes escaped."""
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # surrogate escapes: the name's bytes are not UTF-8
        return False
    return True


def find_sources(corpus_dir: Path) -> tuple[list[Source], list[SkippedFile]]:
    """Every .txt and .md file under the folder, in a stable order; hidden files are ignored.

    Paths are resolved: a file or folder (usually a symlink) that resolves outside the corpus
    folder is skipped with a reason, and so are symlink loops, files seen twice through links and
    names that are not valid UTF-8.
    """
    root = corpus_dir.resolve()
    found: list[Source] = []
    skipped: list[SkippedFile] = []
    seen_files: dict[Path, str] = {}
    seen_dirs: set[Path] = {root}

    def walk(folder: Path, prefix: str, chain: frozenset[Path]) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(SkippedFile(_display(prefix.rstrip("/") or "."), f"cannot list folder: {exc.strerror or exc}"))
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            rel = prefix + entry.name
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError:
                is_dir = False
            suffix_ok = Path(entry.name).suffix.lower() in SUFFIXES
            if not is_dir and not suffix_ok and not entry.is_symlink():
                continue
            if not _is_utf8(entry.name):
                if is_dir or suffix_ok:
                    skipped.append(SkippedFile(_display(rel), "file name is not valid UTF-8"))
                continue
            try:
                real = Path(os.path.realpath(entry.path, strict=True))
            except (OSError, RuntimeError) as exc:
                loop = isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP
                if loop or suffix_ok:
                    skipped.append(SkippedFile(rel, "symlink loop" if loop else "broken symlink"))
                continue
            if real != root and root not in real.parents:
                if is_dir or suffix_ok:
                    skipped.append(SkippedFile(rel, f"resolves outside the corpus folder (to {_display(str(real))})"))
                continue
            if is_dir:
                if real in chain:  # a link back to a folder we are inside of
                    skipped.append(SkippedFile(rel, "symlink loop"))
                elif real in seen_dirs:
                    skipped.append(SkippedFile(rel, "folder already indexed through another path"))
                else:
                    seen_dirs.add(real)
                    walk(Path(entry.path), rel + "/", chain | {real})
            elif suffix_ok and real.is_file():
                if real in seen_files:
                    skipped.append(SkippedFile(rel, f"same file as {seen_files[real]}"))
                    continue
                seen_files[real] = rel
                found.append(Source(rel, real))

    walk(corpus_dir, "", frozenset({root}))
    return sorted(found, key=lambda s: s.rel), skipped


def decode(raw: bytes) -> str:
    """UTF-8 text, or ValueError with the reason it is not text."""
    if b"\x00" in raw:
        raise ValueError("binary file (contains NUL bytes)")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None


class CorpusStream:
    """The corpus's documents, read and parsed one at a time as they are iterated (a large corpus
    never sits in memory whole). ``skipped`` grows as files turn out unreadable."""

    def __init__(self, corpus_dir: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES):
        self.sources, self.skipped = find_sources(corpus_dir)
        self.max_file_bytes = max_file_bytes

    def __iter__(self) -> Iterator[Document]:
        for source in self.sources:
            doc = self._read(source)
            if doc is not None:
                yield doc

    def _read(self, source: Source) -> Document | None:
        rel = source.rel
        try:
            size = source.real.stat().st_size
            if size > self.max_file_bytes:
                reason = f"too large ({size:,} bytes; the limit is {self.max_file_bytes:,}, TPM_MAX_FILE_BYTES)"
                self.skipped.append(SkippedFile(rel, reason))
                return None
            text = decode(source.real.read_bytes())
        except OSError as exc:
            self.skipped.append(SkippedFile(rel, f"cannot read: {exc.strerror or exc}"))
            return None
        except ValueError as exc:
            self.skipped.append(SkippedFile(rel, str(exc)))
            return None
        doc = parse(text, rel)
        if not doc.blocks:
            self.skipped.append(SkippedFile(rel, "no text to index"))
            return None
        return doc

    def readable(self) -> list[Source]:
        """The sources within the size limit (the ones a version is built from, or tried to be)."""
        out = []
        for source in self.sources:
            try:
                if source.real.stat().st_size <= self.max_file_bytes:
                    out.append(source)
            except OSError:
                continue
        return out

    def all_skipped(self) -> list[SkippedFile]:
        return sorted(self.skipped, key=lambda s: s.path)


def iter_corpus(corpus_dir: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> CorpusStream:
    return CorpusStream(corpus_dir, max_file_bytes)


def load_corpus(corpus_dir: Path, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES) -> tuple[list[Document], list[SkippedFile]]:
    """Parse every readable source file; unreadable ones are reported, not fatal."""
    stream = CorpusStream(corpus_dir, max_file_bytes)
    documents = list(stream)
    return documents, stream.all_skipped()


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
            # Short lines between the title and the first paragraph: author, role, date. The line just
            # under the byline says what the author does ("Co-Founder and Chief Data Scientist"): it
            # joins the byline passage, so "Who wrote this guide? / What's his role?" is answered.
            last = self.doc.blocks[-1] if self.doc.blocks else None
            if AUTHOR_ROLE and last is not None and last.kind == "byline" and not self.doc.text[last.end : start].strip():
                self.doc.blocks[-1] = Block("byline", last.start, end, None, last.section, last.heading)
            else:
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

        fence: str | None = None  # the opening marker of the code block we are in
        table = False
        skip_until = 0  # the end of YAML front matter
        for number, (start, end) in enumerate(_lines(text)):
            if self.back_matter_at is not None:
                break
            line = text[start:end]
            if fence is not None:  # inside a code block: no headings, no prose
                if line.startswith(fence[0] * len(fence)) and not line.strip(fence[0]):
                    fence = None
                if start < end:
                    self.doc.noise.append(Noise(start, end, "code block"))
                continue
            if number == 0 and line == "---":
                front = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M).search(text, end)
                if front:  # YAML front matter: metadata, not text
                    self.doc.noise.append(Noise(start, front.end(), "front matter"))
                    skip_until = front.end()
                    continue
            if start < skip_until:
                continue
            if start == end:
                flush()
                table = False
                continue
            opened = _FENCE.match(line)
            if opened:
                flush()
                fence = opened.group(1)
                self.doc.noise.append(Noise(start, end, "code block"))
                continue
            if (table and "|" in line) or line.startswith("|") or _TABLE_SEPARATOR.match(line):
                if _TABLE_SEPARATOR.match(line) and len(para) == 1 and "|" in text[para[0][0] : para[0][1]]:
                    self.doc.noise.append(Noise(para[0][0], para[0][1], "table"))  # the header row
                    para = []
                flush()
                table = True
                self.doc.noise.append(Noise(start, end, "table"))
                continue
            if _RULE.match(line):
                if len(para) == 1 and bullet is None and line[0] in "=-":  # a setext underline
                    head = para.pop()
                    flush()
                    self.heading(*head)
                else:
                    flush()
                self.doc.noise.append(Noise(start, end, "rule"))
                continue
            quote = _QUOTE.match(line)
            if quote:
                start += quote.end()
                if start >= end:
                    flush()
                    continue
                line = text[start:end]
            if _IMAGE.match(line):
                flush()
                self.doc.noise.append(Noise(start, end, "image file name"))
                continue
            if _BYLINE.match(line) and len(line.split()) <= 8:
                flush()
                if AUTHOR_PASSAGE and not self.seen_body and not any(b.kind == "byline" for b in self.doc.blocks):
                    # "by Imed Bouchrika, PhD" under the title: who wrote the guide, a passage of its
                    # own that only a question about the guide's author is answered from
                    self.doc.blocks.append(Block("byline", start, end, None, self.section, self.heading_span))
                else:
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
                box = _TASK_BOX.match(text, content, end)
                if box:
                    content = box.end()
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
