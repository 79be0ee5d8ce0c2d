"""Loading and cleaning: offsets survive, noise is skipped, bad files are reported."""

from __future__ import annotations

from pathlib import Path

from conftest import GUIDE, GUIDE_DIR

from tpm_assistant.corpus import load_corpus, parse


def guide():
    docs, skipped = load_corpus(GUIDE_DIR)
    assert not skipped
    return docs[0]


def test_every_kept_block_is_an_exact_slice_of_the_decoded_file():
    doc = guide()
    raw = GUIDE.read_bytes().decode("utf-8")
    assert doc.text == raw
    for block in doc.blocks:
        assert doc.slice(block) == raw[block.start : block.end]
        assert doc.slice(block) == doc.slice(block).strip()


def test_noise_is_skipped_not_rewritten():
    doc = guide()
    kept = "\n".join(doc.slice(b) for b in doc.blocks if b.kind != "byline")
    reasons = {n.reason for n in doc.noise}
    assert {"byline", "image file name", "reference and related-article lists"} <= reasons
    for noise in ("Imed Bouchrika", "Chief Data Scientist", ".webp", "Geoscientist", "MSW vs. MPH", "Related Articles"):
        assert noise not in kept
    # The back matter runs from "References" to the end of the file.
    tail = next(n for n in doc.noise if n.reason.startswith("reference"))
    assert doc.text[tail.start :].startswith("References") and tail.end == len(doc.text)


def test_the_byline_under_the_title_is_a_block_of_its_own(monkeypatch):
    """"by Imed Bouchrika, PhD" under the title says who wrote the guide: a "byline" block (a
    passage only a question on the author is answered from), with the role on the line under it
    (corpus.AUTHOR_ROLE; off: the byline alone); the author's name on a line of its own above it,
    and bylines further down, stay noise. corpus.AUTHOR_PASSAGE off: all noise."""
    from tpm_assistant import corpus

    [byline] = [b for b in guide().blocks if b.kind == "byline"]
    assert guide().slice(byline) == "by Imed Bouchrika, PhD\n\nCo-Founder and Chief Data Scientist"
    monkeypatch.setattr(corpus, "AUTHOR_ROLE", False)
    [byline] = [b for b in guide().blocks if b.kind == "byline"]
    assert guide().slice(byline) == "by Imed Bouchrika, PhD"
    monkeypatch.setattr(corpus, "AUTHOR_PASSAGE", False)
    assert not [b for b in guide().blocks if b.kind == "byline"]


def test_headings_become_sections_and_bullets_keep_their_labels():
    doc = guide()
    headings = [doc.slice(b) for b in doc.blocks if b.kind == "heading"]
    assert "How much can you earn as a technical project manager?" in headings
    assert "Hard skills vs. leadership skills" in headings
    title = next(b for b in doc.blocks if b.kind == "title")
    assert doc.slice(title).startswith("2026 How to Become a Technical Project Manager")
    bullet = next(b for b in doc.blocks if b.kind == "bullet" and doc.slice(b).startswith("Heavy workload"))
    assert doc.text[bullet.start : bullet.label_end] == "Heavy workload and stress"
    assert bullet.section == "What challenges will you encounter as a technical project manager?"
    assert doc.text[bullet.heading[0] : bullet.heading[1]] == bullet.section


def test_undecodable_and_binary_files_are_reported_and_the_rest_is_loaded(tmp_path: Path):
    (tmp_path / "good.md").write_text("# Title\n\nA paragraph that is long enough to be body text.\n")
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 au lait, a sentence in Latin-1.\n".encode("latin-1"))
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.4")  # not a .txt or .md: not even looked at
    docs, skipped = load_corpus(tmp_path)
    assert [d.source for d in docs] == ["good.md"]
    reasons = {s.path: s.reason for s in skipped}
    assert set(reasons) == {"latin1.txt", "image.txt"}
    assert "UTF-8" in reasons["latin1.txt"] and "binary" in reasons["image.txt"]


def test_windows_newlines_and_markdown_keep_exact_offsets():
    text = "# Pay\r\n\r\nEntry-level pay is $50,000.\r\n\r\n- Tools: Jira and Trello.\r\n- Second item\r\n  continues here.\r\n"
    doc = parse(text, "x.md")
    kinds = [(b.kind, doc.slice(b)) for b in doc.blocks]
    assert kinds == [
        ("title", "Pay"),
        ("paragraph", "Entry-level pay is $50,000."),
        ("bullet", "Tools: Jira and Trello."),
        ("bullet", "Second item\r\n  continues here."),
    ]
    assert all("\r" not in doc.slice(b)[-1:] for b in doc.blocks)


# -- what is read: nothing from outside the corpus folder (issue 9, items 1, 2 and 5) ----------
BODY = "# Notes\n\nA paragraph that is long enough to be body text.\n"


