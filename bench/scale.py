"""Scale: what a corpus of many guides costs (issue 12), measured only through the outside
interfaces (the CLI, HTTP, files and /proc), so the same harness measures before and after a
re-architecture of retrieval.

For each size N (the real guide plus N-1 generated guides, bench/scale_corpus.py), in fresh
temporary corpus and store folders, sharing one model cache (so the one-off ONNX export is made once,
before anything is measured):

- full ingest into an empty store: wall seconds, peak memory, passages/s (= chunks it reports /
  those wall seconds), and the store's size on disk;
- a one-line edit re-ingested (guide 0 at N=1, a generated guide otherwise), then undone;
- cold ``ask --json``: median wall seconds of 3 runs, and peak memory;
- ``serve`` on loopback: seconds from start to ``/ready``, warm ``POST /ask`` p50/p95 over distinct
  questions on one keep-alive connection, and the server's peak memory;
- quality: ``tpm-assistant eval FILE --json --url`` of that server for dev and every ``--eval`` file
  (reported as the difference from N=1), and the generated guides' facts: the share answered from
  the right guide (answered, the answer holds an expected string, and the first citation's source
  is that guide's file);
- with ``--chroma``: the same store in a Chroma server, and a worker's peak memory;
- one large text file (``--big-mb``): full ingest wall seconds and peak memory, within a time and
  a memory bound ("no result after T s" when it does not finish).

Peak memory is the kernel's high-water mark of the process (``wait4``'s ru_maxrss, or ``VmHWM``
for a running server) or, if larger, the sum of the resident memory of the process and its
descendants sampled every 0.1 s. Shared machines are noisy: read the ratios to N=1.

    make bench-scale                       # sizes 1, 10, 100
    .venv/bin/python bench/scale.py --sizes 1,10 --big-timeout 600 [--quick] [--env KEY=VALUE ...]

Writes bench/results/scale.md and scale.json and prints the table.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scale_corpus  # a sibling script: run as bench/scale.py, its folder is on sys.path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
TPM = [str(BIN / "tpm-assistant")]
RESULTS = ROOT / "bench" / "results"
QUESTION = "What does an entry-level TPM earn?"
EDIT_SUFFIX = " Edited for the scale benchmark."


# ---------------------------------------------------------------- processes and memory


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return found


def _status_kb(pid: int, key: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    return 0


def tree_kb(pid: int, key: str = "VmRSS:") -> int:
    """Sum of one /proc status field over a process and all its descendants, in KB."""
    return sum(_status_kb(p, key) for p in _descendants(pid))


@dataclass
class Run:
    cmd: list[str]
    seconds: float
    returncode: int | None
    stdout: str
    stderr: str
    peak_kb: int
    stopped: str | None = None  # "timeout" or "memory" when the harness ended it

    @property
    def ok(self) -> bool:
        return self.stopped is None and self.returncode == 0

    def why(self) -> str:
        if self.stopped == "timeout":
            return f"no result after {self.seconds:.0f} s (peak {self.peak_kb / 1024:.0f} MB so far)"
        if self.stopped == "memory":
            return f"stopped at the memory cap after {self.seconds:.0f} s (peak {self.peak_kb / 1024:.0f} MB)"
        tail = self.stderr.strip().splitlines()[-1:] or [f"exit status {self.returncode}"]
        return f"failed: {tail[0][:300]}"


def measured(cmd: list[str], env: dict[str, str], timeout: float, mem_cap_kb: int) -> Run:
    """Run a command to the end (or to ``timeout`` / ``mem_cap_kb``): wall seconds, output, peak memory."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        # A session of its own, so a timeout ends the command and anything it started, and only that.
        process = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=err, start_new_session=True)
        state: dict[str, Any] = {"peak": 0, "stopped": None}
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.1):
                state["peak"] = max(state["peak"], tree_kb(process.pid))
                over = "timeout" if time.perf_counter() - start > timeout else "memory" if state["peak"] > mem_cap_kb else None
                if over and state["stopped"] is None and not done.is_set():
                    # Signalled only while unreaped, so the group is still the command's own.
                    state["stopped"] = over
                    _signal_group(process.pid, signal.SIGTERM)
                    if done.wait(10):
                        return
                    _signal_group(process.pid, signal.SIGKILL)
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        # wait4, not wait: the kernel's own high-water mark of the command's memory (KB on Linux).
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        watcher.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(cmd, seconds, process.returncode, out.read().decode(errors="replace"),
                   err.read().decode(errors="replace"), max(int(usage.ru_maxrss), state["peak"]), state["stopped"])  # fmt: skip


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_status(url: str, timeout: float = 2.0) -> int | None:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)
    try:
        connection.request("GET", parts.path)
        response = connection.getresponse()
        response.read()
        return response.status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


