"""The store: rows in Chroma, one folder per version, an atomic pointer to the active one, a lock.

Chroma holds the rows (one per passage: its vector, its verbatim text, where it comes from, and its
other views with their vectors) of every model in one collection ``tpm-rows-<schema>-<model
fingerprint>``, keyed by content and place: a passage whose text and place did not change between
two ingests is the same row, so an edit writes only the rows it changed. Chroma's own vector
search over those rows gives the dense candidates of a question
(``dense_search``), on the embedded store or on a Chroma server that does it for every worker.

What queries read besides, computed once per version at ingest (``build.py``), is a folder
``versions/<name>/`` in the store folder. Ingest writes a new version completely, verifies it,
then moves the pointer (``active.json``, or the metadata of the ``tpm-pointer`` collection on a
Chroma server, so every worker sees one truth) and only then deletes the rows and folders the
previous version alone used. A reader never sees half a store; a killed ingest leaves the previous
version serving, and the next one removes what it left (its rows are listed in ``pending.json``
before they are written). A worker with no copy of the active version's folder (with a Chroma
server, on another machine) builds it once from the rows.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .config import Settings
from .embeddings import ModelPin
from .errors import IngestLocked, StoreMismatch, StoreMissing, StoreUnavailable

if TYPE_CHECKING:
    import numpy as np

PREFIX = "tpm-v"
ROWS_PREFIX = "tpm-rows-"
POINTER_COLLECTION = "tpm-pointer"
INCREMENTAL_VACUUM = 2  # SQLite's auto_vacuum mode that frees pages on request
IDENTICAL = 1e-5  # a cosine distance this small: the same vector
SCHEMA = 5  # bump when the meaning of stored rows or versions changes
BATCH = 256  # rows written to Chroma at once
FOREVER = 2**31 - 1  # "until" of a row no version has dropped yet


@dataclass(frozen=True)
class Version:
    """One complete, verified version and what it was built with."""

    name: str  # its folder under versions/, and what /ready and the logs call it
    number: int
    pin: ModelPin
    records: int  # its rows in Chroma (one per passage)
    chunks: int
    created: str
    schema: int = SCHEMA

    @property
    def collection(self) -> str:
        """The version's name (the name of a collection in earlier layouts; kept for callers)."""
        return self.name

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Version:
        data = json.loads(raw)
        data["pin"] = ModelPin(**data["pin"])
        if "collection" in data:  # an earlier layout: readable, and refused by its schema
            data["name"] = data.pop("collection")
        return cls(**data)


