"""Postings built in bounded memory: whatever the block size (how many postings are held at once),
ingest writes the same files as when everything fits in one block."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import numpy as np
import pytest
from conftest import build_index
from test_guides import DATA, TPM

from tpm_assistant import postings

KINDS = "psg"
FILES = [f"{side}_{kind}_{part}" for kind in KINDS for side, parts in (("post", ("offsets", "docs", "vals")),
         ("fwd", ("offsets", "terms", "vals"))) for part in parts]  # fmt: skip


def build(block: int) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="tpm-postings-")) / "version"
    previous, postings.BLOCK = postings.BLOCK, block
    try:
        build_index(folder, {"tpm.md": TPM, "data.md": DATA, "more.md": TPM.replace("Technical Project", "Product")})
    finally:
        postings.BLOCK = previous
    return folder


@pytest.fixture(scope="module")
def whole() -> Path:
    return build(1 << 30)


@pytest.mark.parametrize("block", [1, 7, 50])
def test_the_files_do_not_depend_on_how_many_postings_are_held_at_once(whole: Path, block: int):
    small = build(block)
    for name in FILES:
        a, b = np.load(whole / f"{name}.npy"), np.load(small / f"{name}.npy")
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert not [p.name for p in small.iterdir() if not p.name.endswith((".npy", ".sqlite", ".f16", ".f32", ".i32", ".npz"))]


def test_by_term_and_by_unit_hold_the_same_postings(whole: Path):
    for kind in KINDS:
        load = lambda name: np.load(whole / f"{name}.npy")  # noqa: E731
        offsets, docs, vals = load(f"post_{kind}_offsets"), load(f"post_{kind}_docs"), load(f"post_{kind}_vals")
        terms = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
        f_offsets, f_terms, f_vals = load(f"fwd_{kind}_offsets"), load(f"fwd_{kind}_terms"), load(f"fwd_{kind}_vals")
        units = np.repeat(np.arange(len(f_offsets) - 1), np.diff(f_offsets))
        assert len(docs) == len(f_terms) > 0
        by_term = sorted(zip(docs.tolist(), terms.tolist(), vals.tolist(), strict=True))
        by_unit = sorted(zip(units.tolist(), f_terms.tolist(), f_vals.tolist(), strict=True))
        assert by_term == by_unit
        # Within a term, units in order; within a unit, terms in order.
        assert all(np.all(np.diff(docs[a:b]) > 0) for a, b in itertools.pairwise(offsets))
        assert all(np.all(np.diff(f_terms[a:b]) > 0) for a, b in itertools.pairwise(f_offsets))


def test_scoring_some_documents_reads_the_shorter_side_and_gives_the_same_scores(whole: Path, monkeypatch):
    from tpm_assistant import index as opened

    calls, expand = [], opened.expand
    monkeypatch.setattr(opened, "expand", lambda *a: calls.append(1) or expand(*a))
    bm25 = opened.Index(whole).passage_bm25
    weights = {"salari": 1.0, "manag": 0.5, "project": 2.0}
    every = np.arange(bm25.size)
    # Every document: the question's terms' postings are the shorter read (no per-document expansion).
    assert np.allclose(bm25.score_docs(weights, every), bm25.score(weights)[every], atol=1e-5) and not calls
    # One document: its own terms are the shorter read.
    one = np.array([int(np.argmax(bm25.score(weights)))])
    assert np.allclose(bm25.score_docs(weights, one), bm25.score(weights)[one], atol=1e-5) and calls
