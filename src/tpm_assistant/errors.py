"""Domain errors. The CLI prints them as one line; the API maps them to HTTP status codes."""

from __future__ import annotations


class TpmError(Exception):
    """Base class: the message is a complete, one-line explanation for the user."""


class ConfigError(TpmError):
    """A setting is invalid."""


class CorpusError(TpmError):
    """The corpus folder is missing or holds nothing to index."""


class StoreMissing(TpmError):
    """No complete store version exists yet."""


class StoreMismatch(TpmError):
    """The store was built with another embedding model (or an unreadable version)."""


class StoreUnavailable(TpmError):
    """The Chroma server cannot be reached or answered with an error."""


class IngestLocked(TpmError):
    """Another ingest holds the writer lock."""


class ModelError(TpmError):
    """The embedding model cannot be found or loaded."""
