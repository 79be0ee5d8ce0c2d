"""Speed: the LangChain-tutorial baseline (bench/baseline/tutorial.py) and tpm-assistant, measured
in one run on this machine, each with fresh temporary stores. Shared machines are noisy: compare
the ratios, which are measured side by side, more than the absolute figures.

    make bench
    # or: .venv/bin/python bench/run.py --baseline-python bench/.venv/bin/python [--quick]

Writes bench/results/latest.md and latest.json and prints the table.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
TPM = [str(ROOT / ".venv" / "bin" / "tpm-assistant")]
RESULTS = ROOT / "bench" / "results"
QUESTION = "What does an entry-level TPM earn?"


def questions() -> list[str]:
    """Distinct questions for the HTTP load (no answer is served twice in a row)."""
    out: list[str] = []
    for name in ("dev", "holdout2", "holdout"):
        for line in (ROOT / "eval" / f"{name}.jsonl").read_text().splitlines():
            item = json.loads(line)
            if "question" in item:
                out.append(item["question"])
    return list(dict.fromkeys(out))


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall seconds and standard output of one command, which must succeed."""
    start = time.perf_counter()
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{result.stderr[-2000:]}")
    return seconds, result.stdout


def median_of(cmd: list[str], env: dict[str, str], n: int) -> float:
    return statistics.median(run(cmd, env)[0] for _ in range(n))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kb(pid: int) -> tuple[int, int]:
    """(current, peak) resident memory of a process and its children, in KB."""
    current = peak = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(c) for c in (task / "children").read_text().split()]
    for p in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    current += int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    peak += int(line.split()[1])
    return current, peak


@contextlib.contextmanager
def serving(cmd: list[str], env: dict[str, str], ready_path: str) -> Iterator[tuple[str, int]]:
    """Start a server whose command holds "{port}"; yield its URL and pid once it is ready."""
    port = free_port()
    process = subprocess.Popen([c.replace("{port}", str(port)) for c in cmd], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + ready_path, timeout=2).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                error = process.stderr.read().decode()[-2000:] if process.stderr and process.poll() is not None else ""
                raise SystemExit(f"server did not start: {' '.join(cmd)}\n{error}")
            time.sleep(0.1)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


