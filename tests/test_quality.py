"""Answer quality on the development questions, in-process and over real HTTP.

The targets are the answer-quality issue's; the held-out set is scored the same way, over HTTP.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from conftest import EVAL_DIR, loopback_server

from tpm_assistant.config import Settings
from tpm_assistant.evaluation import HttpClient, LocalClient, load_items, run_eval

pytestmark = pytest.mark.slow


def test_dev_set_meets_the_quality_targets(real_assistant, real_store: Settings):
    metrics = run_eval(load_items(EVAL_DIR / "dev.jsonl"), LocalClient(real_assistant), real_store.corpus_dir).metrics
    assert metrics["hit@1"] >= 0.90 and metrics["hit@3"] >= 0.97
    assert metrics["answer_acc"] >= 0.90
    assert metrics["abstain_oos"] >= 0.95 and metrics["false_abstain"] <= 0.03
    assert metrics["followup_acc"] >= 0.80
    assert metrics["citations_exact"] == 1.0 and metrics["markers_ok"] == 1.0
    assert metrics["answer_words_p50"] <= 60 and metrics["citation_chars_max"] <= 1000


def test_served_over_http_the_dev_set_cites_exactly(real_store: Settings):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env |= {
        "TPM_CORPUS_DIR": str(real_store.corpus_dir),
        "TPM_STORE_DIR": str(real_store.store_dir),
        "TPM_CACHE_DIR": str(real_store.cache_dir),
    }
    command = [sys.executable, "-m", "tpm_assistant", "serve", "--host", "127.0.0.1", "--port", "{port}"]
    with loopback_server(command, "/ready", env) as url:
        metrics = run_eval(load_items(EVAL_DIR / "dev.jsonl"), HttpClient(url), Path(real_store.corpus_dir)).metrics
    assert metrics["citations_exact"] == 1.0 and metrics["markers_ok"] == 1.0
    assert metrics["hit@1"] >= 0.90
