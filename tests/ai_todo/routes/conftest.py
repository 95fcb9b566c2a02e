"""The chat page in Debian's headless Chromium, against real ai-todo and mcp-server processes.

Every page is watched: a console error, an uncaught exception or a Content-Security-Policy violation
fails the test that caused it, unless the test said which failed HTTP answer it provokes."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

from tests.ai_todo.stack import Stack, User, new_user, process_env
from tests.support.browser import chromium
from tests.support.processes import ServiceProcess, running_service

# Screenshots are kept for people to look at: a fixed, git-ignored folder at the top of the checkout,
# left in place after the run (CI keeps it as its artifacts).
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "chat-page"
# Reported by the page itself, so the violation is caught even where Chromium words it differently.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + event.blockedURI);
});
"""
# How Chromium reports a fetch answered with an error status (the page handles those itself).
_FAILED_LOAD = re.compile(r"^Failed to load resource: the server responded with a status of (\d{3})\b")


@dataclass
class Watch:
    """What went wrong in the page, apart from the failed HTTP answers a test provokes on purpose."""

    expected_statuses: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def expect_status(self, *statuses: int) -> None:
        self.expected_statuses.update(statuses)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type not in ("error", "warning"):
            return
        failed = _FAILED_LOAD.match(message.text)
        if failed and int(failed.group(1)) in self.expected_statuses:
            return
        self.problems.append(f"console {message.type}: {message.text}")


# Per module: playwright's sync API keeps an event loop running in this thread while it is open,
# and async tests of other modules cannot run beside it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def service(stack: Stack) -> Iterator[ServiceProcess]:
    with running_service("ai_todo", process_env(stack)) as service:
        # Ready before its assistant runtime is loaded (seconds): the first request waits for it,
        # and no test's expectation should have to.
        api_tasks(service, new_user("warm-up"), timeout=60)
        yield service


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser: Browser, watch: Watch) -> Iterator[Page]:
    yield from open_page(browser, watch)


def open_page(browser: Browser, watch: Watch, **context_options: object) -> Iterator[Page]:
    context = browser.new_context(**context_options)  # type: ignore[arg-type]
    context.add_init_script(_REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.problems.append(f"uncaught: {error}"))
    page.on("dialog", lambda dialog: watch.problems.append(f"dialog: {dialog.message}"))
    yield page
    context.close()
    assert watch.problems == [], "the page reported problems"


def sign_in(page: Page, service: ServiceProcess, user: User) -> None:
    page.goto(f"{service.base_url}/#token={user.token}")
    page.wait_for_selector("#workspace:not([hidden])")


def send(page: Page, text: str) -> str:
    """Types a message, sends it with Enter, waits for the answer and returns it."""
    answers = page.locator(".msg.assistant:not(.thinking)")
    before = answers.count()
    page.fill("#message", text)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('.msg.assistant:not(.thinking)').length > n", arg=before
    )
    return answers.nth(before).inner_text()


def wait_at_newest(page: Page) -> None:
    """Until the conversation is scrolled to its end (a new message glides into view)."""
    page.wait_for_function(
        "() => { const log = document.getElementById('log');"
        " return log.scrollHeight - log.scrollTop - log.clientHeight < 2; }"
    )


def api_tasks(service: ServiceProcess, user: User, timeout: float = 10) -> list[dict]:
    response = httpx.get(f"{service.base_url}/api/{user.id}/tasks", headers=user.headers, timeout=timeout)
    response.raise_for_status()
    return response.json()


def chat_api(service: ServiceProcess, user: User, message: str, conversation_id: int | None = None) -> dict:
    """A turn through the API, as another client of the same user would make it."""
    response = httpx.post(
        f"{service.base_url}/api/{user.id}/chat",
        json={"message": message, "conversation_id": conversation_id},
        headers=user.headers,
        timeout=30,
    )
    response.raise_for_status()
    return response.json()