class Client:
    """A lean keep-alive HTTP client (the standard library's), so that the client's own overhead,
    on the same two cores as the server, stays small for both servers measured."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def ask(self, question: str) -> int:
        body = json.dumps({"question": question})
        self.connection.request("POST", "/ask", body=body, headers={"content-type": "application/json"})
        response = self.connection.getresponse()
        response.read()
        return response.status

    def timed(self, path: str, body: dict[str, object]) -> tuple[float, float]:
        """Seconds to the first byte of the response body and to its last byte."""
        start = time.perf_counter()
        self.connection.request("POST", path, body=json.dumps(body), headers={"content-type": "application/json"})
        response = self.connection.getresponse()
        response.read(1)
        first = time.perf_counter() - start
        response.read()
        last = time.perf_counter() - start
        assert response.status == 200, f"{path}: {response.status}"
        return first, last

    def close(self) -> None:
        self.connection.close()


def sequential(url: str, qs: list[str], n: int) -> list[float]:
    """Round-trip times of ``n`` questions asked one after another on one connection."""
    client, times = Client(url), []
    for q in qs[:20]:  # warm-up
        assert client.ask(q) == 200
    for i in range(n):
        start = time.perf_counter()
        status = client.ask(qs[i % len(qs)])
        times.append(time.perf_counter() - start)
        assert status == 200
    client.close()
    return times


def stream_beside_ask(url: str, qs: list[str], n: int) -> dict[str, float]:
    """Warm medians (ms) of the time to first and to last byte of POST /ask and of the streamed
    POST /chat ("stream": true) for the same questions, asked in turn on one connection."""
    client = Client(url)

    def ask(q: str) -> tuple[float, float]:
        return client.timed("/ask", {"question": q})

    def stream(q: str) -> tuple[float, float]:
        return client.timed("/chat", {"messages": [{"role": "user", "content": q}], "stream": True})

    for q in qs[:20]:  # warm-up
        ask(q), stream(q)
    asked, streamed = [], []
    for i in range(n):
        asked.append(ask(qs[i % len(qs)]))
        streamed.append(stream(qs[i % len(qs)]))
    client.close()

    def ms(values: list[float]) -> float:
        return 1000 * statistics.median(values)

    out = {"ask_first": ms([a[0] for a in asked]), "ask_last": ms([a[1] for a in asked]),
           "stream_first": ms([s[0] for s in streamed]), "stream_last": ms([s[1] for s in streamed])}  # fmt: skip
    out["added"] = ms([s[1] - a[1] for a, s in zip(asked, streamed, strict=True)])
    return out


def concurrent(url: str, qs: list[str], clients: int, seconds: float) -> tuple[float, int, int]:
    """Requests per second with ``clients`` keep-alive clients, and the ok / error counts."""
    stop = time.monotonic() + seconds
    counts = [[0, 0] for _ in range(clients)]

    def worker(k: int) -> None:
        client, i = Client(url), k
        while time.monotonic() < stop:
            try:
                ok = client.ask(qs[i % len(qs)]) == 200
            except (OSError, http.client.HTTPException):
                ok = False
                client = Client(url)
            counts[k][0 if ok else 1] += 1
            i += clients
        client.close()

    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    ok = sum(c[0] for c in counts)
    return ok / elapsed, ok, sum(c[1] for c in counts)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline-python", default=str(ROOT / "bench" / ".venv" / "bin" / "python"))
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    args = parser.parse_args()
    reps = 2 if args.quick else 5
    sequential_n = 100 if args.quick else 400
    load_seconds = 5.0 if args.quick else 20.0
    qs = questions()
    baseline = [str(Path(args.baseline_python).absolute()), str(ROOT / "bench" / "baseline" / "tutorial.py")]
    work = Path(tempfile.mkdtemp(prefix="tpm-bench-"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("TPM_")}
    base_env["HF_HUB_OFFLINE"] = "1"
    tpm_env = base_env | {"TPM_CORPUS_DIR": str(CORPUS), "TPM_CACHE_DIR": str(work / "model-cache")}
    results: dict[str, dict[str, float]] = {}

    def store(name: str) -> dict[str, str]:
        return tpm_env | {"TPM_STORE_DIR": str(work / name)}

    def note(key: str, baseline_value: float | None, ours: float) -> None:
        results[key] = {"baseline": baseline_value if baseline_value is not None else float("nan"), "tpm": ours}
        print(f"{key}: baseline={baseline_value} tpm={ours}", file=sys.stderr)

    try:
        # Ingest. The baseline rebuilds its store every time. tpm-assistant's first ingest on a
        # machine also exports the model to ONNX (once per model); full ingests into new stores
        # after that reuse the export; a re-run on an unchanged corpus changes nothing.
        base_store = str(work / "baseline-store")
        baseline_full = median_of([*baseline, "ingest", str(CORPUS), base_store], base_env, 3)
        first_time = run([*TPM, "ingest"], store("tpm-first-time"))[0]
        full = statistics.median(run([*TPM, "ingest"], store(f"tpm-full-{i}"))[0] for i in range(3))
        note("full ingest of the guide into a new store (s)", baseline_full, full)
        note("first ingest on a machine, incl. the one-off model export (s)", baseline_full, first_time)
        note("ingest on an unchanged corpus (s)", baseline_full, median_of([*TPM, "ingest"], store("tpm-full-0"), reps))

        # One-off questions from a cold process, and --help.
        serve_store = store("tpm-full-0")
        note("cold one-off question (s, median)",
             median_of([*baseline, "ask", QUESTION, base_store], base_env, reps),
             median_of([*TPM, "ask", "--json", QUESTION], serve_store, reps))  # fmt: skip
        note("--help (s, median)", median_of([*baseline, "--help"], base_env, reps), median_of([*TPM, "--help"], tpm_env, reps))

        # Warm HTTP: sequential latency, then 8 concurrent keep-alive clients, then memory.
        servers = {
            "baseline": ([*baseline, "serve", base_store, "{port}"], base_env, "/health"),
            "tpm": ([*TPM, "serve", "--host", "127.0.0.1", "--port", "{port}"], serve_store, "/ready"),
        }
        http: dict[str, dict[str, float]] = {}
        for name, (cmd, env, ready) in servers.items():
            with serving(cmd, env, ready) as (url, pid):
                times = sequential(url, qs, sequential_n)
                rps, _ok, errors = concurrent(url, qs, 8, load_seconds)
                _, peak = rss_kb(pid)
                http[name] = {"p50": 1000 * statistics.median(times), "p95": 1000 * pct(times, 0.95),
                              "rps": rps, "errors": errors, "peak_mb": peak / 1024}  # fmt: skip
                if name == "tpm":
                    streaming = stream_beside_ask(url, qs, sequential_n // 2)
                    dev = subprocess.run([*TPM, "eval", str(ROOT / "eval" / "dev.jsonl"), "--json", "--url", url],
                                         env=env, cwd=ROOT, capture_output=True, text=True)  # fmt: skip
                    if dev.returncode == 0:
                        results["dev eval over HTTP"] = json.loads(dev.stdout)["metrics"]
        for key, label in (("p50", "warm POST /ask p50 (ms)"), ("p95", "warm POST /ask p95 (ms)"),
                           ("rps", "requests/s, 8 keep-alive clients"), ("errors", "errors under load"),
                           ("peak_mb", "server peak resident memory (MB)")):  # fmt: skip
            note(label, http["baseline"][key], http["tpm"][key])
        # Streaming (tpm-assistant only: the baseline has none), beside /ask on the same questions.
        for key, label in (("ask_first", "warm POST /ask time to first byte p50 (ms)"),
                           ("ask_last", "warm POST /ask time to last byte p50 (ms)"),
                           ("stream_first", "warm streamed POST /chat time to first byte p50 (ms)"),
                           ("stream_last", "warm streamed POST /chat time to last byte p50 (ms)"),
                           ("added", "time streaming adds to the last byte (ms, median per question)")):  # fmt: skip
            note(label, None, streaming[key])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    targets = {
        "cold one-off question (s, median)": "<= 1.5 s and <= 1/5 of baseline",
        "--help (s, median)": "<= 0.3 s",
        "warm POST /ask p50 (ms)": "<= 10 ms",
        "warm POST /ask p95 (ms)": "<= 25 ms",
        "requests/s, 8 keep-alive clients": ">= 100, zero errors",
        "errors under load": "0",
        "server peak resident memory (MB)": "<= 400 MB",
        "ingest on an unchanged corpus (s)": "<= 2 s",
        "full ingest of the guide into a new store (s)": "<= baseline",
        "time streaming adds to the last byte (ms, median per question)": "<= 2 ms",
    }
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {platform.machine()}, {os.cpu_count()} cores,"
        f" Python {platform.python_version()}.",
        "",
        "| measure | LangChain-tutorial baseline | tpm-assistant | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for key, value in results.items():
        if key == "dev eval over HTTP":
            continue
        b, t = value["baseline"], value["tpm"]
        ratio = f"{t / b:.2f}" if b == b and b else "-"
        fmt = (lambda x: "-" if x != x else f"{x:.3g}" if abs(x) < 100 else f"{x:.0f}")  # noqa: E731
        lines.append(f"| {key} | {fmt(b)} | {fmt(t)} | {ratio} | {targets.get(key, '')} |")
    dev = results.get("dev eval over HTTP", {})
    if "hit@1" in dev:
        shown = ("hit@1", "hit@3", "answer_acc", "abstain_oos", "false_abstain", "followup_acc", "citations_exact", "markers_ok")
        scores = ", ".join(f"{k} {dev[k]:g}" for k in shown)
        lines += ["", f"Answer quality of the server under test (dev set over HTTP): {scores}"]
    table = "\n".join(lines)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(table + "\n")
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