def test_a_symlink_to_a_file_outside_the_corpus_is_skipped_with_a_reason(tmp_path: Path):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("root:x:0:0:root:/root:/bin/bash is a secret line.\n")
    (outside / "docs").mkdir()
    (outside / "docs" / "more.md").write_text(BODY)
    (corpus / "good.md").write_text(BODY)
    (corpus / "passwd.txt").symlink_to(outside / "secret.txt")
    (corpus / "linked").symlink_to(outside / "docs")
    docs, skipped = load_corpus(corpus)
    assert [d.source for d in docs] == ["good.md"]
    reasons = {s.path: s.reason for s in skipped}
    assert set(reasons) == {"passwd.txt", "linked"}
    assert all("outside the corpus folder" in r for r in reasons.values())


def test_symlinks_inside_the_corpus_are_followed_once_and_loops_are_reported(tmp_path: Path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "sub" / "a.md").write_text(BODY)
    (corpus / "alias.md").symlink_to(corpus / "sub" / "a.md")  # inside: the same file twice
    (corpus / "sub" / "up").symlink_to(corpus)  # a loop back to the root
    (corpus / "self.md").symlink_to(corpus / "self.md")  # a link to itself
    docs, skipped = load_corpus(corpus)
    assert [d.source for d in docs] == ["alias.md"]  # the first path in sorted order wins
    reasons = {s.path: s.reason for s in skipped}
    assert reasons == {"self.md": "symlink loop", "sub/a.md": "same file as alias.md", "sub/up": "symlink loop"}


def test_a_file_name_that_is_not_utf8_is_skipped_and_the_rest_is_indexed(tmp_path: Path):
    import os

    (tmp_path / "good.md").write_text(BODY)
    bad = os.fsdecode(b"caf\xe9.md")  # Latin-1 bytes in the name: surrogate escapes in Python
    (tmp_path / bad).write_text(BODY)
    docs, skipped = load_corpus(tmp_path)
    assert [d.source for d in docs] == ["good.md"]
    assert [(s.path, s.reason) for s in skipped] == [("caf\\xe9.md", "file name is not valid UTF-8")]


def test_a_file_above_the_size_limit_is_skipped_with_a_reason(tmp_path: Path):
    (tmp_path / "good.md").write_text(BODY)
    (tmp_path / "huge.txt").write_text("A long line of text. " * 100)
    docs, skipped = load_corpus(tmp_path, max_file_bytes=1000)
    assert [d.source for d in docs] == ["good.md"]
    assert len(skipped) == 1 and skipped[0].path == "huge.txt" and "too large" in skipped[0].reason


# -- Markdown markup is not prose (issue 9, item 9) ------------------------------------------
MARKDOWN = """# Checklist guide

Some intro paragraph about the checklist and what follows.

## The checklist

- [ ] Draft the roadmap
- [x] Book the kickoff meeting

---

> Plan the work, then work the plan. It is what good managers
> say every single day.

| Role | Pay |
|------|-----|
| Entry | $76,683 |

```bash
# install the tools
pip install jira
```

Setext heading
--------------

The end of the guide is here.
"""


def test_markdown_markup_is_skipped_and_code_comments_are_not_headings():
    from tpm_assistant.chunking import chunk_document

    doc = parse(MARKDOWN, "guide.md")
    headings = [doc.slice(b) for b in doc.blocks if b.kind in ("title", "heading")]
    assert headings == ["Checklist guide", "The checklist", "Setext heading"]
    kept = [doc.slice(b) for b in doc.blocks]
    assert "Draft the roadmap" in kept and "Book the kickoff meeting" in kept
    for raw in ("---", "[ ]", "[x]", "|", "```", "# install", "pip install"):
        assert not any(block.startswith(raw) or block.endswith(raw) for block in kept), raw
        assert not any(raw in doc.text[s:e] for c in chunk_document(doc) for s, e in c.sentences), raw
    assert not any(k.startswith(">") for k in kept)
    quote = next(c for c in chunk_document(doc) if c.text.startswith("Plan the work"))
    sentences = [doc.text[s:e] for s, e in quote.sentences]
    assert sentences == ["Plan the work, then work the plan.", "It is what good managers", "say every single day."]
    for block in doc.blocks:  # still exact slices of the file
        assert doc.slice(block) == MARKDOWN[block.start : block.end]
    assert {n.reason for n in doc.noise} >= {"rule", "table", "code block"}


def test_yaml_front_matter_is_not_text():
    doc = parse("---\ntitle: Pay\nauthor: Someone\n---\n# Pay\n\nEntry-level pay is $50,000 a year.\n", "pay.md")
    assert [doc.slice(b) for b in doc.blocks] == ["Pay", "Entry-level pay is $50,000 a year."]
