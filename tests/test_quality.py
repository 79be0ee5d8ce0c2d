"""Answer quality on the development questions, in-process and over real HTTP.

The targets are the answer-quality issue's; the held-out set is scored the same way, over HTTP.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import EVAL_DIR

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_served_over_http_the_dev_set_cites_exactly(real_store: Settings):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env |= {"TPM_CORPUS_DIR": str(real_store.corpus_dir), "TPM_STORE_DIR": str(real_store.store_dir), "TPM_CACHE_DIR": str(real_store.cache_dir)}
    server = subprocess.Popen(
        [sys.executable, "-m", "tpm_assistant", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            assert time.monotonic() < deadline, "service did not become ready"
            time.sleep(0.2)
        metrics = run_eval(load_items(EVAL_DIR / "dev.jsonl"), HttpClient(url), Path(real_store.corpus_dir)).metrics
        assert metrics["citations_exact"] == 1.0 and metrics["markers_ok"] == 1.0
        assert metrics["hit@1"] >= 0.90
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
