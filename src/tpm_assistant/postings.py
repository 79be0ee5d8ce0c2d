"""The lexical postings ingest builds, in memory that does not follow the corpus's size.

Each unit's (passage's or sentence's) terms stream to scratch files in unit order, a block at a
time. At the end of ingest they are weighed guide by guide (a guide's statistics are its own) and
written twice: by unit (the forward index, in the order they came) and by term (the postings
lists): each block of weighed postings is sorted by term into a *run*, and the runs are merged a
range of terms at a time, reading one contiguous slice of each run. Either way, at most a block of
postings is in memory, whatever the corpus; the result is the same as sorting everything at once.
"""

from __future__ import annotations

import array
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

BLOCK = 1 << 21  # postings in memory at once (a few tens of bytes each while they are weighed)


@dataclass(frozen=True)
class GuideBlock:
    """Some whole units of one guide, with what weighing them needs."""

    units: np.ndarray  # the unit of each posting
    terms: np.ndarray  # its term id
    raw: np.ndarray  # its raw value (a term frequency, a log-scaled count)
    df: np.ndarray  # per term id: the units of this guide holding it
    guide_units: int  # units in this guide
    first: int  # the guide's first unit
    last: int  # one past its last unit


Weigh = Callable[[GuideBlock], "np.ndarray"]


