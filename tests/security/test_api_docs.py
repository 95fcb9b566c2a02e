"""The interactive API docs: FastAPI's /docs loaded swagger-ui from a CDN, with a floating version and
no integrity hash, on our origin where the page keeps its token. They are off unless asked for, and
when on they load nothing from elsewhere, under a Content-Security-Policy. /openapi.json stays."""

import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from playwright.sync_api import Browser

from ai_todo.settings import AiTodoSettings
from tests.ai_todo.stack import Stack, make_settings, process_env, serving
from tests.chart.rendering import render, set_flags
from tests.support.browser import chromium
from tests.support.processes import ServiceProcess, running_service


@pytest.fixture
async def with_docs(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(make_settings(stack, api_docs=True)) as client:
        yield client


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/docs/oauth2-redirect"])
async def test_the_docs_are_off_by_default(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)

    assert response.status_code == 404


async def test_the_schema_stays_published(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")

    assert response.status_code == 200
    assert "/api/{user_id}/chat" in response.json()["paths"]


def test_the_setting_is_off_unless_set(stack: Stack) -> None:
    assert make_settings(stack).api_docs is False


async def test_docs_when_on_load_only_from_this_origin(with_docs: httpx.AsyncClient) -> None:
    page = await with_docs.get("/docs")

    assert page.status_code == 200
    sources = re.findall(r"""(?:src|href)=["']?([^"' >]+)""", page.text)
    assert sources, page.text
    assert all(source.startswith("/") and not source.startswith("//") for source in sources), sources
    for source in sources:
        assert (await with_docs.get(source)).status_code == 200, source


async def test_docs_when_on_carry_a_policy_that_allows_no_other_origin(with_docs: httpx.AsyncClient) -> None:
    policy = (await with_docs.get("/docs")).headers["content-security-policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'none'"
    assert "http" not in directives["script-src"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["connect-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"


def test_the_chart_turns_the_docs_off_by_default() -> None:
    default = render({"devPostgres": {"enabled": True}}).get("ConfigMap", "ai-todo-config")["data"]
    on = render({**set_flags("config.apiDocs=true"), "devPostgres": {"enabled": True}})

    assert default["API_DOCS"] == "false"
    assert on.get("ConfigMap", "ai-todo-config")["data"]["API_DOCS"] == "true"
    assert AiTodoSettings(api_docs=default["API_DOCS"], auth_jwt_secret="s" * 32).api_docs is False


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def docs_service(stack: Stack) -> Iterator[ServiceProcess]:
    with running_service("ai_todo", process_env(stack, API_DOCS="true")) as service:
        yield service


def test_docs_when_on_work_in_a_browser_under_their_policy(
    browser: Browser, docs_service: ServiceProcess
) -> None:
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            None if request.url.startswith(docs_service.base_url) else outside.append(request.url)
        ),
    )

    page.goto(f"{docs_service.base_url}/docs")
    page.wait_for_selector(".opblock", timeout=30_000)
    operations = page.locator(".opblock").count()
    context.close()

    assert operations >= 3
    assert problems == []
    assert outside == []
