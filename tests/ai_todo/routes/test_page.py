"""The chat page: served with a strict policy, and driven for real in Debian's headless Chromium
against real ai-todo and mcp-server processes: signing in, the conversation, escaping, the keys,
the thinking state and the errors in words."""

import base64
import hashlib
import re

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ai_todo.routes.conftest import Watch, open_page, send, sign_in, wait_at_newest
from tests.ai_todo.stack import JWT_SECRET, new_user, process_env
from tests.support.processes import ServiceProcess, free_port, running_service
from todo_core.tokens import mint_token


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


async def test_page_is_one_file_with_no_inline_handlers_and_nothing_from_elsewhere(
    client: httpx.AsyncClient,
) -> None:
    html = (await client.get("/")).text

    assert '"api/"' in html
    assert "http://" not in html
    assert "https://" not in html
    assert 'fetch("/' not in html
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), "inline event handlers need 'unsafe-inline'"
    assert not re.search(r"<[^>]+\sstyle\s*=", html), "style attributes need 'unsafe-inline'"
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)\s*=\s*\"(?!data:)", html)
    assert "innerHTML" not in html
    assert "insertAdjacentHTML" not in html


@pytest.mark.browser
def test_a_real_conversation_in_the_browser(service: ServiceProcess, page: Page) -> None:
    user = new_user()
    page.goto(f"{service.base_url}/#token={user.token}")

    assert page.url == f"{service.base_url}/"
    assert page.evaluate("sessionStorage.getItem('todo.token')") == user.token
    assert user.id in page.inner_text("#who")

    added = send(page, "Add a task to buy groceries")
    assert 'I added "Buy groceries"' in added
    assert re.search(r"Added #\d+ Buy groceries", added)

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
    sign_in(page, service, user)

    answer = send(page, 'Add a task called "<img src=x onerror=document.title=1>"')

    assert "<img src=x" in answer
    assert page.locator("#log img").count() == 0


@pytest.mark.browser
def test_lists_in_replies_are_lists_of_text(service: ServiceProcess, page: Page) -> None:
    user = new_user()
    sign_in(page, service, user)
    send(page, 'Add a task called "<b>bold</b>"')
    send(page, "Add a task to call mom")
    send(page, "Complete the call mom task")

    send(page, "Show me all my tasks")

    reply = page.locator(".msg.assistant").last
    items = reply.locator("ul > li")
    expect(items).to_have_count(2)
    assert re.fullmatch(r"#\d+ <b>bold</b>", items.nth(0).inner_text())
    assert "ticked" not in (items.nth(0).get_attribute("class") or "")
    assert "ticked" in (items.nth(1).get_attribute("class") or "")
    assert reply.locator("p").first.inner_text() == "You have 2 tasks:"
    assert reply.locator("b").count() == 0


@pytest.mark.browser
def test_enter_sends_and_shift_enter_starts_a_new_line(service: ServiceProcess, page: Page) -> None:
    user = new_user()
    sign_in(page, service, user)

    page.click("#message")
    page.keyboard.type("first line")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("second line")
    assert page.input_value("#message") == "first line\nsecond line"
    assert page.locator(".msg.user").count() == 0

    page.keyboard.press("Enter")

    expect(page.locator(".msg.user")).to_have_text("first line\nsecond line")
    expect(page.locator(".msg.assistant:not(.thinking)")).to_have_count(1)
    assert page.input_value("#message") == ""


@pytest.mark.browser
def test_a_thinking_state_shows_while_the_turn_runs(service: ServiceProcess, page: Page) -> None:
    user = new_user()
    sign_in(page, service, user)
    # Recorded by the page as it happens: an offline turn is over faster than a poll could see it.
    page.evaluate("""() => {
      window.seen = [];
      new MutationObserver(() => {
        const thinking = document.querySelector(".thinking");
        if (thinking) window.seen.push([thinking.innerText, document.getElementById("send").disabled]);
      }).observe(document.getElementById("log"), { childList: true });
    }""")

    send(page, "hello")

    assert page.evaluate("window.seen")[0] == ["Thinking", True]
    expect(page.locator(".thinking")).to_have_count(0)
    expect(page.locator("#send")).to_be_enabled()


@pytest.mark.browser
def test_the_view_follows_the_newest_message(service: ServiceProcess, page: Page) -> None:
    user = new_user()
    page.set_viewport_size({"width": 1000, "height": 520})
    sign_in(page, service, user)

    for number in range(6):
        send(page, f"Add a task to read chapter {number}")

    log = page.locator("#log")
    assert page.evaluate("document.getElementById('log').scrollHeight") > log.bounding_box()["height"]
    wait_at_newest(page)
    last = page.locator(".msg").last.bounding_box()
    box = log.bounding_box()
    assert box["y"] <= last["y"]
    assert last["y"] + last["height"] <= box["y"] + box["height"] + 1


@pytest.mark.browser
def test_without_a_token_the_page_asks_for_one(service: ServiceProcess, page: Page) -> None:
    user = new_user()
    page.goto(f"{service.base_url}/")

    assert page.is_visible("#signin")
    assert not page.is_visible("#chat")
    assert "todoctl dev" in page.inner_text("#signin")
    page.fill("#token-input", "not a token")
    page.click("#token-form button")
    assert "doesn't look like a valid token" in page.inner_text("#token-error")

    page.fill("#token-input", user.token)
    page.click("#token-form button")
    assert page.is_visible("#chat")
    assert "todo assistant" in send(page, "hello")


def _expired_words(page: Page) -> None:
    text = page.inner_text("#token-error")
    assert "Your session expired" in text
    assert "todoctl dev" in text
    assert "todoctl forward" in text
    assert page.evaluate("sessionStorage.getItem('todo.token')") is None


@pytest.mark.browser
def test_an_expired_link_says_so_and_a_new_link_in_the_same_tab_signs_in(
    service: ServiceProcess, page: Page
) -> None:
    user = new_user()
    expired = mint_token(JWT_SECRET, user.id, ttl_seconds=-3600)

    page.goto(f"{service.base_url}/#token={expired}")

    page.wait_for_selector("#signin:not([hidden])")
    _expired_words(page)
    assert not page.is_visible("#chat")

    page.goto(f"{service.base_url}/#token={user.token}")
    page.wait_for_selector("#workspace:not([hidden])")
    assert page.url == f"{service.base_url}/"
    assert "todo assistant" in send(page, "hello")


@pytest.mark.browser
def test_a_session_that_expires_while_open_says_so_on_the_next_message(
    service: ServiceProcess, page: Page, watch: Watch
) -> None:
    watch.expect_status(401)
    user = new_user()
    sign_in(page, service, user)
    expired = mint_token(JWT_SECRET, user.id, ttl_seconds=-3600)
    # the message reaches the real server with the token as it is once its time is up
    page.route(
        "**/chat",
        lambda route: route.continue_(
            headers={**route.request.headers, "authorization": f"Bearer {expired}"}
        ),
    )

    page.fill("#message", "Add a task to buy milk")
    page.keyboard.press("Enter")

    page.wait_for_selector("#signin:not([hidden])")
    _expired_words(page)


@pytest.mark.browser
def test_a_refused_token_says_why_and_how_to_get_a_new_link(
    service: ServiceProcess, page: Page, watch: Watch
) -> None:
    watch.expect_status(401)
    user = new_user()
    forged = mint_token("another-secret-" + "z" * 32, user.id)

    page.goto(f"{service.base_url}/#token={forged}")

    page.wait_for_selector("#signin:not([hidden])")
    text = page.inner_text("#token-error")
    assert "not accepted (token signature is invalid)" in text
    assert "todoctl forward" in text


@pytest.mark.browser
def test_too_many_requests_says_how_long_to_wait_and_keeps_the_message(
    service: ServiceProcess, page: Page, watch: Watch
) -> None:
    watch.expect_status(429)
    user = new_user()
    sign_in(page, service, user)
    page.route(
        "**/chat",
        lambda route: route.fulfill(
            status=429, headers={"Retry-After": "7"}, json={"detail": "too many requests"}
        ),
    )

    page.fill("#message", "Add a task to buy milk")
    page.keyboard.press("Enter")

    expect(page.locator(".notice")).to_contain_text("Wait 7 seconds, then try again")
    assert page.input_value("#message") == "Add a task to buy milk"
    expect(page.locator(".msg.user")).to_have_class(re.compile(r"\bunsent\b"))
    expect(page.locator("#send")).to_be_enabled()


@pytest.mark.browser
def test_an_unreachable_task_server_is_explained_in_the_chat_and_the_panel(
    service: ServiceProcess, page: Page, watch: Watch, stack
) -> None:
    watch.expect_status(503)
    user = new_user()
    broken = process_env(stack, MCP_SERVER_URL=f"http://127.0.0.1:{free_port()}/mcp", MCP_TIMEOUT_SECONDS="2")
    with running_service("ai_todo", broken) as lonely:
        sign_in(page, lonely, user)
        # the first request of a fresh process waits for the assistant runtime to load
        expect(page.locator("#tasks-note")).to_contain_text(
            "can't reach your task list right now", timeout=30_000
        )
        expect(page.locator("#tasks-note button")).to_have_text("Try again")

        page.fill("#message", "Add a task to buy milk")
        page.keyboard.press("Enter")

        expect(page.locator(".notice")).to_have_text(
            "I can't reach your task list right now. Please try again in a moment."
        )
        expect(page.locator("#send")).to_be_enabled()


@pytest.mark.browser
def test_the_watch_catches_csp_violations_and_console_errors(
    browser: Browser, service: ServiceProcess
) -> None:
    watch = Watch()
    pages = open_page(browser, watch)
    page = next(pages)
    page.goto(f"{service.base_url}/")

    # what an injected inline script would do: the page's policy must refuse it, and the watch see it
    page.evaluate("""() => {
      const script = document.createElement("script");
      script.textContent = "document.title = 'injected'";
      document.body.append(script);
    }""")

    expect(page).to_have_title("Todo assistant")
    assert any(problem.startswith("console error: CSP violation: script-src") for problem in watch.problems)
    watch.problems.clear()
    next(pages, None)
