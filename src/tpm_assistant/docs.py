"""Interactive API docs that work offline: Swagger UI served from the installed
``swagger-ui-bundle-v2`` package instead of a CDN."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

ASSETS = "/docs/assets"


def add_offline_docs(app: FastAPI, path: str = "/docs") -> None:
    """Serve Swagger UI at ``path``; create the app with ``docs_url=None, redoc_url=None``."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.staticfiles import StaticFiles
    from swagger_ui_bundle import swagger_ui_path

    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get(path, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - API docs",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )
