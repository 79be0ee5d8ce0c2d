"""Scores the assistant on an eval file with the metrics of CONTRACT.md, in-process or over HTTP."""

from __future__ import annotations

import json
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .errors import TpmError

_MARKER = re.compile(r"\[(\d+)\]")
_SPACE = re.compile(r"\s+")
KINDS = ("fact", "out_of_scope", "followup")


class EvalFileError(TpmError):
    """The eval file is missing or malformed."""


class Client(Protocol):
    def ask(self, question: str) -> dict[str, Any]: ...

    def chat(self, messages: list[dict[str, str]]) -> dict[str, Any]: ...


class LocalClient:
    """Calls an in-process ``Assistant``."""

    def __init__(self, assistant: Any, k: int | None = None):
        self.assistant, self.k = assistant, k

    def ask(self, question: str) -> dict[str, Any]:
        return self.assistant.ask(question, self.k).model_dump()

    def chat(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        from .chat import Turn

        return self.assistant.chat([Turn(m["role"], m["content"]) for m in messages], self.k).model_dump()


class HttpClient:
    """Calls a running service, the way the held-out evaluation does."""

    def __init__(self, url: str, k: int | None = None, timeout: float = 30.0):
        import httpx

        self.http = httpx.Client(base_url=url.rstrip("/"), timeout=timeout)
        self.k = k

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        import httpx

        if self.k is not None:
            body["k"] = self.k
        try:
            response = self.http.post(path, json=body)
        except httpx.HTTPError as exc:
            raise TpmError(f"cannot reach {self.http.base_url}: {exc}") from exc
        if response.status_code != 200:
            raise TpmError(f"{path} answered {response.status_code}: {response.text[:200]}")
        result: dict[str, Any] = response.json()
        return result

    def ask(self, question: str) -> dict[str, Any]:
        return self._post("/ask", {"question": question})

    def chat(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        return self._post("/chat", {"messages": messages})


def load_items(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvalFileError(f"cannot read eval file {path}: {exc.strerror or exc}") from exc
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(f"{path}:{number}: not JSON ({exc.msg})") from exc
        kind = item.get("kind") if isinstance(item, dict) else None
        if kind not in KINDS:
            raise EvalFileError(f"{path}:{number}: kind must be one of {', '.join(KINDS)}")
        ok = isinstance(item.get("expect"), list) and (
            isinstance(item.get("turns"), list) and len(item["turns"]) >= 2
            if kind == "followup"
            else isinstance(item.get("question"), str)
        )
        if not ok:
            needs = "turns" if kind == "followup" else "question"
            raise EvalFileError(f"{path}:{number}: a {kind} item needs {needs} and expect")
        item.setdefault("id", f"line-{number}")
        items.append(item)
    if not items:
        raise EvalFileError(f"{path} holds no eval items")
    return items


def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def holds(text: str, expect: list[str], every: bool = False) -> bool:
    """Case- and whitespace-insensitive containment of any expected string (of all, with ``every``)."""
    body = _norm(text)
    found = [_norm(e) in body for e in expect]
    return bool(found) and (all(found) if every else any(found))


def answer_words(answer: str) -> int:
    return len(_MARKER.sub(" ", answer).split())


def markers_ok(result: dict[str, Any]) -> bool:
    numbers = {c["n"] for c in result["citations"]}
    return all(int(m) in numbers for m in _MARKER.findall(result["answer"]))


@dataclass
class Report:
    metrics: dict[str, float]
    missed: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)


class _SourceCache:
    def __init__(self, corpus_dir: Path):
        self.dir = corpus_dir
        self.texts: dict[str, str | None] = {}

    def exact(self, citation: dict[str, Any]) -> bool:
        source = citation["source"]
        if source not in self.texts:
            try:
                self.texts[source] = (self.dir / source).read_bytes().decode("utf-8")
            except (OSError, UnicodeDecodeError):
                self.texts[source] = None
        text = self.texts[source]
        return text is not None and text[citation["start"] : citation["end"]] == citation["text"]


def run_eval(items: list[dict[str, Any]], client: Client, corpus_dir: Path) -> Report:
    sources = _SourceCache(corpus_dir)
    ranks: list[int | None] = []
    fact_answer_hits = fact_abstained = oos_abstained = followup_hits = 0
    exact = total_citations = marker_good = 0
    word_counts: list[int] = []
    longest = 0
    missed: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    counts = dict.fromkeys(KINDS, 0)
    # Items may carry a "tag" (e.g. "unanswered", "both-figures"): the share right per tag is reported too.
    by_tag: dict[str, list[bool]] = {}

    for item in items:
        kind = item["kind"]
        counts[kind] += 1
        if kind == "followup":
            first = client.ask(item["turns"][0])
            messages = [{"role": "user", "content": item["turns"][0]}, {"role": "assistant", "content": first["answer"]}]
            for turn in item["turns"][1:]:
                messages.append({"role": "user", "content": turn})
                result = client.chat(messages)
                messages.append({"role": "assistant", "content": result["answer"]})
            question = " / ".join(item["turns"])
        else:
            question = item["question"]
            result = client.ask(question)
        results.append({"id": item["id"], "kind": kind, "question": question, "result": result})

        for citation in result["citations"]:
            total_citations += 1
            exact += sources.exact(citation)
            longest = max(longest, len(citation["text"]))
        marker_good += markers_ok(result)
        if result["answered"]:
            word_counts.append(answer_words(result["answer"]))

        expect = item["expect"]
        if kind == "fact":
            rank = next((i for i, c in enumerate(result["citations"], 1) if holds(c["text"], expect)), None)
            ranks.append(rank)
            correct = result["answered"] and holds(result["answer"], expect, bool(item.get("expect_all")))
            fact_answer_hits += correct
            fact_abstained += not result["answered"]
            right = correct
            if not correct or rank != 1:
                missed.append({"id": item["id"], "question": question, "rank": rank, "answered": result["answered"],
                               "answer_ok": correct, "answer": result["answer"]})  # fmt: skip
        elif kind == "out_of_scope":
            right = not result["answered"]
            oos_abstained += right
            if result["answered"]:
                missed.append({"id": item["id"], "question": question, "answered": True, "answer": result["answer"]})
        else:
            # An empty ``expect``: the guide does not answer the last turn, so it must be declined.
            ok = (result["answered"] and holds(result["answer"], expect)) if expect else not result["answered"]
            followup_hits += ok
            right = ok
            if not ok:
                missed.append(
                    {"id": item["id"], "question": question, "answered": result["answered"], "answer": result["answer"]}
                )

        if "tag" in item:
            by_tag.setdefault(str(item["tag"]), []).append(bool(right))

    def share(part: float, whole: int) -> float:
        return round(part / whole, 4) if whole else 0.0

    facts = counts["fact"]
    metrics = {
        "hit@1": share(sum(1 for r in ranks if r == 1), facts),
        "hit@3": share(sum(1 for r in ranks if r is not None and r <= 3), facts),
        "mrr": share(sum(1 / r for r in ranks if r), facts),
        "answer_acc": share(fact_answer_hits, facts),
        "false_abstain": share(fact_abstained, facts),
        "abstain_oos": share(oos_abstained, counts["out_of_scope"]),
        "followup_acc": share(followup_hits, counts["followup"]),
        "citations_exact": share(exact, total_citations) if total_citations else 1.0,
        "markers_ok": share(marker_good, len(items)),
        "answer_words_p50": float(statistics.median(word_counts)) if word_counts else 0.0,
        "citation_chars_max": float(longest),
        "facts": facts,
        "out_of_scope": counts["out_of_scope"],
        "followups": counts["followup"],
    }
    for tag, rights in sorted(by_tag.items()):
        metrics[f"right[{tag}]"] = share(sum(rights), len(rights))
        metrics[f"n[{tag}]"] = len(rights)
    return Report(metrics=metrics, missed=missed, results=results)