class _NpyFile:
    """A one-dimensional .npy file of known length, written a piece at a time."""

    def __init__(self, path: Path, dtype: str, n: int):
        import numpy as np

        self.dtype = np.dtype(dtype)
        with path.open("wb") as f:
            header = {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": (n,)}
            np.lib.format.write_array_header_1_0(f, header)
            self.offset = f.tell()
            f.truncate(self.offset + n * self.dtype.itemsize)
        self.fd = os.open(path, os.O_WRONLY)
        self.at = 0

    def append(self, values: np.ndarray) -> None:
        import numpy as np

        data = np.ascontiguousarray(values, dtype=self.dtype).tobytes()
        os.pwrite(self.fd, data, self.offset + self.at * self.dtype.itemsize)
        self.at += len(values)

    def close(self) -> None:
        os.close(self.fd)


class PostingsWriter:
    """Postings of one kind ("p", "s", "g") being built: ``add`` every unit in order, then ``write``."""

    def __init__(self, scratch: Path, kind: str, block: int | None = None):
        import numpy as np

        self.kind, self.block = kind, block or BLOCK
        self.ids: dict[str, int] = {}
        self.lengths = array.array("f")  # per unit
        self.sizes = array.array("i")  # postings per unit
        self.df = np.zeros(0, dtype=np.int64)  # per term id: units holding it
        self._terms, self._raw = array.array("i"), array.array("f")
        self._scratch = [scratch / f"{kind}.{part}" for part in ("terms", "raw", "run_units", "run_vals")]
        self._files = [p.open("wb") for p in self._scratch[:2]]

    def term_id(self, term: str) -> int:
        return self.ids.setdefault(term, len(self.ids))

    def add(self, unit: int, counts: Mapping[str, float], length: float) -> None:
        """A unit's terms (each once) and their raw values."""
        ids = self.ids
        self.add_ids(unit, [ids.setdefault(term, len(ids)) for term in counts], counts.values(), length)

    def add_ids(self, unit: int, term_ids: list[int], values: Iterable[float], length: float) -> None:
        """The same, by term id (``term_id``)."""
        if unit != len(self.lengths):
            raise ValueError(f"postings {self.kind}: unit {unit} added after {len(self.lengths)} units")
        self._terms.extend(term_ids)
        self._raw.extend(values)
        self.lengths.append(length)
        self.sizes.append(len(term_ids))
        if len(self._terms) >= self.block:
            self._spill()

    def _spill(self) -> None:
        import numpy as np

        terms = np.frombuffer(self._terms, dtype=np.int32)
        counts = np.bincount(terms, minlength=len(self.ids))
        counts[: len(self.df)] += self.df
        self.df = counts.astype(np.int64)
        self._files[0].write(self._terms.tobytes())
        self._files[1].write(self._raw.tobytes())
        self._terms, self._raw = array.array("i"), array.array("f")

    def close(self) -> None:
        if not self._files:
            return
        self._spill()
        for f in self._files:
            f.close()
        self._files = []

    def remove_scratch(self) -> None:
        self.close()
        for path in self._scratch:
            path.unlink(missing_ok=True)

    def _read(self, path: Path, dtype: str, start: int, stop: int) -> np.ndarray:
        import numpy as np

        size = np.dtype(dtype).itemsize
        return np.fromfile(path, dtype=dtype, count=stop - start, offset=start * size) if stop > start else np.zeros(0, dtype)

    def _blocks(self, first: int, last: int, starts: np.ndarray) -> Iterator[tuple[int, int]]:
        """Ranges of whole units [a, b) within [first, last) holding at most a block of postings
        (or one unit, if it alone holds more)."""
        import numpy as np

        a = first
        while a < last:
            b = int(np.searchsorted(starts, starts[a] + self.block, side="right")) - 1
            b = min(max(b, a + 1), last)
            yield a, b
            a = b

    def write(self, folder: Path, guide: np.ndarray, weigh: Weigh) -> None:
        """The version's files ``post_<kind>_*`` (by term) and ``fwd_<kind>_*`` (by unit), weighed
        by ``weigh`` guide by guide (``guide``: each unit's guide, in non-decreasing order)."""
        import numpy as np

        self.close()
        n_units, n_terms = len(self.lengths), len(self.ids)
        if len(guide) != n_units or (n_units and np.any(np.diff(guide) < 0)):
            raise ValueError(f"postings {self.kind}: a guide's units must be contiguous")
        sizes = np.frombuffer(self.sizes, dtype=np.int32).astype(np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        total = int(starts[-1])
        np.save(folder / f"fwd_{self.kind}_offsets.npy", starts)
        fwd_terms = _NpyFile(folder / f"fwd_{self.kind}_terms.npy", "<i4", total)
        fwd_vals = _NpyFile(folder / f"fwd_{self.kind}_vals.npy", "<f4", total)
        runs = _Runs(self._scratch[2], self._scratch[3], n_terms, self.block)
        bounds = np.flatnonzero(np.diff(guide)) + 1 if n_units else np.zeros(0, np.int64)
        edges = [0, *bounds.tolist(), n_units] if n_units else [0]
        for first, last in itertools.pairwise(edges):
            df = np.zeros(n_terms, dtype=np.int64)
            for a, b in self._blocks(first, last, starts):
                df += np.bincount(self._read(self._scratch[0], "<i4", starts[a], starts[b]), minlength=n_terms)
            for a, b in self._blocks(first, last, starts):
                terms = self._read(self._scratch[0], "<i4", starts[a], starts[b])
                raw = self._read(self._scratch[1], "<f4", starts[a], starts[b])
                units = np.repeat(np.arange(a, b, dtype=np.int64), sizes[a:b])
                values = np.asarray(weigh(GuideBlock(units, terms, raw, df, last - first, first, last)), dtype=np.float32)
                order = np.lexsort((terms, units))  # a unit's terms by term id
                fwd_terms.append(terms[order])
                fwd_vals.append(values[order])
                runs.add(units, terms, values)
        fwd_terms.close()
        fwd_vals.close()
        runs.finish(folder, self.kind, self.df)


class _Runs:
    """Weighed postings sorted by term a block at a time (runs), then merged into term order."""

    def __init__(self, units_path: Path, vals_path: Path, n_terms: int, block: int):
        self.paths, self.n_terms, self.block = (units_path, vals_path), n_terms, block
        self.files = [units_path.open("wb"), vals_path.open("wb")]
        self.pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.held = 0
        self.bases: list[int] = []  # where each run starts in the scratch files
        self.offsets: list[np.ndarray] = []  # each run's per-term offsets
        self.written = 0

    def add(self, units: np.ndarray, terms: np.ndarray, values: np.ndarray) -> None:
        self.pending.append((units, terms, values))
        self.held += len(units)
        if self.held >= self.block:
            self._flush()

    def _flush(self) -> None:
        import numpy as np

        if not self.pending:
            return
        units = np.concatenate([p[0] for p in self.pending])
        terms = np.concatenate([p[1] for p in self.pending])
        values = np.concatenate([p[2] for p in self.pending])
        self.pending, self.held = [], 0
        order = np.argsort(terms, kind="stable")  # units stay in order within a term
        self.files[0].write(units[order].astype(np.int32).tobytes())
        self.files[1].write(values[order].astype(np.float32).tobytes())
        self.bases.append(self.written)
        self.offsets.append(np.concatenate([[0], np.cumsum(np.bincount(terms, minlength=self.n_terms))]).astype(np.int64))
        self.written += len(units)

    def finish(self, folder: Path, kind: str, df: np.ndarray) -> None:
        import numpy as np

        self._flush()
        for f in self.files:
            f.close()
        offsets = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        np.save(folder / f"post_{kind}_offsets.npy", offsets)
        docs = _NpyFile(folder / f"post_{kind}_docs.npy", "<i4", int(offsets[-1]))
        vals = _NpyFile(folder / f"post_{kind}_vals.npy", "<f4", int(offsets[-1]))
        t0 = 0
        while t0 < self.n_terms:
            t1 = min(max(int(np.searchsorted(offsets, offsets[t0] + self.block, side="right")) - 1, t0 + 1), self.n_terms)
            parts_units, parts_vals, parts_terms = [], [], []
            for base, run in zip(self.bases, self.offsets, strict=True):
                a, b = base + int(run[t0]), base + int(run[t1])
                if b > a:
                    parts_units.append(np.fromfile(self.paths[0], dtype="<i4", count=b - a, offset=4 * a))
                    parts_vals.append(np.fromfile(self.paths[1], dtype="<f4", count=b - a, offset=4 * a))
                    parts_terms.append(np.repeat(np.arange(t0, t1), np.diff(run[t0 : t1 + 1])))
            if parts_units:
                order = np.argsort(np.concatenate(parts_terms), kind="stable")  # runs are in unit order
                docs.append(np.concatenate(parts_units)[order])
                vals.append(np.concatenate(parts_vals)[order])
            t0 = t1
        docs.close()
        vals.close()
        for path in self.paths:
            path.unlink(missing_ok=True)
