"""Ingest against a real Chroma store in a temporary folder: incremental, idempotent, safe to
interrupt and to run while a reader serves. Logic tests use the fake encoder; the last ones the
bundled model."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import FakeModels, fake_assistant, stored_texts

from tpm_assistant.assistant import Assistant
from tpm_assistant.config import Settings
from tpm_assistant.errors import CorpusError, IngestLocked, StoreUnavailable
from tpm_assistant.ingest import SLICE, run_ingest
from tpm_assistant.store import Store

PAY = """# Pay

Entry-level technical project managers start around $76,683 per year.

Pay varies by location, experience and industry.

- Tools: Jira, Asana and Trello help you track work.
- Agile: Scrum and Kanban are common.
"""
CAREERS = """# Careers

Coordinators organise meetings and prepare status reports.

Senior managers lead larger initiatives and mentor others.
"""


def write_corpus(settings: Settings) -> None:
    (settings.corpus_dir / "pay.md").write_text(PAY)
    (settings.corpus_dir / "careers.md").write_text(CAREERS)


def ingest(settings: Settings, models: FakeModels | None = None):
    return run_ingest(settings, models=models or FakeModels())


def test_first_ingest_adds_everything_and_a_rerun_changes_nothing(fake_settings: Settings):
    write_corpus(fake_settings)
    first = ingest(fake_settings)
    assert (first.documents, first.chunks, first.added, first.updated, first.removed) == (2, 6, 6, 0, 0)
    assert first.wrote and first.embedded > 6  # several views per chunk

    models = FakeModels()
    again = ingest(fake_settings, models)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 6)
    assert not again.wrote and models.embedded == 0
    assert again.version == first.version
    assert set(again.contract()) == {"documents", "chunks", "added", "updated", "removed", "unchanged", "skipped", "seconds"}


def test_an_edited_paragraph_is_updated_and_only_it_is_embedded_again(fake_settings: Settings):
    write_corpus(fake_settings)
    first = ingest(fake_settings)
    (fake_settings.corpus_dir / "pay.md").write_text(PAY.replace("location, experience", "location, company size, experience"))
    models = FakeModels()
    report = ingest(fake_settings, models)
    assert (report.added, report.updated, report.removed, report.unchanged) == (0, 1, 0, 5)
    assert 0 < models.embedded <= 3  # the edited paragraph's views only
    store = Store(fake_settings)
    version = store.active()
    assert version is not None and version.collection != first.version
    texts = stored_texts(fake_settings)
    assert any("company size" in t for t in texts) and not any("by location, experience" in t for t in texts)
    # The old version's rows are gone from Chroma: no duplicates, ever; and its folder is gone.
    rows = store.rows(version.pin)
    assert rows.count() == version.records
    assert [p.name for p in (fake_settings.store_dir / "versions").iterdir()] == [version.name]


def test_a_removed_file_removes_its_chunks(fake_settings: Settings):
    write_corpus(fake_settings)
    ingest(fake_settings)
    (fake_settings.corpus_dir / "careers.md").unlink()
    report = ingest(fake_settings)
    assert (report.documents, report.chunks, report.removed, report.added, report.unchanged) == (1, 4, 2, 0, 4)
    assert not any("Coordinators" in t for t in stored_texts(fake_settings))


def test_an_undecodable_file_is_skipped_and_reported_while_the_rest_is_indexed(fake_settings: Settings):
    write_corpus(fake_settings)
    (fake_settings.corpus_dir / "old.txt").write_bytes("r\xe9sum\xe9 tips".encode("latin-1"))
    report = ingest(fake_settings)
    assert report.documents == 2 and report.chunks == 6
    assert report.skipped == [{"path": "old.txt", "reason": "not UTF-8 text (invalid byte at offset 1)"}]


def test_an_empty_corpus_is_an_error_that_leaves_the_store_as_it_was(fake_settings: Settings):
    write_corpus(fake_settings)
    first = ingest(fake_settings)
    for f in fake_settings.corpus_dir.iterdir():
        f.unlink()
    with pytest.raises(CorpusError, match="left as it was"):
        ingest(fake_settings)
    assert Store(fake_settings).active().collection == first.version
    with pytest.raises(CorpusError, match="does not exist"):
        run_ingest(fake_settings, Path("/nonexistent/corpus"), models=FakeModels())


def test_a_second_concurrent_ingest_fails_at_once(fake_settings: Settings):
    write_corpus(fake_settings)
    with Store(fake_settings).lock(), pytest.raises(IngestLocked, match="another ingest is running"):
        ingest(fake_settings)
    ingest(fake_settings)  # the lock is released with its holder


def test_an_interrupted_ingest_leaves_the_previous_version_serving(fake_settings: Settings):
    write_corpus(fake_settings)
    first = ingest(fake_settings)
    (fake_settings.corpus_dir / "careers.md").write_text(CAREERS + "\nA brand new paragraph about mentoring.\n")
    with pytest.raises(KeyboardInterrupt):
        ingest(fake_settings, FakeModels(fail_after_embedding=True))
    assert Store(fake_settings).active().collection == first.version
    assistant = fake_assistant(fake_settings)
    assert assistant.ask("What do coordinators do?").citations
    report = ingest(fake_settings)  # the next run completes the refresh
    assert report.added == 1 and report.wrote


def test_a_reader_keeps_answering_during_ingest_and_then_switches(fake_settings: Settings):
    write_corpus(fake_settings)
    first = ingest(fake_settings)
    assistant = fake_assistant(fake_settings)
    assistant.load()
    (fake_settings.corpus_dir / "careers.md").write_text(CAREERS.replace("mentor others", "mentor junior staff"))
    errors: list[BaseException] = []
    done = threading.Event()

    def keep_asking() -> None:
        while not done.is_set():
            try:
                assert assistant.ask("What do senior managers do?").citations
            except BaseException as exc:  # any failure is the finding
                errors.append(exc)

    reader = threading.Thread(target=keep_asking)
    reader.start()
    try:
        second = ingest(fake_settings)
    finally:
        done.set()
        reader.join()
    assert not errors
    assert assistant.loaded.version.collection == first.version  # still the old one until it looks
    assert assistant.refresh() is True
    assert assistant.loaded.version.collection == second.version
    assert any("junior staff" in c.text for c in assistant.ask("What do senior managers do?").citations)


@pytest.mark.slow
def test_real_model_ingest_of_a_small_corpus_then_an_edit(real_settings_factory):
    settings = real_settings_factory()
    settings.corpus_dir.mkdir()
    write_corpus(settings)
    first = run_ingest(settings)
    assert first.added == 6 and first.embedded > 0
    assert run_ingest(settings).wrote is False
    (settings.corpus_dir / "pay.md").write_text(PAY.replace("$76,683", "$80,000"))
    report = run_ingest(settings)
    assert (report.updated, report.unchanged) == (1, 5)
    answer = Assistant(settings).ask("What does an entry-level technical project manager earn?")
    assert answer.answered and "$80,000" in answer.answer


@pytest.mark.slow
def test_once_the_model_export_is_cached_a_new_store_is_built_without_torch(real_settings_factory):
    import subprocess
    import sys

    settings = real_settings_factory()
    settings.corpus_dir.mkdir()
    write_corpus(settings)
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tpm_assistant.config import Settings\n"
        "from tpm_assistant.ingest import run_ingest\n"
        f"r = run_ingest(Settings(corpus_dir=Path({str(settings.corpus_dir)!r}), store_dir=Path({str(settings.store_dir)!r}),"
        f" cache_dir=Path({str(settings.cache_dir)!r})))\n"
        "print(r.wrote, r.embedded > 0, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert result.stdout.split() == ["True", "True", "False", "False"], result.stderr
    answer = Assistant(settings).ask("What does an entry-level technical project manager earn?")
    assert answer.answered and "$76,683" in answer.answer


def test_ingest_skips_links_out_of_the_corpus_and_undecodable_names_and_indexes_the_rest(fake_settings: Settings, tmp_path: Path):
    import os

    write_corpus(fake_settings)
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    (fake_settings.corpus_dir / "passwd.txt").symlink_to(secret)
    (fake_settings.corpus_dir / os.fsdecode(b"r\xe9sum\xe9.md")).write_text(CAREERS)
    report = ingest(fake_settings)
    assert (report.documents, report.chunks) == (2, 6)
    assert sorted(s["path"] for s in report.skipped) == ["passwd.txt", "r\\xe9sum\\xe9.md"]
    assert not any("root:" in t for t in stored_texts(fake_settings))


def test_the_file_size_limit_is_a_setting(fake_settings: Settings):
    write_corpus(fake_settings)
    (fake_settings.corpus_dir / "big.md").write_text("# Big\n\n" + "Words about project managers. " * 100)
    report = ingest(fake_settings.model_copy(update={"max_file_bytes": 1000}))
    assert report.documents == 2 and [s["path"] for s in report.skipped] == ["big.md"]
    assert "TPM_MAX_FILE_BYTES" in report.skipped[0]["reason"]


def test_answers_from_markdown_read_as_prose_with_exact_citations(fake_settings: Settings):
    from test_corpus import MARKDOWN

    (fake_settings.corpus_dir / "guide.md").write_text(MARKDOWN)
    ingest(fake_settings)
    assistant = fake_assistant(fake_settings)
    for question in (
        "What is in the checklist?",
        "What should I install?",
        "What is the pay for entry?",
        "What do good managers say?",
    ):
        answer = assistant.ask(question, k=5)
        assert answer.citations
        for raw in ("---", "[ ]", "[x]", "|", "```", ">", "# "):
            assert raw not in answer.answer, (question, answer.answer)
        for c in answer.citations:
            assert MARKDOWN[c.start : c.end] == c.text


def _alternating_ingests(settings: Settings, times: int) -> None:
    filler = "".join(f"\nParagraph {i} says something about career step {i} and its skills.\n" for i in range(60))
    (settings.corpus_dir / "careers.md").write_text(CAREERS + filler)
    for i in range(times):
        (settings.corpus_dir / "pay.md").write_text(PAY if i % 2 else PAY.replace("Pay varies", "Pay often varies"))
        assert ingest(settings).wrote


def _disk(folder: Path) -> int:
    """Bytes in the store, less the pointer and lock files (a version number or pid one digit longer)."""
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file() and f.name not in ("active.json", "ingest.lock"))


def test_dropped_versions_leave_nothing_behind_on_disk(fake_settings: Settings):
    """Issue 9, item 4: ten ingests of alternating edits leave the store no larger than two, but for
    Chroma's write-ahead log, which it empties once it holds a batch (``sync_threshold``) of writes."""
    _alternating_ingests(fake_settings, 2)
    after_two = _disk(fake_settings.store_dir)
    _alternating_ingests(fake_settings, 8)
    assert _disk(fake_settings.store_dir) <= after_two + LOG_BOUND
    _alternating_ingests(fake_settings, 30)  # and it stays there: nothing piles up
    assert _disk(fake_settings.store_dir) <= after_two + LOG_BOUND
    segments = [p for p in (fake_settings.store_dir / "chroma").iterdir() if p.is_dir()]
    assert len(segments) == 1  # the rows' vector index only
    assert len(list((fake_settings.store_dir / "versions").iterdir())) == 1  # the active version only


