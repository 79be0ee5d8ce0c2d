"""The one settings object: read from the environment (``TPM_*``) by the API, the CLI and ingest."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The name stored in a collection's model pin when the bundled copy is used: the same on every
# machine, unlike the path of the copy inside a virtual environment.
BUNDLED_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024  # ingest streams a file in slices: memory does not follow its size
DEFAULT_MAX_BODY_BYTES = 64 * 1024


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tpm-assistant"


class Settings(BaseSettings):
    """Where the corpus and the store live and which embedding model to use."""

    model_config = SettingsConfigDict(env_prefix="TPM_", frozen=True, extra="ignore")

    corpus_dir: Path = Path("corpus")
    store_dir: Path = Path(".tpm_store")
    chroma_url: str | None = None
    embedding_model: str = BUNDLED_MODEL
    # The query encoder exported from the model (ONNX), per model fingerprint: made once per
    # machine and reused by every store, so a new store does not load torch again.
    cache_dir: Path = Field(default_factory=_default_cache)
    # How often a running service looks for a newer store version written by ingest.
    reload_seconds: float = 2.0
    # Threads one query encoding may use, and how many requests may do model work at once.
    query_threads: int = 1
    # Questions are encoded by an int8 copy of the model (about 3 times faster on CPU, checked
    # against the float one); off, by the float export that embeds the passages.
    query_int8: bool = True
    max_concurrency: int = 2
    # Limits on what comes from outside: a corpus file larger than this is skipped with a reason
    # (a bound on what one file may cost), a request body larger than this gets 413, and a client that
    # does not finish sending its request headers or body within this many seconds is cut off.
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    read_timeout: float = 10.0
    # Open connections one service process accepts; beyond it uvicorn answers 503 at once.
    max_connections: int = 1000
    # Ingest embeds a text that several documents share once (generated or templated guides share
    # most of their sentences); off, every document's texts are embedded as if new.
    dedupe_texts: bool = True
    # With guides about several jobs, a question that names no job is answered from the guide about
    # this one (the assistant's own); empty: from every guide.
    home_job: str = "technical project manager"
    # Web origins allowed to call the API from their pages (CORS), comma-separated; none by default,
    # so only the service's own chat page can. NoDecode: a plain list, not JSON, in the variable.
    cors_origins: Annotated[tuple[str, ...], NoDecode] = ()
    # The OpenAI-compatible routes append a plain-text "Sources" list to the content, for chat
    # front-ends that show only the content.
    openai_sources: bool = True

    @field_validator("chroma_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"TPM_CHROMA_URL must look like http://127.0.0.1:8001, got {value!r}")
        return value.strip().rstrip("/")

    @field_validator("embedding_model")
    @classmethod
    def _check_model(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("TPM_EMBEDDING_MODEL must not be empty")
        return value

    @field_validator("reload_seconds")
    @classmethod
    def _check_reload(cls, value: float) -> float:
        if value <= 0:
            raise ValueError("TPM_RELOAD_SECONDS must be positive")
        return value

    @field_validator("query_threads", "max_concurrency")
    @classmethod
    def _check_positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("TPM_QUERY_THREADS and TPM_MAX_CONCURRENCY must be at least 1")
        return value

    @field_validator("max_file_bytes", "max_body_bytes", "max_connections")
    @classmethod
    def _check_limit(cls, value: int, info: ValidationInfo) -> int:
        if value < 1:
            assert info.field_name is not None  # always set for a field validator
            raise ValueError(f"TPM_{info.field_name.upper()} must be at least 1")
        return value

    @field_validator("read_timeout")
    @classmethod
    def _check_timeout(cls, value: float) -> float:
        if not value > 0:
            raise ValueError("TPM_READ_TIMEOUT must be positive")
        return value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _check_origins(cls, value: object) -> tuple[str, ...]:
        items = value.split(",") if isinstance(value, str) else list(value or ())  # type: ignore[call-overload]
        origins = tuple(str(item).strip().rstrip("/") for item in items if str(item).strip())
        for origin in origins:
            parts = urlsplit(origin)
            if origin != "*" and (parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query):
                raise ValueError(f"TPM_CORS_ORIGINS must list origins such as https://chat.example.org, got {origin!r}")
        return origins

    @property
    def model_name(self) -> str:
        """The model's name as pinned in the store: the bundled model's canonical name, or as given."""
        if self.embedding_model in (BUNDLED_MODEL, "all-MiniLM-L6-v2"):
            return BUNDLED_MODEL
        return self.embedding_model


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; invalid values raise ``ConfigError`` with a one-line reason."""
    from pydantic import ValidationError

    from .errors import ConfigError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(f"invalid configuration: {str(first['msg']).removeprefix('Value error, ')}") from exc