def _nearest(hit: Any) -> float:
    """The smallest distance a Chroma query returned (infinite when it returned nothing)."""
    found = hit["distances"][0] if hit["distances"] else []
    return float(min(found)) if found else float("inf")


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # readable by a service running as another user, like any data file
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Store:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.dir = settings.store_dir
        self.remote = settings.chroma_url is not None
        self._client: Any = None
        self._rows: dict[str, Any] = {}

    # -- where things are -------------------------------------------------------------------
    @property
    def pointer_file(self) -> Path:
        return self.dir / "active.json"

    @property
    def pending_file(self) -> Path:
        return self.dir / "pending.json"

    def folder(self, version: Version) -> Path:
        return self.dir / "versions" / version.name

    def describe(self) -> str:
        return self.settings.chroma_url or str(self.dir)

    # -- Chroma client -------------------------------------------------------------------------
    def client(self) -> Any:
        if self._client is None:
            os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
            import chromadb
            from chromadb.config import Settings as ChromaSettings

            chroma_settings = ChromaSettings(anonymized_telemetry=False)
            if self.remote:
                url = urlsplit(self.settings.chroma_url or "")
                ssl = url.scheme == "https"
                try:
                    client = chromadb.HttpClient(
                        host=url.hostname or "127.0.0.1",
                        port=url.port or (443 if ssl else 8000),
                        ssl=ssl,
                        settings=chroma_settings,
                    )
                    client.heartbeat()
                except Exception as exc:
                    raise StoreUnavailable(f"cannot reach the Chroma server at {self.settings.chroma_url}: {exc}") from exc
            else:
                self.dir.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(self.dir / "chroma"), settings=chroma_settings)
            self._client = client
        return self._client

    def reachable(self, timeout: float = 1.0) -> bool:
        """Whether the Chroma server answers right now (always true for the embedded store)."""
        if not self.remote:
            return True
        import httpx

        try:
            return httpx.get(f"{self.settings.chroma_url}/api/v2/heartbeat", timeout=timeout).status_code == 200
        except httpx.HTTPError:
            return False

    def _chroma(self, what: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run ``call(*args, **kwargs)`` on Chroma, turning transport failures into one clear error."""
        try:
            return call(*args, **kwargs)
        except StoreUnavailable:
            raise
        except Exception as exc:
            if self.remote and type(exc).__name__ in ("ConnectError", "ConnectTimeout", "ReadTimeout", "RemoteProtocolError"):
                raise StoreUnavailable(f"the Chroma server at {self.settings.chroma_url} did not answer ({what})") from exc
            raise

    # -- the pointer ---------------------------------------------------------------------------
    def active(self) -> Version | None:
        """The version readers should use, or None when nothing was ever ingested."""
        if self.remote:
            try:
                pointer = self._chroma("read pointer", self.client().get_collection, POINTER_COLLECTION)
            except StoreUnavailable:
                raise
            except Exception:
                return None
            raw = (pointer.metadata or {}).get("active")
        else:
            try:
                raw = self.pointer_file.read_text(encoding="utf-8")
            except FileNotFoundError:
                return None
        if not raw:
            return None
        try:
            return Version.from_json(raw)
        except (ValueError, TypeError, KeyError) as exc:
            message = f"the store pointer in {self.describe()} is unreadable ({exc}); run `tpm-assistant ingest`"
            raise StoreMismatch(message) from exc

    def require_active(self, model_name: str, configured: Callable[[], ModelPin] | None = None) -> Version:
        """The active version, if it was built with the configured model.

        Names are compared first (cheap); when they differ, ``configured`` (the configured model's
        pin, from its files) decides: the same files under another name or path are the same model.
        """
        version = self.active()
        if version is None:
            raise StoreMissing(f"no store at {self.describe()}: run `tpm-assistant ingest` first")
        if version.schema != SCHEMA:
            raise StoreMismatch(f"the store at {self.describe()} has an older layout; run `tpm-assistant ingest`")
        if version.pin.name != model_name and not self._same_files(version.pin, configured):
            raise StoreMismatch(
                f"the store was built with {version.pin.name} but TPM_EMBEDDING_MODEL is {model_name}; "
                "run `tpm-assistant ingest` to rebuild it"
            )
        return version

    @staticmethod
    def _same_files(pin: ModelPin, configured: Callable[[], ModelPin] | None) -> bool:
        from .errors import ModelError

        if configured is None:
            return False
        try:
            return pin.same_model(configured())
        except ModelError:
            return False  # the configured model is not there: it cannot match

    def activate(self, version: Version) -> None:
        """The switch: one atomic write. Readers pick the new version up on their next look."""
        if self.remote:
            client = self.client()
            pointer = self._chroma("pointer", client.get_or_create_collection, POINTER_COLLECTION, embedding_function=None)
            self._chroma("switch", pointer.modify, metadata={"active": version.to_json()})
        else:
            _atomic_write(self.pointer_file, version.to_json().encode("utf-8"))

    def reset(self) -> None:
        """Forget the Chroma client. An embedded store is read by one process and written by
        another (ingest): a process keeps what it loaded of the vector index in memory, so a reader
        reopens it when a new version is written to see that version's rows."""
        if self._client is not None and not self.remote:
            from chromadb.api.client import SharedSystemClient

            SharedSystemClient.clear_system_cache()
        self._client = None
        self._rows = {}

    # -- rows ----------------------------------------------------------------------------------
    def rows_name(self, pin: ModelPin) -> str:
        return f"{ROWS_PREFIX}{SCHEMA}-{pin.fingerprint[:16]}"  # a new schema starts a new collection

    def rows(self, pin: ModelPin, create: bool = False) -> Any:
        """The collection holding this model's rows."""
        name = self.rows_name(pin)
        if name not in self._rows:
            client = self.client()
            meta = {"tpm_schema": SCHEMA, "model": pin.name, "dimension": pin.dimension, "fingerprint": pin.fingerprint}
            if create:
                hnsw = {"space": "cosine", "batch_size": 100, "sync_threshold": 100}
                collection = self._chroma("create", client.get_or_create_collection, name, metadata=meta,
                                          embedding_function=None, configuration={"hnsw": hnsw})  # fmt: skip
            else:
                try:
                    collection = self._chroma("open", client.get_collection, name, embedding_function=None)
                except StoreUnavailable:
                    raise
                except Exception as exc:
                    message = f"the rows of the active version are missing from {self.describe()}: run `tpm-assistant ingest`"
                    raise StoreMissing(message) from exc
            self._rows[name] = collection
        return self._rows[name]

    def dense_search(self, version: Version) -> Callable[[np.ndarray, int], list[str]]:
        """Chroma's vector search over the rows: the ids of the rows nearest a question."""

        def search(vector: np.ndarray, n: int) -> list[str]:
            collection = self.rows(version.pin)
            found = self._chroma("search", collection.query, query_embeddings=[vector.tolist()], n_results=n, include=[])
            return list(found["ids"][0]) if found["ids"] else []

        return search

    def write_rows(
        self, pin: ModelPin, ids: list[str], documents: list[str], metadatas: list[dict[str, Any]], vectors: np.ndarray
    ) -> None:
        """Add rows (listed in the pending journal first, so a killed ingest's rows can be found)."""
        if not ids:
            return
        self.journal(ids)
        collection = self.rows(pin, create=True)
        for i in range(0, len(ids), BATCH):
            part = slice(i, i + BATCH)
            self._chroma("write", collection.upsert, ids=ids[part], documents=documents[part], metadatas=metadatas[part],
                         embeddings=vectors[part])  # fmt: skip

    def read_rows(self, version: Version) -> Iterator[tuple[list[str], list[str], list[dict[str, Any]], np.ndarray]]:
        """The rows of a version, page by page (rows written by a later version are left out)."""
        import numpy as np

        collection = self.rows(version.pin)
        offset, page = 0, 1000
        # A row belongs to the versions from the one that wrote it ("v") to the one that dropped it ("until").
        where = {"$and": [{"v": {"$lte": version.number}}, {"until": {"$gt": version.number}}]}
        while True:
            got = self._chroma("read", collection.get, where=where, include=["embeddings", "documents", "metadatas"],
                               limit=page, offset=offset)  # fmt: skip
            if not got["ids"]:
                return
            metadatas = [dict(m) for m in got["metadatas"]]
            yield list(got["ids"]), list(got["documents"]), metadatas, np.asarray(got["embeddings"], np.float32)
            offset += len(got["ids"])
            if len(got["ids"]) < page:
                return

    def retire(self, pin: ModelPin, ids: list[str], number: int, until: int | None = None) -> None:
        """Mark rows as no longer part of versions from ``number`` on (``until``: back to none)."""
        if not ids:
            return
        collection = self.rows(pin)
        value = number if until is None else until
        for i in range(0, len(ids), 1000):
            part = ids[i : i + 1000]
            self._chroma("retire", collection.update, ids=part, metadatas=[{"until": value}] * len(part))

    def delete_rows(self, pin: ModelPin, ids: list[str]) -> None:
        if not ids:
            return
        collection = self.rows(pin)
        for i in range(0, len(ids), 1000):
            self._chroma("delete", collection.delete, ids=ids[i : i + 1000])

    def verify(self, version: Version, probe_ids: list[str], probe_vectors: np.ndarray) -> None:
        """Before anyone can see a version: its rows are all there, and probe queries find some of
        its vectors again: the row itself, or a row with the identical vector (the same sentence
        in many guides has many; they tie, and any of them may come first). Among hundreds of
        identical vectors the approximate search can miss them all (it returned 10 rows at distance
        0.55 for a passage 771 guides share): then the same query within the probe's own row
        must find it, with its vector."""
        collection = self.rows(version.pin)
        count = self._chroma("count", collection.count)
        if count < version.records:
            needs = f"version {version.name} needs {version.records}"
            raise StoreUnavailable(f"verification failed: {collection.name} holds {count} rows, {needs}")
        for vid, vector in zip(probe_ids, probe_vectors, strict=True):
            hit = self._chroma("probe", collection.query, query_embeddings=[vector.tolist()], n_results=min(10, count),
                               include=["distances"])  # fmt: skip
            if vid in hit["ids"][0] or _nearest(hit) <= IDENTICAL:
                continue
            try:
                own = self._chroma("probe", collection.query, query_embeddings=[vector.tolist()], ids=[vid], n_results=1,
                                   include=["distances"])  # fmt: skip
            except StoreUnavailable:
                raise
            except Exception:  # Chroma: "Error finding id"
                own = {"ids": [[]], "distances": [[]]}
            if not hit["ids"][0] or vid not in own["ids"][0] or _nearest(own) > IDENTICAL:
                raise StoreUnavailable(f"verification failed: a probe query did not find row {vid} of version {version.name}")

    def journal(self, ids: list[str]) -> None:
        """Rows about to be written, listed first (appended: one JSON list per line)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with self.pending_file.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(ids) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def pending(self) -> list[str]:
        try:
            lines = self.pending_file.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        out: list[str] = []
        for line in lines:
            with contextlib.suppress(ValueError):
                out += json.loads(line)
        return out

    # -- writing (ingest only, under the lock) -------------------------------------------------
    def next_name(self, previous: Version | None) -> tuple[str, int]:
        number = (previous.number if previous else 0) + 1
        return f"{PREFIX}{number:05d}-{secrets.token_hex(4)}", number

    def cleanup(self, keep: Version | None, keep_ids: set[str] | None = None) -> list[str]:
        """Remove what ``keep`` does not use: rows of killed or superseded ingests (those in the
        journal, and the rows given as no longer needed), version folders, other models' rows and
        earlier layouts' collections. Embedded, dropped collections leave nothing behind: Chroma
        1.5 deletes a collection's rows but not its segment folders, so the folders no collection
        refers to are removed here."""
        removed: list[str] = []
        if keep is not None and keep_ids is not None:
            pending = self.pending()
            stale = [i for i in pending if i not in keep_ids]
            with contextlib.suppress(StoreMissing):
                self.delete_rows(keep.pin, stale)
                # Rows a killed run retired that the version kept belong to it again.
                self.retire(keep.pin, [i for i in pending if i in keep_ids], keep.number, until=FOREVER)
            removed += stale
        if keep is None or keep_ids is not None:
            self.pending_file.unlink(missing_ok=True)
        client = self.client()
        wanted = self.rows_name(keep.pin) if keep is not None else None
        for collection in self._chroma("list", client.list_collections):
            name = collection if isinstance(collection, str) else collection.name
            if (name.startswith(ROWS_PREFIX) and name != wanted) or name.startswith(PREFIX):
                self._chroma("drop", client.delete_collection, name)
                self._rows.pop(name, None)
                removed.append(name)
        versions = self.dir / "versions"
        if versions.is_dir():
            for entry in versions.iterdir():
                if keep is None or entry.name != keep.name:
                    shutil.rmtree(entry, ignore_errors=True)
        shutil.rmtree(self.dir / "snapshots", ignore_errors=True)  # an earlier layout's
        if not self.remote:
            self._remove_unused_segments()
        return removed

    def _remove_unused_segments(self) -> None:
        """Remove the segment folders under chroma/ that no collection refers to any more."""
        import re
        import shutil
        import sqlite3

        folder = self.dir / "chroma"
        database = folder / "chroma.sqlite3"
        if not database.is_file():
            return
        with contextlib.closing(sqlite3.connect(database, timeout=10, isolation_level=None)) as db:
            used = {str(row[0]) for row in db.execute("SELECT id FROM segments")}
            # Deleted rows leave free pages that SQLite reuses only in part, and deletions leave
            # tombstones in the full-text index until it merges: merge it, and give pages back.
            # A full VACUUM copies the whole database (seconds at 100 guides): it runs once, to
            # switch the store to incremental vacuum, which then frees only what an ingest freed.
            with contextlib.suppress(sqlite3.OperationalError):  # busy or absent: the next ingest will
                db.execute("INSERT INTO embedding_fulltext_search(embedding_fulltext_search) VALUES('optimize')")
            with contextlib.suppress(sqlite3.OperationalError):
                if db.execute("PRAGMA auto_vacuum").fetchone()[0] != INCREMENTAL_VACUUM:
                    db.execute(f"PRAGMA auto_vacuum = {INCREMENTAL_VACUUM}")
                    db.execute("VACUUM")
                db.execute("PRAGMA incremental_vacuum")
        uuid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        for entry in folder.iterdir():
            if entry.is_dir() and uuid.match(entry.name) and entry.name not in used:
                shutil.rmtree(entry, ignore_errors=True)


    @contextmanager
    def lock(self) -> Iterator[None]:
        """One writer at a time. The kernel drops the lock when the process dies, even by kill -9."""
        import fcntl

        self.dir.mkdir(parents=True, exist_ok=True)
        path = self.dir / "ingest.lock"
        fh = path.open("a+")
        try:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                fh.seek(0)
                holder = fh.read().strip() or "unknown"
                message = f"another ingest is running on {self.describe()} (pid {holder}); try again when it finishes"
                raise IngestLocked(message) from None
            fh.seek(0)
            fh.truncate()
            fh.write(str(os.getpid()))
            fh.flush()
            yield
        finally:
            fh.close()