@dataclass
class Server:
    url: str
    pid: int
    ready_seconds: float


@contextlib.contextmanager
def serving(cmd: list[str], env: dict[str, str], ready_path: str, timeout: float, log: Path) -> Iterator[Server]:
    """Start a server on loopback (its command holds "{port}"), yield it once ``ready_path`` says
    200, and always stop it."""
    port = free_port()
    with log.open("wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen([c.replace("{port}", str(port)) for c in cmd], env=env, cwd=ROOT,
                                   stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            while http_status(url + ready_path) != 200:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited: {log.read_text(errors='replace').strip()[-300:]}")
                if time.perf_counter() - start > timeout:
                    raise RuntimeError(f"not ready after {timeout:.0f} s")
                time.sleep(0.1)
            yield Server(url, process.pid, time.perf_counter() - start)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait()


class Client:
    """A lean keep-alive HTTP client (the standard library's): little overhead of its own on the
    cores the server shares."""

    def __init__(self, url: str, timeout: float = 120.0):
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=timeout)

    def ask(self, question: str) -> tuple[int, dict[str, Any] | None]:
        body = json.dumps({"question": question})
        self.connection.request("POST", "/ask", body=body, headers={"content-type": "application/json"})
        response = self.connection.getresponse()
        data = response.read()
        return response.status, json.loads(data) if response.status == 200 else None

    def close(self) -> None:
        self.connection.close()


# ---------------------------------------------------------------- questions and checks


def load_questions() -> list[str]:
    """Distinct single questions from every eval file, in a fixed shuffled order (kinds mixed)."""
    out: list[str] = []
    for path in sorted((ROOT / "eval").glob("*.jsonl")):
        for line in path.read_text().splitlines():
            item = json.loads(line) if line.strip() else {}
            if isinstance(item.get("question"), str):
                out.append(item["question"])
    unique = list(dict.fromkeys(out))
    random.Random(12).shuffle(unique)
    return unique


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def holds(text: str, expect: list[str]) -> bool:
    """The eval rule: some expected string, case- and whitespace-insensitively."""
    return any(_norm(e) in _norm(text) for e in expect)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def edit_one_line(path: Path) -> int:
    """Append a sentence to one paragraph line (the last long one before the back matter): one
    passage changes. Returns the 1-based line number."""
    text = path.read_bytes().decode("utf-8")
    lines = text.split("\n")
    end = next((i for i, line in enumerate(lines) if line.strip() == "References"), len(lines))
    for i in range(end - 1, -1, -1):
        line = lines[i]
        if len(line) >= 120 and not line.lstrip().startswith("•") and line.rstrip().endswith("."):
            lines[i] = line + EDIT_SUFFIX
            path.write_bytes("\n".join(lines).encode("utf-8"))
            return i + 1
    raise SystemExit(f"no paragraph line to edit in {path}")


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def last_json(stdout: str) -> dict[str, Any]:
    """The JSON object a command prints last (ingest --json prints it after any progress text)."""
    start = stdout.rfind("\n{")
    return dict(json.loads(stdout[start + 1 if start >= 0 else 0 :]))


# ---------------------------------------------------------------- the measures


@dataclass
class Options:
    timeout: float
    mem_cap_kb: int
    requests: int
    warmup: int
    evals: list[Path]
    jobs_questions: int
    quality_sizes: set[int]
    chroma: bool
    chroma_requests: int
    questions: list[str] = field(default_factory=list)


