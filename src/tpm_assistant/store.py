"""The Chroma store: versioned collections, an atomic pointer to the active one, a writer lock.

Ingest writes every refresh as a *new* collection ``tpm-vNNNNN-xxxxxxxx``, verifies it, exports a
read-only snapshot of it (``snapshots/<collection>.npz``) and only then moves the pointer, so a
reader never sees half a store and a killed ingest leaves the previous version serving. The
pointer is ``active.json`` in the store folder for the embedded store, or the metadata of the
``tpm-pointer`` collection on a Chroma server (so every worker on every machine sees one truth).

Readers load the pointed version into memory once, from the snapshot when it is there (no
chromadb import: a one-off question stays fast) or else from Chroma, which rewrites the snapshot.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .config import Settings
from .embeddings import ModelPin
from .errors import IngestLocked, StoreMismatch, StoreMissing, StoreUnavailable

if TYPE_CHECKING:
    import numpy as np

PREFIX = "tpm-v"
POINTER_COLLECTION = "tpm-pointer"
SCHEMA = 3  # bump when the meaning of stored records changes


@dataclass
class Records:
    """The rows of one collection version, in insertion order."""

    ids: list[str]
    documents: list[str]
    metadatas: list[dict[str, Any]]
    vectors: np.ndarray  # (n, dimension) float32
    # Derived arrays kept only in the snapshot (e.g. token vectors); rebuilt when missing.
    extras: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class Version:
    """One complete, verified collection and what it was built with."""

    collection: str
    number: int
    pin: ModelPin
    records: int
    chunks: int
    created: str
    schema: int = SCHEMA

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Version:
        data = json.loads(raw)
        data["pin"] = ModelPin(**data["pin"])
        return cls(**data)


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

    # -- where things are -------------------------------------------------------------------
    @property
    def pointer_file(self) -> Path:
        return self.dir / "active.json"

    def snapshot_file(self, collection: str) -> Path:
        return self.dir / "snapshots" / f"{collection}.npz"

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
            raise StoreMismatch(f"the store pointer in {self.describe()} is unreadable ({exc}); run `tpm-assistant ingest`") from exc

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

    # -- reading -------------------------------------------------------------------------------
    def load(self, version: Version) -> Records:
        """All records of a version: from its snapshot, or from Chroma (rewriting the snapshot)."""
        records = self._read_snapshot(version)
        if records is None:
            records = self._read_collection(version)
            self.write_snapshot(version.collection, records)
        return records

    def _read_snapshot(self, version: Version) -> Records | None:
        import numpy as np

        path = self.snapshot_file(version.collection)
        try:
            with np.load(path, allow_pickle=False) as data:
                records = Records(
                    ids=data["ids"].tolist(),
                    documents=data["documents"].tolist(),
                    metadatas=json.loads(str(data["metadatas"])),
                    vectors=np.ascontiguousarray(data["vectors"], dtype=np.float32),
                    extras={k[2:]: data[k] for k in data.files if k.startswith("x_")},
                )
        except (FileNotFoundError, OSError, KeyError, ValueError):
            return None
        n, dim = records.vectors.shape if records.vectors.ndim == 2 else (-1, -1)
        if n != version.records or dim != version.pin.dimension or len(records.ids) != n:
            return None  # not this version's: rebuild it from Chroma
        return records

    def write_snapshot(self, collection: str, records: Records) -> None:
        import io

        import numpy as np

        buffer = io.BytesIO()
        arrays: dict[str, Any] = {
            "ids": np.array(records.ids, dtype=str),
            "documents": np.array(records.documents, dtype=str),
            "metadatas": np.array(json.dumps(records.metadatas)),
            "vectors": records.vectors.astype(np.float32),
        }
        arrays |= {f"x_{k}": v for k, v in records.extras.items()}
        np.savez(buffer, **arrays)
        # A read-only store folder only costs speed: the next reader asks Chroma again.
        with contextlib.suppress(OSError):
            _atomic_write(self.snapshot_file(collection), buffer.getvalue())

    def _read_collection(self, version: Version) -> Records:
        import numpy as np

        client = self.client()
        try:
            collection = self._chroma("open", client.get_collection, version.collection, embedding_function=None)
        except StoreUnavailable:
            raise
        except Exception as exc:
            raise StoreMissing(
                f"store version {version.collection} is missing from {self.describe()}: run `tpm-assistant ingest`"
            ) from exc
        ids: list[str] = []
        documents: list[str] = []
        metadatas: list[dict[str, Any]] = []
        vectors = []
        page = 1000
        while True:
            got = self._chroma(
                "read", collection.get, include=["embeddings", "documents", "metadatas"], limit=page, offset=len(ids)
            )
            if not got["ids"]:
                break
            ids += got["ids"]
            documents += got["documents"]
            metadatas += [dict(m) for m in got["metadatas"]]
            vectors.append(np.asarray(got["embeddings"], dtype=np.float32))
            if len(got["ids"]) < page:
                break
        if len(ids) != version.records:
            raise StoreMismatch(f"store version {version.collection} holds {len(ids)} records, expected {version.records}")
        # Chroma does not promise insertion order; restore it so positions are meaningful.
        order = sorted(range(len(ids)), key=lambda i: metadatas[i].get("row", i))
        return Records(
            ids=[ids[i] for i in order],
            documents=[documents[i] for i in order],
            metadatas=[metadatas[i] for i in order],
            vectors=np.vstack(vectors)[order] if vectors else np.zeros((0, version.pin.dimension), np.float32),
        )

    # -- writing (ingest only, under the lock) -------------------------------------------------
    def next_name(self, previous: Version | None) -> tuple[str, int]:
        number = (previous.number if previous else 0) + 1
        return f"{PREFIX}{number:05d}-{secrets.token_hex(4)}", number

    def write_version(
        self,
        records: Records,
        pin: ModelPin,
        chunks: int,
        previous: Version | None,
        progress: Callable[[int], None] | None = None,
    ) -> Version:
        """Write records into a new collection and verify it; the pointer is not moved here."""
        import numpy as np

        client = self.client()
        name, number = self.next_name(previous)
        meta = {"tpm_schema": SCHEMA, "model": pin.name, "dimension": pin.dimension, "fingerprint": pin.fingerprint}
        spare = self._spare(previous, pin) if self.remote else None
        if spare is not None:
            # A Chroma server never frees a dropped collection's files (chroma-core/chroma#5259),
            # so with a server the version before the active one is rewritten in place under the
            # new name: unchanged rows (most of them) overwrite themselves and take no new space.
            collection = spare
            self._chroma("rename", collection.modify, name=name, metadata=meta | {"state": "building"})
            keep = set(records.ids)
            stale = [i for i in self._ids(collection) if i not in keep]
            for i in range(0, len(stale), 1000):
                self._chroma("delete", collection.delete, ids=stale[i : i + 1000])
            write = collection.upsert
        else:
            collection = self._chroma(
                "create",
                client.create_collection,
                name,
                metadata=meta | {"state": "building"},
                embedding_function=None,
                # Chroma prunes its write-ahead log only after the index is synced: sync often, so
                # rewriting a version in place (Chroma server) keeps the log short.
                configuration={"hnsw": {"space": "cosine", "batch_size": 100, "sync_threshold": 100}},
            )
            write = collection.add
        batch = max(1, min(512, int(self._chroma("limits", client.get_max_batch_size))))
        for i in range(0, len(records.ids), batch):
            part = slice(i, i + batch)
            self._chroma(
                "write",
                write,
                ids=records.ids[part],
                documents=records.documents[part],
                metadatas=records.metadatas[part],
                embeddings=records.vectors[part],
            )
            if progress:
                progress(len(records.ids[part]))
        # Verify before anyone can see it: every row there, right dimension, and a probe query
        # that finds a stored vector again (among the first few: exact duplicates tie with it).
        count = self._chroma("count", collection.count)
        if count != len(records.ids):
            raise StoreUnavailable(f"verification failed: {name} holds {count} records, expected {len(records.ids)}")
        if len(records.ids):
            probe = int(np.argmax(np.linalg.norm(records.vectors, axis=1)))
            hit = self._chroma(
                "probe", collection.query, query_embeddings=records.vectors[probe : probe + 1], n_results=min(10, len(records.ids)), include=["distances"]
            )
            if not hit["ids"][0] or min(hit["distances"][0]) > 1e-3:
                raise StoreUnavailable(f"verification failed: a probe query on {name} did not find its own vector")
        self._chroma("seal", collection.modify, metadata=meta | {"state": "complete"})
        return Version(
            collection=name,
            number=number,
            pin=pin,
            records=len(records.ids),
            chunks=chunks,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
        )

    def has_collection(self, version: Version) -> bool:
        client = self.client()
        try:
            collection = self._chroma("open", client.get_collection, version.collection, embedding_function=None)
        except StoreUnavailable:
            raise
        except Exception:
            return False
        return bool(self._chroma("count", collection.count) == version.records)

    def _versions(self) -> list[Any]:
        """Every version collection on the server or in the embedded store, oldest first."""
        client = self.client()
        found = []
        for collection in self._chroma("list", client.list_collections):
            name = collection if isinstance(collection, str) else collection.name
            if name.startswith(PREFIX):
                found.append(name)
        return sorted(found)

    def _spare(self, active: Version | None, pin: ModelPin) -> Any:
        """The newest collection that is not the active version, if it can be rewritten in place."""
        names = [n for n in self._versions() if active is None or n != active.collection]
        if not names:
            return None
        collection = self._chroma("open", self.client().get_collection, names[-1], embedding_function=None)
        if (collection.metadata or {}).get("dimension") != pin.dimension:
            return None  # another model's vectors: drop it instead
        return collection

    def _ids(self, collection: Any) -> list[str]:
        ids: list[str] = []
        while True:
            got = self._chroma("read ids", collection.get, include=[], limit=1000, offset=len(ids))
            ids += got["ids"]
            if len(got["ids"]) < 1000:
                return ids

    def cleanup(self, keep: Version | None, spare: Version | None = None) -> list[str]:
        """Drop every version but ``keep``: superseded ones and leftovers of killed ingests.

        With a Chroma server, ``spare`` (the version just superseded) is kept too, to be rewritten
        by the next ingest; before a write, the newest non-active collection is kept for that.
        Embedded, dropped versions leave nothing behind: Chroma 1.5 deletes a collection's rows
        but not its segment folders, so the folders no collection refers to are removed here.
        """
        client = self.client()
        names = [n for n in self._versions() if keep is None or n != keep.collection]
        if self.remote:
            reuse = spare.collection if spare is not None else (names[-1] if names else None)
            names = [n for n in names if n != reuse]
        dropped = []
        for name in names:
            self._chroma("drop", client.delete_collection, name)
            dropped.append(name)
        if not self.remote:
            self._remove_unused_segments()
        snapshots = self.dir / "snapshots"
        if snapshots.is_dir():
            for file in snapshots.glob("*.npz"):
                if keep is None or file.stem != keep.collection:
                    file.unlink(missing_ok=True)
        return dropped

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
            with contextlib.suppress(sqlite3.OperationalError):  # busy or absent: the next ingest will
                db.execute("INSERT INTO embedding_fulltext_search(embedding_fulltext_search) VALUES('optimize')")
            with contextlib.suppress(sqlite3.OperationalError):
                db.execute("VACUUM")
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
                raise IngestLocked(f"another ingest is running on {self.describe()} (pid {holder}); try again when it finishes") from None
            fh.seek(0)
            fh.truncate()
            fh.write(str(os.getpid()))
            fh.flush()
            yield
        finally:
            fh.close()
