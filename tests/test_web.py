"""The chat page's routes through FastAPI's TestClient: the page and its assets, their security
headers, the passage endpoint a citation opens, and CORS (the browser itself: test_browser.py)."""

from __future__ import annotations

import time

import pytest
from conftest import GUIDE
from fastapi.testclient import TestClient

from tpm_assistant.api import create_app
from tpm_assistant.config import Settings

GUIDE_TEXT = GUIDE.read_bytes().decode("utf-8")
SOURCE = GUIDE.name


@pytest.fixture(scope="module")
def client(real_store: Settings):
    with TestClient(create_app(real_store)) as client:
        deadline = time.monotonic() + 60
        while client.get("/ready").status_code != 200:
            assert time.monotonic() < deadline, "service not ready"
            time.sleep(0.05)
        yield client


def test_the_page_and_its_assets_carry_a_policy_allowing_only_the_service_itself(fake_settings: Settings):
    with TestClient(create_app(fake_settings)) as client:
        page = client.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert '<script src="/static/app.js" defer></script>' in page.text
        assert "http://" not in page.text and "https://" not in page.text  # nothing fetched from elsewhere
        for path, kind in [("/", "text/html"), ("/static/app.js", "text/javascript"), ("/static/app.css", "text/css")]:
            response = client.get(path)
            assert response.status_code == 200 and response.headers["content-type"].startswith(kind)
            csp = response.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "style-src 'self'" in csp and "connect-src 'self'" in csp
            assert "default-src 'none'" in csp and "unsafe-inline" not in csp
            assert response.headers["x-content-type-options"] == "nosniff"
            again = client.get(path, headers={"if-none-match": response.headers["etag"]})
            assert again.status_code == 304 and again.content == b""
        # The policy is scoped to the page: /docs keeps its own (it runs an inline script).
        assert "content-security-policy" not in client.get("/docs").headers


def test_only_the_listed_assets_are_served(fake_settings: Settings):
    with TestClient(create_app(fake_settings)) as client:
        for path in ["/static/index.html", "/static/../api.py", "/static/%2e%2e%2fapi.py", "/static/weights.json", "/static/web"]:
            assert client.get(path).status_code == 404, path


@pytest.mark.slow
def test_a_citation_opens_its_passage_in_its_section(client: TestClient):
    citation = client.post("/ask", json={"question": "What does an entry-level TPM earn?"}).json()["citations"][0]
    response = client.get(f"/documents/{citation['source']}", params={"start": citation["start"], "end": citation["end"]})
    assert response.status_code == 200
    passage = response.json()
    assert passage["text"] == GUIDE_TEXT[citation["start"] : citation["end"]] == citation["text"]
    assert passage["section"] == citation["section"]
    assert len(passage["blocks"]) > 1  # the surrounding text, not only the passage
    assert any(b["start"] <= citation["start"] and citation["end"] <= b["end"] for b in passage["blocks"])
    for block in passage["blocks"]:
        assert GUIDE_TEXT[block["start"] : block["end"]] == block["text"]
    assert [b["start"] for b in passage["blocks"]] == sorted(b["start"] for b in passage["blocks"])


@pytest.mark.slow
def test_a_span_inside_a_passage_is_highlighted_exactly(client: TestClient):
    citation = client.post("/ask", json={"question": "What does an entry-level TPM earn?"}).json()["citations"][0]
    start, end = citation["start"] + 5, citation["end"] - 5
    passage = client.get(f"/documents/{SOURCE}", params={"start": start, "end": end}).json()
    assert passage["text"] == GUIDE_TEXT[start:end]


@pytest.mark.slow
def test_the_passage_output_is_bounded_for_a_long_section(client: TestClient):
    citation = client.post("/ask", json={"question": "What skills do you need as a TPM?", "k": 1}).json()["citations"][0]
    passage = client.get(f"/documents/{SOURCE}", params={"start": citation["start"], "end": citation["end"]}).json()
    assert 0 < len(passage["blocks"]) <= 15
    assert sum(len(b["text"]) for b in passage["blocks"]) < 5 * 1500


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/documents/../pyproject.toml", {"start": 0, "end": 5}, 404),
        ("/documents/..%2Fpyproject.toml", {"start": 0, "end": 5}, 404),
        ("/documents/%2Fetc%2Fpasswd", {"start": 0, "end": 5}, 404),
        ("/documents//etc/passwd", {"start": 0, "end": 5}, 404),
        ("/documents/corpus/" + SOURCE, {"start": 0, "end": 5}, 404),
        ("/documents/not-in-the-guide.txt", {"start": 0, "end": 5}, 404),
        (f"/documents/{SOURCE}", {"start": 10**9, "end": 10**9 + 5}, 404),
        (f"/documents/{SOURCE}", {"start": 5, "end": 5}, 404),
        (f"/documents/{SOURCE}", {"start": 0, "end": 10**6}, 404),
        (f"/documents/{SOURCE}", {"start": -1, "end": 5}, 422),
        (f"/documents/{SOURCE}", {"start": "x", "end": 5}, 422),
        (f"/documents/{SOURCE}", {}, 422),
    ],
)
def test_the_passage_endpoint_serves_only_documents_of_the_active_version(client: TestClient, path, params, status):
    response = client.get(path, params=params)
    assert response.status_code == status
    assert isinstance(response.json()["detail"], str) and "root:" not in response.text


@pytest.mark.slow
def test_the_passage_endpoint_is_documented(client: TestClient):
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/documents/{source}"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"source", "start", "end"}
    assert "Passage" in spec["components"]["schemas"]
    assert "/" not in spec["paths"] and "/static/{name}" not in spec["paths"]


def test_cors_is_off_by_default_and_allows_only_configured_origins(fake_settings: Settings):
    preflight = {"origin": "https://chat.example.org", "access-control-request-method": "POST",
                 "access-control-request-headers": "content-type"}  # fmt: skip
    with TestClient(create_app(fake_settings)) as client:
        assert "access-control-allow-origin" not in client.get("/health", headers={"origin": "https://chat.example.org"}).headers
        assert "access-control-allow-origin" not in client.options("/chat", headers=preflight).headers
    configured = fake_settings.model_copy(update={"cors_origins": ("https://chat.example.org",)})
    with TestClient(create_app(configured)) as client:
        allowed = client.options("/chat", headers=preflight)
        assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "https://chat.example.org"
        other = client.get("/health", headers={"origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in other.headers


def test_cors_origins_come_from_the_environment_and_are_checked(monkeypatch: pytest.MonkeyPatch):
    from tpm_assistant.config import load_settings
    from tpm_assistant.errors import ConfigError

    monkeypatch.setenv("TPM_CORS_ORIGINS", "https://a.example.org, http://127.0.0.1:3000/")
    assert load_settings().cors_origins == ("https://a.example.org", "http://127.0.0.1:3000")
    monkeypatch.setenv("TPM_CORS_ORIGINS", "a.example.org/path")
    with pytest.raises(ConfigError, match="TPM_CORS_ORIGINS"):
        load_settings()
    monkeypatch.delenv("TPM_CORS_ORIGINS")
    assert load_settings().cors_origins == ()