def latency(url: str, questions: list[str], warmup: int, n: int, deadline: float) -> dict[str, Any]:
    """Warm ``POST /ask`` round trips on one keep-alive connection, each question asked once."""
    if len(questions) < warmup + n:
        raise SystemExit(f"only {len(questions)} distinct questions for {warmup} + {n} requests")
    client, times, errors = Client(url), [], 0
    try:
        for q in questions[:warmup]:
            client.ask(q)
        for q in questions[warmup : warmup + n]:
            if time.monotonic() > deadline:
                break
            start = time.perf_counter()
            status, _ = client.ask(q)
            times.append(time.perf_counter() - start)
            errors += status != 200
    finally:
        client.close()
    if not times:
        return {"requests": 0, "errors": errors}
    return {"p50_ms": 1000 * statistics.median(times), "p95_ms": 1000 * pct(times, 0.95),
            "requests": len(times), "errors": errors}  # fmt: skip


def job_facts(url: str, facts: list[dict[str, Any]]) -> dict[str, Any]:
    """Share of facts answered from the right guide: answered, an expected string in the answer,
    and the first citation from the fact's source file."""
    client = Client(url)
    right = answered = held = sourced = 0
    misses = []
    try:
        for fact in facts:
            status, answer = client.ask(str(fact["question"]))
            a = answer or {"answered": False, "answer": f"HTTP {status}", "citations": []}
            first = a["citations"][0]["source"] if a["citations"] else None
            ok_hold, ok_source = holds(a["answer"], list(fact["expect"])), first == fact["source"]
            answered += bool(a["answered"])
            held += ok_hold
            sourced += ok_source
            if a["answered"] and ok_hold and ok_source:
                right += 1
            else:
                misses.append({"id": fact["id"], "question": fact["question"], "answered": a["answered"],
                               "first_source": first, "answer": a["answer"][:200]})  # fmt: skip
    finally:
        client.close()
    n = len(facts)
    return {"questions": n, "right": right / n, "answered": answered / n, "holds": held / n,
            "first_source_right": sourced / n, "misses": misses}  # fmt: skip


