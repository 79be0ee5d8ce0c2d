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


def run(args: list[str], settings: Settings | None = None, stdin: str | None = None, extra_env: dict | None = None, cwd: Path = ROOT):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    if settings is not None:
        env |= {"TPM_CORPUS_DIR": str(settings.corpus_dir), "TPM_STORE_DIR": str(settings.store_dir), "TPM_CACHE_DIR": str(settings.cache_dir)}
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
    lines = sources.strip().splitlines()
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
