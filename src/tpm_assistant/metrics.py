"""``GET /metrics`` in Prometheus' text format, per service process: requests by route and
status, their latency, answers given and declined, and the active store version."""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable

from .limits import ASGIApp, Message, Receive, Scope, Send

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.buckets: Counter[tuple[str, float]] = Counter()
        self.latency_sum: defaultdict[str, float] = defaultdict(float)
        self.latency_count: Counter[str] = Counter()
        self.answers: Counter[bool] = Counter()

    def request(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, route, status)] += 1
            self.latency_sum[route] += seconds
            self.latency_count[route] += 1
            for bound in BUCKETS:
                if seconds <= bound:
                    self.buckets[(route, bound)] += 1

    def answer(self, answered: bool) -> None:
        with self._lock:
            self.answers[answered] += 1

    def render(self, version: str | None, chunks: int | None) -> str:
        lines = [
            "# HELP tpm_requests_total HTTP requests by method, route and status.",
            "# TYPE tpm_requests_total counter",
        ]
        with self._lock:
            for (method, route, status), n in sorted(self.requests.items()):
                lines.append(f'tpm_requests_total{{method="{method}",route="{_esc(route)}",status="{status}"}} {n}')
            lines += ["# HELP tpm_request_seconds Time to answer a request.", "# TYPE tpm_request_seconds histogram"]
            for route in sorted(self.latency_count):
                for bound in BUCKETS:
                    n = self.buckets[(route, bound)]
                    lines.append(f'tpm_request_seconds_bucket{{route="{_esc(route)}",le="{bound}"}} {n}')
                lines.append(f'tpm_request_seconds_bucket{{route="{_esc(route)}",le="+Inf"}} {self.latency_count[route]}')
                lines.append(f'tpm_request_seconds_sum{{route="{_esc(route)}"}} {self.latency_sum[route]:.6f}')
                lines.append(f'tpm_request_seconds_count{{route="{_esc(route)}"}} {self.latency_count[route]}')
            lines += [
                "# HELP tpm_answers_total Answers by whether the guide covered the question.",
                "# TYPE tpm_answers_total counter",
                f'tpm_answers_total{{answered="true"}} {self.answers[True]}',
                f'tpm_answers_total{{answered="false"}} {self.answers[False]}',
            ]
        lines += [
            "# HELP tpm_store_version_info The store version being served (1 once loaded).",
            "# TYPE tpm_store_version_info gauge",
        ]
        if version is not None:
            lines.append(f'tpm_store_version_info{{version="{_esc(version)}"}} 1')
        lines += ["# HELP tpm_store_chunks Passages in the version being served.", "# TYPE tpm_store_chunks gauge"]
        lines.append(f"tpm_store_chunks {chunks or 0}")
        return "\n".join(lines) + "\n"


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class RequestMetrics:
    """ASGI middleware: counts every HTTP request under its route's path template (an unknown
    path counts as "other", so random URLs cannot grow the metrics without bound)."""

    def __init__(self, app: ASGIApp, metrics: Metrics, clock: Callable[[], float] = time.perf_counter):
        self.app, self.metrics, self.clock = app, metrics, clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = self.clock()
        status = 500

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            route = getattr(scope.get("route"), "path", None) or "other"
            self.metrics.request(scope.get("method", ""), route, status, self.clock() - started)
