"""GET /: the chat page, one static HTML file with its script and style inline, so it works as is
through `kubectl port-forward` with nothing to build and nothing fetched from elsewhere."""

import base64
import hashlib
import re
from functools import cache
from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)


@cache
def _page() -> tuple[str, str]:
    """The page and a Content-Security-Policy allowing exactly its own inline script and style."""
    html = files("ai_todo").joinpath("static/index.html").read_text(encoding="utf-8")
    scripts = " ".join(inline_hashes(html, "script"))
    styles = " ".join(inline_hashes(html, "style"))
    policy = (
        f"default-src 'none'; script-src {scripts}; style-src {styles}; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return html, policy


def inline_hashes(html: str, tag: str) -> list[str]:
    """The CSP source expressions ('sha256-...') of the page's inline <script> or <style> blocks."""
    bodies = re.findall(rf"<{tag}>(.*?)</{tag}>", html, flags=re.DOTALL)
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'" for body in bodies
    ]


@router.get("/")
async def chat_page() -> HTMLResponse:
    html, policy = _page()
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": policy,
            # the token lives in the URL fragment only until the page moves it to sessionStorage
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
        },
    )
