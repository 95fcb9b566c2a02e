"""The chat page: served with a strict policy, and driven for real in Debian's headless Chromium
against real ai-todo and mcp-server processes."""

import base64
import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from ai_todo.tokens import mint_token
from tests.ai_todo.stack import JWT_SECRET, Stack, new_user, process_env
from tests.support.processes import ServiceProcess, running_service

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


async def test_page_is_served_with_a_policy_allowing_only_its_own_script(client: httpx.AsyncClient) -> None:
    response = await client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    [script] = re.findall(r"<script>(.*?)</script>", response.text, flags=re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = response.headers["content-security-policy"]
    assert f"script-src 'sha256-{digest}'" in policy
    assert "connect-src 'self'" in policy
    assert "default-src 'none'" in policy
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_page_calls_the_api_by_relative_urls_so_a_port_forward_works(client: httpx.AsyncClient) -> None:
    html = (await client.get("/")).text

    assert '"api/"' in html
    assert "http://" not in html
    assert "https://" not in html
    assert 'fetch("/' not in html


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is required in CI")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def service(stack: Stack) -> Iterator[ServiceProcess]:
    with running_service("ai_todo", process_env(stack)) as service:
        yield service


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def send(page: Page, text: str) -> str:
    """Types a message, waits for the answer and returns it."""
    answers = page.locator(".msg.assistant:not(.pending)")
    before = answers.count()
    page.fill("#message", text)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('.msg.assistant:not(.pending)').length > n", arg=before
    )
    return answers.nth(before).inner_text()


@pytest.mark.browser
def test_a_real_conversation_in_the_browser(service: ServiceProcess, page: Page) -> None:
    user = new_user()
    page.goto(f"{service.base_url}/#token={user.token}")

    assert page.url == f"{service.base_url}/"
    assert page.evaluate("sessionStorage.getItem('todo.token')") == user.token
    assert user.id in page.inner_text("#who")

    added = send(page, "Add a task to buy groceries")
    assert 'I added "Buy groceries"' in added
    assert re.search(r"created #\d+ Buy groceries", added)

    listed = send(page, "Show me all my tasks")
    assert "Buy groceries" in listed

    page.reload()
    page.wait_for_selector(".msg.assistant")
    assert page.locator(".msg").count() == 4
    completed = send(page, "Mark it as done")
    assert 'I marked "Buy groceries"' in completed

    conversations = httpx.get(f"{service.base_url}/api/{user.id}/conversations", headers=user.headers).json()
    assert len(conversations) == 1
    assert page.evaluate(f"localStorage.getItem('todo.conversation.{user.id}')") == str(
        conversations[0]["id"]
    )


@pytest.mark.browser
def test_task_titles_are_shown_as_text_never_as_markup(service: ServiceProcess, page: Page) -> None:
    user = new_user()
    page.goto(f"{service.base_url}/#token={user.token}")

    answer = send(page, 'Add a task called "<img src=x onerror=document.title=1>"')

    assert "<img src=x" in answer
    assert page.locator("#log img").count() == 0


@pytest.mark.browser
def test_without_a_token_the_page_asks_for_one(service: ServiceProcess, page: Page) -> None:
    user = new_user()
    page.goto(f"{service.base_url}/")

    assert page.is_visible("#signin")
    assert not page.is_visible("#chat")
    page.fill("#token-input", "not a token")
    page.click("#token-form button")
    assert "doesn't look like a valid token" in page.inner_text("#token-error")

    page.fill("#token-input", user.token)
    page.click("#token-form button")
    assert page.is_visible("#chat")
    assert "todo assistant" in send(page, "hello")


@pytest.mark.browser
def test_an_expired_token_sends_the_user_back_to_sign_in(service: ServiceProcess, page: Page) -> None:
    user = new_user()
    expired = mint_token(JWT_SECRET, user.id, ttl_seconds=-3600)
    page.goto(f"{service.base_url}/#token={expired}")

    page.fill("#message", "hello")
    page.keyboard.press("Enter")

    page.wait_for_selector("#signin:not([hidden])")
    assert "token expired" in page.inner_text("#token-error")
    assert page.evaluate("sessionStorage.getItem('todo.token')") is None