def measure_size(n: int, work: Path, env: dict[str, str], opt: Options) -> dict[str, Any]:
    """Every measure at one size, in fresh folders; a failed step is recorded and the rest go on
    where they can."""
    base = work / f"n{n}"
    corpus, store, facts_path = base / "corpus", base / "store", base / "facts.jsonl"
    guides = scale_corpus.write_corpus(n, corpus, facts_path)
    env = env | {"TPM_CORPUS_DIR": str(corpus), "TPM_STORE_DIR": str(store)}
    res: dict[str, Any] = {"guides": n, "errors": {}, "load_1min": os.getloadavg()[0]}

    def note(step: str, run: Run) -> None:
        res["errors"][step] = run.why()
        print(f"  [{n}] {step}: {run.why()}", file=sys.stderr)

    def say(text: str) -> None:
        print(f"  [{n}] {text}", file=sys.stderr, flush=True)

    run = measured([*TPM, "ingest", "--json"], env, opt.timeout, opt.mem_cap_kb)
    res["ingest_peak_mb"] = run.peak_kb / 1024
    if not run.ok:
        note("full ingest", run)
        return res
    report = last_json(run.stdout)
    res |= {"passages": report["chunks"], "ingest_s": run.seconds, "ingest_reported_s": report.get("seconds"),
            "passages_per_s": report["chunks"] / run.seconds, "store_mb": dir_mb(store)}  # fmt: skip
    say(f"full ingest: {report['chunks']} passages in {run.seconds:.1f} s, peak {run.peak_kb / 1024:.0f} MB")

    edited = corpus / guides[0 if n == 1 else 1].file
    original = edited.read_bytes()
    line = edit_one_line(edited)
    run = measured([*TPM, "ingest", "--json"], env, opt.timeout, opt.mem_cap_kb)
    if run.ok:
        report = last_json(run.stdout)
        res |= {"edit_s": run.seconds, "edit_peak_mb": run.peak_kb / 1024,
                "edit_change": {k: report.get(k) for k in ("added", "updated", "removed", "unchanged")},
                "edit_where": f"{edited.name}:{line}"}  # fmt: skip
        say(f"one-line edit: {run.seconds:.1f} s {res['edit_change']}")
    else:
        note("one-line edit", run)
    # The edit undone (not timed): quality is compared on the guides as generated, and at one guide
    # the edited file is the real guide the eval sets are written from.
    edited.write_bytes(original)
    undo = measured([*TPM, "ingest", "--json"], env, opt.timeout, opt.mem_cap_kb)
    if not undo.ok:
        note("undoing the edit", undo)

    runs = [measured([*TPM, "ask", "--json", QUESTION], env, opt.timeout, opt.mem_cap_kb) for _ in range(3)]
    if all(r.ok for r in runs):
        res |= {"cold_ask_s": statistics.median(r.seconds for r in runs),
                "cold_ask_peak_mb": max(r.peak_kb for r in runs) / 1024}  # fmt: skip
        say(f"cold ask: {res['cold_ask_s']:.2f} s")
    else:
        note("cold ask", next(r for r in runs if not r.ok))

    serve = [*TPM, "serve", "--host", "127.0.0.1", "--port", "{port}"]
    try:
        with serving(serve, env, "/ready", opt.timeout, base / "serve.log") as server:
            res["serve_ready_s"] = server.ready_seconds
            deadline = time.monotonic() + opt.timeout
            lat = latency(server.url, opt.questions, opt.warmup, opt.requests, deadline)
            res |= {f"warm_{k}": v for k, v in lat.items()}
            say(f"warm /ask: {lat}")
            if n in opt.quality_sizes:
                res["quality"] = quality(server.url, env, opt, n, facts_path)
            res["server_peak_mb"] = tree_kb(server.pid, "VmHWM:") / 1024
    except RuntimeError as exc:
        res["errors"]["serve"] = str(exc)
        say(f"serve: {exc}")

    if opt.chroma:
        res |= chroma_worker(base, env, opt)
    return res


def quality(url: str, env: dict[str, str], opt: Options, n: int, facts_path: Path) -> dict[str, Any]:
    out: dict[str, Any] = {"eval": {}}
    for path in opt.evals:
        run = measured([*TPM, "eval", str(path), "--json", "--url", url], env, opt.timeout, opt.mem_cap_kb)
        out["eval"][path.name] = json.loads(run.stdout)["metrics"] if run.ok else {"error": run.why()}
        print(f"  [{n}] eval {path.name}: {out['eval'][path.name]}", file=sys.stderr, flush=True)
    facts = [json.loads(line) for line in facts_path.read_text().splitlines() if line.strip()]
    generated = [f for f in facts if not f.get("control")][: opt.jobs_questions]
    if generated:
        out["jobs"] = job_facts(url, generated)
        print(f"  [{n}] generated-job facts right: {out['jobs']['right']:.2f}", file=sys.stderr, flush=True)
    out["control"] = job_facts(url, [f for f in facts if f.get("control")])
    return out


def chroma_worker(base: Path, env: dict[str, str], opt: Options) -> dict[str, Any]:
    """The store in a Chroma server: ingest into it, then one worker's peak memory under load."""
    res: dict[str, Any] = {}
    chroma = [str(BIN / "chroma"), "run", "--path", str(base / "chroma-data"), "--host", "127.0.0.1", "--port", "{port}"]
    try:
        with serving(chroma, env, "/api/v2/heartbeat", 120, base / "chroma.log") as server:
            worker_env = env | {"TPM_CHROMA_URL": server.url, "TPM_STORE_DIR": str(base / "chroma-cache")}
            run = measured([*TPM, "ingest", "--json"], worker_env, opt.timeout, opt.mem_cap_kb)
            if not run.ok:
                res["errors_chroma"] = f"ingest: {run.why()}"
                return res
            res["chroma_ingest_s"] = run.seconds
            serve = [*TPM, "serve", "--host", "127.0.0.1", "--port", "{port}"]
            with serving(serve, worker_env, "/ready", opt.timeout, base / "worker.log") as worker:
                deadline = time.monotonic() + opt.timeout
                lat = latency(worker.url, opt.questions, opt.warmup, opt.chroma_requests, deadline)
                res |= {"chroma_worker_peak_mb": tree_kb(worker.pid, "VmHWM:") / 1024,
                        "chroma_worker_p50_ms": lat.get("p50_ms")}  # fmt: skip
            res["chroma_server_peak_mb"] = tree_kb(server.pid, "VmHWM:") / 1024
    except RuntimeError as exc:
        res["errors_chroma"] = str(exc)
    return res


