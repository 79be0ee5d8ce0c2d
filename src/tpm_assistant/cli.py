"""The ``tpm-assistant`` command: thin wiring of ingest, Assistant, the API and evaluation.

Only argparse is imported up front, so ``--help`` is instant; each command imports what it needs.
Library errors become one line on stderr and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

PROG = "tpm-assistant"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Answers career questions from the guide 'How to Become a Technical Project Manager', with citations.",
        epilog="Configuration comes from the environment: TPM_CORPUS_DIR, TPM_STORE_DIR, TPM_CHROMA_URL, TPM_EMBEDDING_MODEL.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ingest = sub.add_parser("ingest", help="refresh the store from the corpus (incremental, safe to re-run)")
    add_ingest_arguments(ingest)

    ask = sub.add_parser("ask", help="answer one question")
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--json", action="store_true", help="print the Answer object as JSON")
    ask.add_argument("--k", type=_k, default=None, help="how many passages to cite (1-20, default 3)")

    chat = sub.add_parser("chat", help="interactive conversation; follow-ups use earlier turns")
    chat.add_argument("--k", type=_k, default=None, help="how many passages to cite (1-20, default 3)")

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.add_argument("--access-log", action="store_true", help="log every request (off by default: it costs time per request)")

    evaluate = sub.add_parser("eval", help="score the assistant on an eval file (JSON lines)")
    evaluate.add_argument("file", type=Path, help="eval file, e.g. eval/dev.jsonl")
    evaluate.add_argument("--json", action="store_true", help="print metrics and misses as JSON")
    evaluate.add_argument("--url", help="score a running service over HTTP instead of in-process")
    evaluate.add_argument("--k", type=_k, default=None, help="passages per answer (default: the service's)")
    return parser


def add_ingest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, default=None, help="corpus folder (default: TPM_CORPUS_DIR or ./corpus)")
    parser.add_argument("--json", action="store_true", help="print a JSON summary last")


def _k(value: str) -> int:
    try:
        k = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if not 1 <= k <= 20:
        raise argparse.ArgumentTypeError("must be between 1 and 20")
    return k


class _Progress:
    """Ingest's stages on stderr. On a terminal: one line, rewritten in place with counts. Into a
    pipe or a log file: one plain line per stage, and the counts again every HEARTBEAT seconds of
    a long stage, so a long ingest is never silent."""

    HEARTBEAT = 30.0

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = ""
        self.shown = 0.0
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.tty:
            if stage != self.stage:
                self.stage, self.shown = stage, now
                print(f"{stage} ({total})..." if total else f"{stage}...", file=sys.stderr, flush=True)
            elif total and now - self.shown >= self.HEARTBEAT:
                self.shown = now
                print(f"{stage}: {done} of {total}", file=sys.stderr, flush=True)
            return
        if total and done < total and now - self.shown < 0.1:
            return
        self.shown = now
        line = f"{stage} {done}/{total}" if total else f"{stage}..."
        sys.stderr.write("\r\033[K" + line)
        sys.stderr.flush()
        self.last = line

    def close(self) -> None:
        if self.tty and self.last:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def cmd_ingest(args: argparse.Namespace) -> int:
    from .config import load_settings
    from .ingest import run_ingest

    settings = load_settings()
    progress = _Progress()
    try:
        report = run_ingest(settings, args.corpus, progress=progress)
    finally:
        progress.close()
    for skipped in report.skipped:
        print(f"skipped {skipped['path']}: {skipped['reason']}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.contract()))
    else:
        print(report.summary())
    return 0


def _print_answer(answer: Any) -> None:
    import textwrap

    print(answer.answer)
    if answer.citations:
        print("\nSources:")
        for c in answer.citations:
            print(f"  [{c.n}] {c.section} ({c.source}, chars {c.start}-{c.end})")
            # The cited passage itself, so it can be read without opening the file.
            print(textwrap.fill(" ".join(c.text.split()), width=100, initial_indent="      ", subsequent_indent="      "))


def _question(text: str) -> str:
    """A question as the HTTP API takes it: not blank, at most MAX_QUESTION_CHARS characters."""
    from .models import MAX_QUESTION_CHARS

    question = text.strip()
    if not question:
        raise _UsageError("the question must not be empty")
    if len(question) > MAX_QUESTION_CHARS:
        raise _UsageError(f"the question must be at most {MAX_QUESTION_CHARS} characters (it has {len(question)})")
    return question


def cmd_ask(args: argparse.Namespace) -> int:
    from .assistant import Assistant
    from .config import load_settings

    question = _question(args.question)
    answer = Assistant(load_settings()).ask(question, args.k)
    if args.json:
        print(answer.model_dump_json(indent=2))
    else:
        _print_answer(answer)
    return 0


def _line_editing(history: Path) -> None:
    """Arrow keys, editing and history (kept across sessions) for ``input()`` on a terminal."""
    try:
        import atexit
        import readline
    except ImportError:  # not every Python has it (Windows): plain input still works
        return
    with contextlib.suppress(OSError):
        readline.read_history_file(history)
    readline.set_history_length(1000)

    def save() -> None:
        with contextlib.suppress(OSError):
            history.parent.mkdir(parents=True, exist_ok=True)
            readline.write_history_file(history)

    atexit.register(save)


def cmd_chat(args: argparse.Namespace) -> int:
    from .assistant import Assistant
    from .chat import Turn
    from .config import load_settings

    settings = load_settings()
    assistant = Assistant(settings)
    assistant.load()
    history: list[Turn] = []
    interactive = sys.stdin.isatty()
    if interactive:
        _line_editing(settings.cache_dir / "chat-history")
        print("Ask about becoming a technical project manager. Follow-ups use earlier turns. Ctrl-D or 'exit' to quit.")
    while True:
        try:
            line = input("you> " if interactive else "")
        except EOFError:
            if interactive:
                print()  # leave the shell prompt on a line of its own
            break
        line = line.strip()
        if line.lower() in ("exit", "quit", ":q"):
            break
        if not line:
            continue
        try:
            line = _question(line)
        except _UsageError as exc:
            print(f"{PROG}: {exc}", file=sys.stderr)
            continue
        history.append(Turn("user", line))
        answer = assistant.chat(history, args.k)
        history.append(Turn("assistant", answer.answer))
        _print_answer(answer)
        print()
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    # One BLAS thread per process: the service's matrix products are small, and idle BLAS threads
    # spinning for work take the cores that concurrent requests need (about twice the throughput
    # on two cores). Set before numpy is first imported, and inherited by worker processes.
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    import uvicorn

    from .config import load_settings
    from .serving import uvicorn_options

    settings = load_settings()  # fail here, with one line, on bad configuration
    if not 0 < args.port < 65536:
        raise _UsageError(f"invalid port {args.port}")
    uvicorn.run(
        "tpm_assistant.api:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=max(1, args.workers),
        **uvicorn_options(settings, args.access_log),
    )
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .config import load_settings
    from .evaluation import HttpClient, LocalClient, load_items, run_eval

    settings = load_settings()
    items = load_items(args.file)
    if args.url:
        client: Any = HttpClient(args.url, args.k)
    else:
        from .assistant import Assistant

        assistant = Assistant(settings)
        assistant.load()
        client = LocalClient(assistant, args.k)
    report = run_eval(items, client, settings.corpus_dir)
    if args.json:
        print(json.dumps({"metrics": report.metrics, "missed": report.missed}, indent=2))
        return 0
    width = max(len(k) for k in report.metrics)
    for name, value in report.metrics.items():
        print(f"{name:<{width}}  {value:g}")
    if report.missed:
        print(f"\nmissed ({len(report.missed)}):")
        for miss in report.missed:
            rank = f" rank={miss['rank']}" if "rank" in miss else ""
            print(f"  {miss['id']}{rank} answered={miss['answered']}: {miss['question']}")
            print(f"      -> {miss['answer'][:160]}")
    return 0


class _UsageError(Exception):
    pass


COMMANDS = {"ingest": cmd_ingest, "ask": cmd_ask, "chat": cmd_chat, "serve": cmd_serve, "eval": cmd_eval}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except _UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from .errors import TpmError

        if os.environ.get("TPM_DEBUG"):
            raise
        if isinstance(exc, TpmError):
            print(f"{PROG}: {exc}", file=sys.stderr)
        else:
            print(f"{PROG}: unexpected error: {type(exc).__name__}: {exc} (set TPM_DEBUG=1 for details)", file=sys.stderr)
        return 1
