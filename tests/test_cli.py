"""The real command line, run as users run it (subprocesses, environment configuration)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EVAL_DIR, ROOT

from tpm_assistant.config import Settings

CLI = [sys.executable, "-m", "tpm_assistant"]


def run(
    args: list[str], settings: Settings | None = None, stdin: str | None = None, extra_env: dict | None = None, cwd: Path = ROOT
):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    if settings is not None:
        env |= {
            "TPM_CORPUS_DIR": str(settings.corpus_dir),
            "TPM_STORE_DIR": str(settings.store_dir),
            "TPM_CACHE_DIR": str(settings.cache_dir),
        }
    env |= extra_env or {}
    return subprocess.run(args, input=stdin, capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def one_line_error(result) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_help_lists_the_commands():
    result = run([*CLI, "--help"])
    assert result.returncode == 0
    for command in ("ingest", "ask", "chat", "serve", "eval"):
        assert command in result.stdout


def test_asking_without_a_store_says_to_ingest_first(tmp_path: Path):
    result = run([*CLI, "ask", "What does a TPM earn?"], Settings(corpus_dir=tmp_path, store_dir=tmp_path / "none"))
    assert "run `tpm-assistant ingest` first" in one_line_error(result)


def test_bad_configuration_is_one_line(tmp_path: Path):
    result = run([*CLI, "ask", "pay?"], extra_env={"TPM_CHROMA_URL": "not a url"})
    assert "TPM_CHROMA_URL" in one_line_error(result)


def test_an_empty_question_is_a_usage_error():
    result = run([*CLI, "ask", "   "])
    assert result.returncode == 2 and "must not be empty" in result.stderr


@pytest.mark.slow
def test_ask_json_prints_the_answer_object(real_store: Settings):
    result = run([*CLI, "ask", "--json", "What does an entry-level TPM earn?"], real_store)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["answered"] and "$76,683" in answer["answer"]
    assert answer["citations"][0]["source"] == "how-to-become-a-technical-project-manager.txt"


@pytest.mark.slow
def test_ask_prints_the_answer_then_numbered_sources(real_store: Settings):
    result = run([*CLI, "ask", "--k", "2", "Which cybersecurity companies employ technical project managers?"], real_store)
    assert result.returncode == 0
    answer, sources = result.stdout.split("\nSources:\n")
    assert "CrowdStrike" in answer
    lines = [line for line in sources.strip().splitlines() if line.lstrip().startswith("[")]
    assert len(lines) == 2 and lines[0].lstrip().startswith("[1] Where can you work")


@pytest.mark.slow
def test_chat_reads_turns_from_stdin_and_uses_them(real_store: Settings):
    result = run([*CLI, "chat"], real_store, stdin="What is the average TPM salary?\nAnd in New York City?\n")
    assert result.returncode == 0
    assert "$112,547" in result.stdout.split("Sources:")[1]  # the second answer


@pytest.mark.slow
def test_ingest_json_then_python_ingest_py_reports_no_change(real_settings_factory, tmp_path: Path):
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "pay.md").write_text("# Pay\n\nEntry-level pay starts around $76,683 a year.\n\n- Tools: Jira and Trello.\n")
    settings = real_settings_factory(corpus=corpus)
    first = run([*CLI, "ingest", "--json"], settings)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout.strip().splitlines()[-1])
    assert (report["documents"], report["chunks"], report["added"]) == (1, 2, 2)
    second = run([sys.executable, "ingest.py", "--json", "--corpus", str(corpus)], settings)
    again = json.loads(second.stdout.strip().splitlines()[-1])
    assert (again["added"], again["updated"], again["removed"], again["unchanged"]) == (0, 0, 0, 2)
    human = run([*CLI, "ingest"], settings)
    assert "0 added, 0 updated, 0 removed, 2 unchanged" in human.stdout and len(human.stdout.strip().splitlines()) == 1


@pytest.mark.slow
def test_eval_prints_every_contract_metric(real_store: Settings):
    result = run([*CLI, "eval", str(EVAL_DIR / "dev.jsonl"), "--json"], real_store)
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout)["metrics"]
    for name in ("hit@1", "hit@3", "mrr", "answer_acc", "false_abstain", "abstain_oos", "followup_acc",
                 "citations_exact", "markers_ok", "answer_words_p50", "citation_chars_max"):  # fmt: skip
        assert name in metrics
    assert metrics["citations_exact"] == 1.0 and metrics["markers_ok"] == 1.0


def test_eval_rejects_a_malformed_file_in_one_line(tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "kind": "fact"}\n')
    assert "needs question and expect" in one_line_error(run([*CLI, "eval", str(bad)]))


# -- issue 9, item 10: what a first-time user of the command line ran into ------------------------
@pytest.mark.slow
def test_plain_ask_shows_the_cited_passages_themselves(real_store: Settings):
    result = run([*CLI, "ask", "What does an entry-level TPM earn?"], real_store)
    assert result.returncode == 0, result.stderr
    sources = result.stdout.split("\nSources:\n")[1]
    assert "Entry-level technical project managers typically start around $76,683" in " ".join(sources.split())


def test_the_question_length_limit_is_the_one_http_uses(tmp_path: Path):
    from tpm_assistant.models import MAX_QUESTION_CHARS

    result = run([*CLI, "ask", "x" * (MAX_QUESTION_CHARS + 1)], Settings(corpus_dir=tmp_path, store_dir=tmp_path / "none"))
    assert result.returncode == 2 and f"at most {MAX_QUESTION_CHARS} characters" in one_line_error(result)


def test_a_corpus_that_is_a_file_is_named_as_such(tmp_path: Path):
    corpus = tmp_path / "guide.md"
    corpus.write_text("# Pay\n\nEntry-level pay is $50,000.\n")
    result = run([*CLI, "ingest", "--corpus", str(corpus)], Settings(corpus_dir=tmp_path, store_dir=tmp_path / "store"))
    assert f"{corpus} is a file" in one_line_error(result)


@pytest.mark.slow
def test_ingest_into_a_pipe_prints_one_line_per_stage(real_settings_factory, tmp_path: Path):
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "pay.md").write_text("# Pay\n\nEntry-level pay starts around $76,683 a year.\n\n- Tools: Jira and Trello.\n")
    result = run([*CLI, "ingest"], real_settings_factory(corpus=corpus))
    assert result.returncode == 0, result.stderr
    stages = result.stderr.splitlines()
    assert stages[0] == "reading corpus..." and "\r" not in result.stderr and "\033" not in result.stderr
    for stage in ("indexing words", "scoring passages", "verifying and switching"):
        assert len([s for s in stages if s.startswith(stage)]) == 1, stages
    # The model loads during the first document; the log then says it went back to embedding.
    loading = stages.index("loading embedding model...")
    assert stages[loading - 1] == stages[loading + 1] == "embedding and writing documents (1)...", stages
    assert len(result.stdout.strip().splitlines()) == 1  # the summary


@pytest.mark.slow
def test_chat_on_a_terminal_has_line_editing_history_and_ends_ctrl_d_on_a_new_line(real_store: Settings):
    """Through a pseudo-terminal, as a person types: the up arrow brings the last question back
    (readline), and Ctrl-D leaves the shell's prompt on a line of its own."""
    import pty
    import select
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env |= {"TPM_CORPUS_DIR": str(real_store.corpus_dir), "TPM_STORE_DIR": str(real_store.store_dir),
            "TPM_CACHE_DIR": str(real_store.cache_dir), "TERM": "dumb"}  # fmt: skip
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command on the terminal
        os.execvpe(CLI[0], [*CLI, "chat"], env)
    output = b""
    poller = select.poll()
    poller.register(fd, select.POLLIN)

    def read_until(marker: bytes, seconds: float = 60) -> bytes:
        nonlocal output
        start = len(output)
        end = time.monotonic() + seconds
        while marker not in output[start:]:
            # poll, not select: the test process may hold more than 1024 descriptors by now (each
            # index it opened maps its files)
            ready = poller.poll(max(0.0, end - time.monotonic()) * 1000)
            if not ready:
                raise AssertionError(f"no {marker!r} within {seconds}s: {output[-500:]!r}")
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the command exited and its terminal closed
                break
            if not chunk:
                break
            output += chunk
        return output[start:]

    try:
        read_until(b"you> ")
        os.write(fd, b"What is the average TPM salary?\r")
        first = read_until(b"you> ")
        os.write(fd, b"\x1b[A\r")  # up arrow, enter: the same question again
        second = read_until(b"you> ")
        os.write(fd, b"\x04")  # Ctrl-D
        rest = read_until(b"<the end of the session>", 30)  # everything until the command exits
    finally:
        deadline = time.monotonic() + 30
        while (waited := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        if waited[0] == 0:  # a failed step left the command waiting for input: stop it, never hang
            os.kill(pid, 9)
            waited = os.waitpid(pid, 0)
        status = waited[1]
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"Sources:" in first and first.split(b"Sources:")[0].split(b"\n", 1)[1] in second
    assert rest.strip(b"\r\n") == b"" and rest.endswith(b"\n")


def test_make_says_what_it_installs():
    import shutil

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(["make", "-n", "-B", "install"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "--quiet" not in result.stdout and "pip install" in result.stdout
    assert result.stdout.count("==> ") >= 3  # a line per step


def test_a_long_stage_in_a_log_repeats_its_counts_now_and_then(monkeypatch: pytest.MonkeyPatch, capsys):
    from tpm_assistant import cli

    clock = [100.0]
    monkeypatch.setattr(cli.time, "monotonic", lambda: clock[0])
    progress = cli._Progress()
    progress.tty = False
    for done in range(1, 11):  # ten slices, 10 s apart
        progress("embedding and writing passages", done * 256, 2560)
        clock[0] += 10
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "embedding and writing passages (2560)..."
    assert lines[1:] == ["embedding and writing passages: 1024 of 2560", "embedding and writing passages: 1792 of 2560",
                         "embedding and writing passages: 2560 of 2560"]  # fmt: skip