def big_file(size_mb: float, work: Path, env: dict[str, str], timeout: float, mem_cap_kb: int) -> dict[str, Any]:
    base = work / "big"
    path = base / "corpus" / f"scale-{size_mb:g}mb.txt"
    count = scale_corpus.write_big_file(size_mb, path)
    env = env | {"TPM_CORPUS_DIR": str(path.parent), "TPM_STORE_DIR": str(base / "store")}
    run = measured([*TPM, "ingest", "--json"], env, timeout, mem_cap_kb)
    res: dict[str, Any] = {"mb": path.stat().st_size / 1e6, "guides": count, "timeout_s": timeout,
                           "peak_mb": run.peak_kb / 1024, "seconds": run.seconds}  # fmt: skip
    if run.ok:
        res["passages"] = last_json(run.stdout)["chunks"]
    else:
        res["result"] = run.why()
    return res


# ---------------------------------------------------------------- report

ROWS: list[tuple[str, str, str]] = [
    ("load_1min", "machine load average at the start (1 min)", "context, not a measure"),
    ("passages", "passages (chunks)", ""),
    ("ingest_s", "full ingest into an empty store (s)", ""),
    ("passages_per_s", "full-ingest passages/s", "at 100: >= 0.8 x one-guide rate"),
    ("ingest_peak_mb", "full ingest peak memory (MB)", "<= 1536 at every size"),
    ("store_mb", "store on disk after full ingest (MB)", ""),
    ("edit_s", "one-line edit re-ingest (s)", "<= 3 at 1; <= 10 at 100"),
    ("edit_peak_mb", "one-line edit peak memory (MB)", "<= 1536"),
    ("cold_ask_s", "cold `ask --json` (s, median of 3)", "at 100: <= 1.5"),
    ("cold_ask_peak_mb", "cold `ask` peak memory (MB)", ""),
    ("serve_ready_s", "`serve`: start to /ready (s)", ""),
    ("warm_p50_ms", "warm POST /ask p50 (ms)", "at 100: <= 15"),
    ("warm_p95_ms", "warm POST /ask p95 (ms)", ""),
    ("warm_errors", "warm /ask errors", "0"),
    ("server_peak_mb", "server peak memory (MB)", "at 100: <= 800"),
    ("chroma_ingest_s", "ingest into a Chroma server (s)", ""),
    ("chroma_worker_peak_mb", "worker peak memory, Chroma server (MB)", "at 100: <= 500"),
    ("chroma_worker_p50_ms", "worker warm /ask p50, Chroma server (ms)", ""),
    ("chroma_server_peak_mb", "Chroma server peak memory (MB)", ""),
]
QUALITY_METRICS = ("hit@1", "hit@3", "answer_acc", "false_abstain", "abstain_oos", "followup_acc", "citations_exact")


def fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def render(results: dict[str, Any]) -> str:
    meta, sizes = results["meta"], results["sizes"]
    ns = sorted(sizes, key=int)
    one = sizes.get("1", {})
    head = "| measure | " + " | ".join(f"{n} guide{'s' * (n != '1')}" for n in ns) + " | target |"
    rule = "|---" * (len(ns) + 2) + "|"
    lines = [
        "# Scale benchmark (issue 12)", "",
        (f"Measured {meta['date']} on {meta['machine']}, {meta['cores']} cores (load average {meta['load']} at the start), "
         f"Python {meta['python']}, niceness {meta['nice']}; model cache primed once beforehand ({meta['prime_s']:.0f} s)."),
        f"Command: `{meta['command']}`" + (f"; extra environment: {', '.join(meta['env'])}" if meta["env"] else ""),
        "Corpus: the real guide plus N-1 generated guides (`bench/scale_corpus.py`). Cells: value (x ratio to 1 guide).", "",
        "## Speed and memory", "", head, rule,
    ]  # fmt: skip
    for key, label, target in ROWS:
        if not any(key in sizes[n] for n in ns):
            continue
        cells = []
        for n in ns:
            v = sizes[n].get(key)
            base = one.get(key)
            if v is None:
                cells.append("-")
            elif base and n != "1":
                cells.append(f"{fmt(v)} (x{v / base:.2f})")
            else:
                cells.append(fmt(v))
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")
    errors = [f"- {n} guides, {step}: {why}" for n in ns for step, why in sizes[n].get("errors", {}).items()]
    errors += [f"- {n} guides, Chroma server: {sizes[n]['errors_chroma']}" for n in ns if "errors_chroma" in sizes[n]]
    if errors:
        lines += ["", "Steps without a result:", *errors]
    edits = [f"{n}: {sizes[n]['edit_where']} -> {sizes[n]['edit_change']}" for n in ns if "edit_change" in sizes[n]]
    if edits:
        lines += ["", "One-line edit (file:line -> what ingest reported): " + "; ".join(edits) + "."]

    qs = [n for n in ns if "quality" in sizes[n]]
    if qs:
        lines += ["", "## Quality (difference from 1 guide)", "",
                  "| set | metric | " + " | ".join(f"{n} guide{'s' * (n != '1')}" for n in qs) + " | target |",
                  "|---" * (len(qs) + 3) + "|"]  # fmt: skip
        base_q = one.get("quality", {}).get("eval", {})
        files = list(dict.fromkeys(f for n in qs for f in sizes[n]["quality"]["eval"]))
        for name in files:
            for metric in QUALITY_METRICS:
                cells = []
                for n in qs:
                    m = sizes[n]["quality"]["eval"].get(name, {})
                    v, b = m.get(metric), base_q.get(name, {}).get(metric)
                    if v is None:
                        cells.append(m.get("error", "-")[:60] if metric == "hit@1" else "-")
                    elif n != "1" and b is not None:
                        cells.append(f"{v:.2f} ({v - b:+.2f})")
                    else:
                        cells.append(f"{v:.2f}")
                lines.append(f"| {name} | {metric} | " + " | ".join(cells) + " | within 0.02 of 1 guide |")
        for key, label, target in (
            ("jobs", "generated-job facts answered from the right guide", ">= 0.90 at 100"),
            ("control", "control: the same templates about the real guide", ""),
        ):
            for part in ("right", "answered", "holds", "first_source_right"):
                cells = []
                for n in qs:
                    j = sizes[n]["quality"].get(key)
                    cells.append(f"{j[part]:.2f} of {j['questions']}" if j else "-")
                lines.append(f"| {label} | {part} | " + " | ".join(cells) + f" | {target if part == 'right' else ''} |")

    big = results.get("big_file")
    if big:
        outcome = (f"{big['passages']} passages in {big['seconds']:.0f} s, peak memory {big['peak_mb']:.0f} MB"
                   if "passages" in big else big["result"])  # fmt: skip
        lines += ["", "## One large file", "",
                  (f"One {big['mb']:.1f} MB text file ({big['guides']} generated guides, each under its own title line): "
                   f"full ingest: {outcome}. Target: within the same memory bound (<= 1536 MB).")]  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,10,100", help="numbers of guides, comma-separated (default 1,10,100)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: sizes 1,2, few requests, no large file")
    parser.add_argument("--timeout", type=float, default=3600,
                        help="seconds one command (or a server start, or a load) may take")
    parser.add_argument("--mem-cap-gb", type=float, default=8.0,
                        help="end a command whose memory passes this (the machine is shared)")
    parser.add_argument("--requests", type=int, default=300, help="warm /ask requests per size (distinct questions)")
    parser.add_argument("--eval", dest="evals", type=Path, action="append", default=[],
                        help="another eval file (dev is always scored)")
    parser.add_argument("--quality-sizes", help="sizes at which to score quality (default: every size)")
    parser.add_argument("--jobs-questions", type=int, default=50, help="generated-job facts asked per size")
    parser.add_argument("--chroma", action="store_true", help="also measure a worker against a Chroma server")
    parser.add_argument("--big-mb", type=float, default=20.0, help="size of the one large file (0: skip)")
    parser.add_argument("--big-timeout", type=float, default=1800, help="seconds the large file's ingest may take")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="set for every tpm-assistant process")
    parser.add_argument("--cache-dir", type=Path, help="a model cache to reuse (default: a fresh one, primed unmeasured)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args()

    sizes = [2, 1] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    sizes = sorted(set(sizes))
    if 1 not in sizes:
        parser.error("--sizes must include 1: every figure is read as a ratio to one guide")
    extra: dict[str, str] = {}
    for pair in args.env:
        key, eq, value = pair.partition("=")
        if not eq or not key:
            parser.error(f"--env takes KEY=VALUE, got {pair!r}")
        if key in ("TPM_CORPUS_DIR", "TPM_STORE_DIR", "TPM_CACHE_DIR", "TPM_CHROMA_URL"):
            parser.error(f"{key} is set by the harness")
        extra[key] = value
    evals = [ROOT / "eval" / "dev.jsonl", *(p.resolve() for p in args.evals)]
    opt = Options(
        timeout=args.timeout,
        mem_cap_kb=int(args.mem_cap_gb * 1024 * 1024),
        requests=40 if args.quick else args.requests,
        warmup=10 if args.quick else 20,
        evals=list(dict.fromkeys(evals)),
        jobs_questions=args.jobs_questions,
        quality_sizes={int(s) for s in args.quality_sizes.split(",")} if args.quality_sizes else set(sizes),
        chroma=args.chroma,
        chroma_requests=20 if args.quick else 100,
        questions=load_questions(),
    )
    big_mb = 0.0 if args.quick else args.big_mb

    work = Path(tempfile.mkdtemp(prefix="tpm-scale-"))
    cache = args.cache_dir.resolve() if args.cache_dir else work / "model-cache"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    env |= {"HF_HUB_OFFLINE": "1", "TPM_CACHE_DIR": str(cache)} | extra
    results: dict[str, Any] = {"sizes": {}}
    try:
        # The first ingest on a machine exports the model to ONNX: done once here, not measured.
        prime_corpus = work / "prime" / "corpus"
        scale_corpus.write_corpus(1, prime_corpus, None)
        prime_env = env | {"TPM_CORPUS_DIR": str(prime_corpus), "TPM_STORE_DIR": str(work / "prime" / "store")}
        prime = measured([*TPM, "ingest", "--json"], prime_env, args.timeout, opt.mem_cap_kb)
        if not prime.ok:
            raise SystemExit(f"priming ingest {prime.why()}")
        shutil.rmtree(work / "prime")
        results["meta"] = {
            "date": time.strftime("%Y-%m-%d %H:%M"), "machine": platform.machine(), "cores": os.cpu_count(),
            "load": " ".join(f"{x:.1f}" for x in os.getloadavg()), "python": platform.python_version(),
            "nice": os.nice(0), "prime_s": prime.seconds, "env": sorted(extra),
            "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
            "sizes": sizes, "requests": opt.requests, "timeout_s": opt.timeout, "mem_cap_gb": args.mem_cap_gb,
        }  # fmt: skip
        for n in sizes:
            print(f"measuring {n} guide(s)...", file=sys.stderr, flush=True)
            results["sizes"][str(n)] = measure_size(n, work, env, opt)
            shutil.rmtree(work / f"n{n}" / "store", ignore_errors=True)  # disk: keep only what is needed
        if big_mb > 0:
            print(f"measuring one {big_mb:g} MB file...", file=sys.stderr, flush=True)
            results["big_file"] = big_file(big_mb, work, env, args.big_timeout, opt.mem_cap_kb)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    table = render(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.md").write_text(table)
    (RESULTS / "scale.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