# What Chroma's log of up to 100 row writes (its sync threshold) takes at most, here.
LOG_BOUND = 100 * 4096


def test_the_same_passage_in_many_guides_passes_verification(fake_settings: Settings):
    """Identical vectors tie in Chroma's search, so a probe's own row need not come first; the
    version is still complete and must switch (a 5 MB file of near-copies failed here)."""
    for n in range(25):
        (fake_settings.corpus_dir / f"guide{n:02}.md").write_text(f"# Guide {n}\n\n{PAY.split(chr(10), 2)[2]}")
    report = ingest(fake_settings)
    assert report.wrote and report.documents == 25
    assert Store(fake_settings).active().collection == report.version


def test_a_long_document_shows_its_passages_going_by(fake_settings: Settings):
    paragraphs = "\n\n".join(f"Paragraph {i} says that step {i} of the plan needs its own review." for i in range(600))
    (fake_settings.corpus_dir / "long.md").write_text(f"# A long guide\n\n{paragraphs}\n")
    said: list[tuple[str, int, int]] = []
    report = run_ingest(fake_settings, models=FakeModels(), progress=lambda *step: said.append(step))
    passages = [(done, total) for stage, done, total in said if stage == "embedding and writing passages"]
    assert passages[-1] == (report.chunks, report.chunks) and len(passages) == -(-report.chunks // SLICE) > 1
    loading = [stage for stage, _, _ in said].index("loading embedding model")
    assert said[loading + 1] == ("embedding and writing documents", 1, 1)  # not "loading" for the rest


def test_verification_finds_a_probe_the_approximate_search_missed(fake_settings: Settings):
    """Among hundreds of identical vectors Chroma's approximate search can return none of them (a
    20 MB file of 771 generated guides failed its verification so): the probe's own row must do."""
    import numpy as np

    from tpm_assistant.index import Index

    write_corpus(fake_settings)
    ingest(fake_settings)
    store = Store(fake_settings)
    version = store.active()
    assert version is not None
    real = store.rows(version.pin)
    index = Index(store.folder(version), version.name)
    r, vid = index.db("SELECT r, id FROM rows WHERE view = 'chunk' ORDER BY r")[0]
    vector = np.asarray(index.vectors[int(r)], dtype=np.float32)[None, :]

    class Missed:
        """The real collection, but its unrestricted search returns only other rows, far away."""

        def count(self) -> int:
            return real.count()

        def query(self, **kwargs):
            found = real.query(**kwargs)
            if kwargs.get("ids"):
                return found
            others = [i for i in found["ids"][0] if i != vid]
            return {"ids": [others], "distances": [[0.55] * len(others)]}

    store._rows[store.rows_name(version.pin)] = Missed()
    store.verify(version, [vid], vector)
    with pytest.raises(StoreUnavailable, match="did not find row"):
        store.verify(version, ["a-row-never-written"], vector)


def test_the_token_projection_does_not_depend_on_the_corpus_a_machine_ingests_first(tmp_path: Path):
    """Two machines (two model caches) whose first ingests are different corpora hold their token
    vectors in the same projection: it is fitted on texts shipped with the package, so the same
    corpus gets the same token-level signals everywhere."""
    digests = []
    for n, words in enumerate(("alpha beta gamma delta epsilon", "lorem ipsum dolor sit amet")):
        corpus = tmp_path / f"corpus{n}"
        corpus.mkdir()
        body = "\n\n".join(f"{words} {i} {words.split()[i % 5]} repeated." for i in range(400))  # over PROJECTION_TOKENS
        (corpus / "guide.md").write_text(f"# Guide {n}\n\n{body}\n")
        settings = Settings(corpus_dir=corpus, store_dir=tmp_path / f"store{n}", embedding_model="fake-model",
                            cache_dir=tmp_path / f"cache{n}")  # fmt: skip
        ingest(settings)
        digests.append(fake_assistant(settings).load().index.tok_projection_digest)
    assert digests[0] == digests[1] != "identity"
