"""GET /docs: the interactive API docs, only when API_DOCS is on.

FastAPI's own /docs loads swagger-ui from a CDN with a floating version and no integrity hash, on the
origin where the chat page keeps its token. These load swagger-ui's files from this service
(packaged by fastapi-offline) under a Content-Security-Policy that lets nothing else in.
/openapi.json is served either way."""

from functools import cache
from importlib.resources import files

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from ai_todo.routes.page import inline_hashes

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"


def add_docs(app: FastAPI) -> None:
    assets = files("fastapi_offline").joinpath("static")
    app.mount(ASSETS_PATH, StaticFiles(directory=str(assets)), name="docs-assets")
    router = APIRouter(include_in_schema=False)

    @router.get(DOCS_PATH)
    async def docs() -> HTMLResponse:
        html, policy = _docs_page(app.title, app.openapi_url or "/openapi.json")
        return HTMLResponse(
            html,
            headers={
                "Content-Security-Policy": policy,
                "Referrer-Policy": "no-referrer",
                "X-Content-Type-Options": "nosniff",
            },
        )

    app.include_router(router)


@cache
def _docs_page(title: str, openapi_url: str) -> tuple[str, str]:
    html = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{title} - API docs",
        swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        oauth2_redirect_url=None,
        # the default validator badge is an image from swagger.io
        swagger_ui_parameters={"validatorUrl": None},
    ).body.decode()
    scripts = " ".join(["'self'", *inline_hashes(html, "script")])
    # swagger-ui sets style attributes as it renders; styles cannot run code
    policy = (
        f"default-src 'none'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    )
    return html, policy
