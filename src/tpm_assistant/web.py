"""The chat page (``GET /``), its assets, and the passage a citation opens.

The page is plain HTML, CSS and JavaScript shipped in the package (``web/``): no build step,
nothing fetched from elsewhere. Its responses carry a Content-Security-Policy that allows only
the service's own scripts, styles and connections; the header is set here, on these routes only,
so ``/docs`` keeps its own rules.
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from .deps import Ready

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidate every time (cheap: 304 on a matching ETag), so an upgraded package shows at once.
    "Cache-Control": "no-cache",
}
ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "icon.svg": "image/svg+xml",
}
MAX_SPAN = 5000  # a citation is at most about 1,000 characters; a highlight never needs more
CONTEXT_CHARS = 1500  # text of the section shown on each side of the cited passage
MAX_BLOCKS = 15

router = APIRouter(tags=["chat page"])


@cache
def _asset(name: str) -> tuple[bytes, str]:
    """An asset's bytes (read once) and their ETag."""
    from importlib.resources import files

    body = (files("tpm_assistant") / "web" / name).read_bytes()
    return body, '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def _serve(name: str, request: Request) -> Response:
    body, etag = _asset(name)
    headers = PAGE_HEADERS | {"ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=ASSETS[name], headers=headers)


@router.get("/", include_in_schema=False)
async def page(request: Request) -> Response:
    return _serve("index.html", request)


@router.get("/static/{name}", include_in_schema=False)
async def asset(name: str, request: Request) -> Response:
    # A fixed list, never a path: nothing else in the package (or outside it) can be read here.
    if name not in ASSETS or name == "index.html":
        raise HTTPException(404, "not found")
    return _serve(name, request)


class Block(BaseModel):
    kind: Literal["paragraph", "bullet"]
    start: int
    end: int
    text: str = Field(description="the source file's text[start:end]")


class Passage(BaseModel):
    source: str
    section: str = Field(description="the heading the cited span sits under")
    start: int
    end: int
    text: str = Field(description="the cited span: the source file's text[start:end]")
    blocks: list[Block] = Field(
        description="the section's paragraphs and bullets around the span, in document order; the span lies in one of them"
    )
    more_before: bool = Field(description="the section goes on before the first block")
    more_after: bool = Field(description="the section goes on after the last block")


@router.get(
    "/documents/{source:path}",
    response_model=Passage,
    summary="The passage a citation names, in its section, for highlighting",
    description="Serves only documents of the store version being answered from, by their `source` as cited; "
    "`start`/`end` are a citation's offsets (or a span inside one passage).",
    responses={404: {"description": "no such document in the active version, or no passage spans those offsets"}},
)
async def passage(
    assistant: Ready,
    source: Annotated[str, Path(description="a citation's `source`")],
    start: Annotated[int, Query(ge=0)],
    end: Annotated[int, Query(ge=1)],
) -> Response:
    if end <= start or end - start > MAX_SPAN:  # no passage spans that (a passage is one paragraph or bullet)
        raise HTTPException(
            404, f"no passage spans {start}-{end}: end must be after start and at most {MAX_SPAN} characters after it"
        )
    loaded = assistant.loaded
    if loaded is None:
        raise HTTPException(503, "not ready")
    # Only what the loaded index holds: the document is looked up by name, never opened.
    chunks = [loaded.index.chunks[i] for i in loaded.index.chunks_of_source(source)]
    if not chunks:
        raise HTTPException(404, f"no document {source[:200]!r} in the active version")
    at = next((i for i, c in enumerate(chunks) if c.start <= start and end <= c.end), None)
    if at is None:
        raise HTTPException(404, f"no passage of {source[:200]!r} spans {start}-{end}")
    cited = chunks[at]
    section = [i for i, c in enumerate(chunks) if c.heading == cited.heading and c.section == cited.section]
    near = [i for i in section if cited.start - CONTEXT_CHARS <= chunks[i].end and chunks[i].start <= cited.end + CONTEXT_CHARS]
    # Keep the cited block and the nearest others, at most MAX_BLOCKS in all.
    near = sorted(sorted(near, key=lambda i: abs(i - at))[:MAX_BLOCKS])
    blocks = [Block(kind="bullet" if chunks[i].kind == "bullet" else "paragraph", start=chunks[i].start, end=chunks[i].end,
                    text=chunks[i].text) for i in near]  # fmt: skip
    body = Passage(
        source=source,
        section=cited.section,
        start=start,
        end=end,
        text=cited.text[start - cited.start : end - cited.start],
        blocks=blocks,
        more_before=near[0] > section[0],
        more_after=near[-1] < section[-1],
    )
    return Response(body.model_dump_json(), media_type="application/json", headers={"X-Content-Type-Options": "nosniff"})
