"""The service as users run it: ``tpm-assistant serve`` on loopback, real HTTP, real sockets."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import loopback_server

from tpm_assistant.config import Settings

pytestmark = pytest.mark.slow

SERVE = [sys.executable, "-m", "tpm_assistant", "serve", "--port", "{port}"]


def service_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env |= {
        "TPM_CORPUS_DIR": str(settings.corpus_dir),
        "TPM_STORE_DIR": str(settings.store_dir),
        "TPM_CACHE_DIR": str(settings.cache_dir),
    }
    return env | extra


@pytest.fixture
def bare_service(tmp_path: Path) -> Iterator[str]:
    """A service with no store (it answers /health at once) and a 1-second read timeout."""
    settings = Settings(corpus_dir=tmp_path, store_dir=tmp_path / "none", cache_dir=tmp_path / "cache")
    with loopback_server(SERVE, "/health", env=service_env(settings, TPM_READ_TIMEOUT="1")) as url:
        yield url


def connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=15)  # bounds every wait below
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or the socket's timeout)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_a_client_that_never_finishes_its_headers_is_cut_off(bare_service: str):
    with connect(bare_service) as sock:
        sock.sendall(b"POST /ask HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # ... and nothing more
        assert read_all(sock) == b""  # closed by the server, not by our 15 s bound (that raises)


def test_a_client_that_never_finishes_its_body_gets_408(bare_service: str):
    with connect(bare_service) as sock:
        sock.sendall(
            b"POST /ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
            b'{"question"'
        )
        reply = read_all(sock)
    assert reply.startswith(b"HTTP/1.1 408") and b"\"detail\"" in reply


def test_a_large_body_gets_413_without_being_read(bare_service: str):
    import httpx

    response = httpx.post(bare_service + "/ask", content=b"x" * 200_000, headers={"content-type": "application/json"}, timeout=15)
    assert response.status_code == 413 and "TPM_MAX_BODY_BYTES" in response.json()["detail"]


@pytest.fixture(scope="module")
def guide_service(real_store: Settings) -> Iterator[str]:
    """The service over the real guide, the real model and a real store."""
    with loopback_server(SERVE, "/ready", env=service_env(real_store)) as url:
        yield url


def test_schemathesis_finds_nothing_the_api_does_that_its_schema_does_not_say(guide_service: str):
    """Issue 9, item 6: every operation in the schema, data that fits it and data that does not,
    all of schemathesis' response checks; at least 300 cases, no failure."""
    from collections import Counter

    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    every_check = list(CHECKS.get_all())  # as `--checks all`: 5xx, status codes, content types, bodies, ...
    # Any body over TPM_MAX_BODY_BYTES gets the documented 413, whatever the schema allows inside it
    # (50 messages of up to 20,000 characters can exceed 64 KB): schemathesis' default lists of
    # statuses for accepted and for rejected data leave it out.
    rejections = [400, 401, 403, 404, 405, 406, 408, 409, 413, 415, 422, 428, 429, "5xx"]
    acceptances = ["2xx", "3xx", 401, 403, 404, 409, 413, 429, "5xx"]
    config = schemathesis.Config.from_dict({"checks": {
        "negative_data_rejection": {"expected-statuses": rejections},
        "positive_data_acceptance": {"expected-statuses": acceptances},
    }})  # fmt: skip
    schema = schemathesis.openapi.from_url(guide_service + "/openapi.json", config=config)
    cases: Counter[str] = Counter()

    def hypothesis_test(label: str, strategy: object, examples: int):
        @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        @given(case=strategy)
        def run(case: schemathesis.Case) -> None:
            cases[label] += 1
            case.call_and_validate(checks=every_check, timeout=30)

        return run

    operations = []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations.append(operation.label)
        has_body = operation.method.upper() == "POST"
        has_input = has_body or operation.label.startswith("GET /documents")  # only these can be given invalid input
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if has_input else (GenerationMode.POSITIVE,):
            strategy = operation.as_strategy(generation_mode=mode)
            hypothesis_test(f"{operation.label} {mode}", strategy, 100 if has_body else 30 if has_input else 10)()
    print(f"schemathesis: {sum(cases.values())} cases", dict(cases))
    # Every operation of the schema, the native, page and OpenAI-compatible ones alike.
    assert {label.rsplit(" ", 1)[0] for label in cases} == set(operations)
    assert {"POST /ask", "POST /chat", "GET /ready", "POST /v1/chat/completions", "GET /documents/{source}"} <= set(operations)
    assert sum(cases.values()) >= 300
