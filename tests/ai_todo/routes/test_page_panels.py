"""The chat page as a todo app, in Debian's headless Chromium against real services: the task panel
always shows what the API says, the conversations can be found again, and screenshots at desktop
and phone widths are kept in test-artifacts/chat-page/ for people to look at."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.ai_todo.routes.conftest import (
    ARTIFACTS,
    Watch,
    api_tasks,
    chat_api,
    open_page,
    send,
    sign_in,
    wait_at_newest,
)
from tests.ai_todo.stack import User, new_user
from tests.support.processes import ServiceProcess

pytestmark = pytest.mark.browser


def expect_panel_to_match_the_api(page: Page, service: ServiceProcess, user: User) -> list[dict]:
    """The panel lists exactly the API's tasks: pending ones first, then the completed ones, with counts."""
    tasks = api_tasks(service, user)
    pending = [task for task in tasks if not task["completed"]]
    completed = [task for task in tasks if task["completed"]]
    expect(page.locator("#task-counts")).to_have_text(f"{len(pending)} pending · {len(completed)} done")
    expect(page.locator("#pending-tasks .title")).to_have_text([task["title"] for task in pending])
    expect(page.locator("#pending-tasks .id")).to_have_text([f"#{task['id']}" for task in pending])
    expect(page.locator("#completed-tasks .title")).to_have_text([task["title"] for task in completed])
    expect(page.locator("#completed-tasks .id")).to_have_text([f"#{task['id']}" for task in completed])
    for task in completed:
        expect(page.locator(f"#task-{task['id']}")).to_be_checked()
        expect(page.locator(f"#task-{task['id']}")).to_be_disabled()
    return tasks


def test_the_panel_follows_add_complete_and_delete(service: ServiceProcess, page: Page) -> None:
    user = new_user()
    sign_in(page, service, user)
    expect(page.locator("#tasks-note")).to_have_text("No tasks yet. Ask me to add one.")
    expect_panel_to_match_the_api(page, service, user)

    send(page, "Add a task to buy groceries")
    send(page, "Add a task to call mom")
    [groceries, mom] = expect_panel_to_match_the_api(page, service, user)
    assert [groceries["title"], mom["title"]] == ["Buy groceries", "Call mom"]

    send(page, f"Mark task {mom['id']} as complete")
    tasks = expect_panel_to_match_the_api(page, service, user)
    assert [task["completed"] for task in tasks] == [False, True]
    expect(page.locator("#completed-tasks .task")).to_have_class(re.compile(r"\bdone\b"))
    struck = page.locator("#completed-tasks label").evaluate(
        "node => getComputedStyle(node).textDecorationLine"
    )
    assert struck == "line-through"

    send(page, f"Delete task {groceries['id']}")
    tasks = expect_panel_to_match_the_api(page, service, user)
    assert [task["title"] for task in tasks] == ["Call mom"]
    expect(page.locator("#tasks-note")).to_have_text("All done. Nicely done!")


def test_ticking_a_task_completes_it_through_the_conversation(service: ServiceProcess, page: Page) -> None:
    user = new_user()
    sign_in(page, service, user)
    send(page, "Add a task to water the plants")
    [task] = expect_panel_to_match_the_api(page, service, user)
    answers = page.locator(".msg.assistant:not(.thinking)")
    before = answers.count()

    page.click(f"#task-{task['id']}")

    expect(answers).to_have_count(before + 1)
    expect(page.locator(".msg.user").last).to_have_text(f"Mark task {task['id']} as complete")
    expect(answers.last).to_contain_text('I marked "Water the plants"')
    expect(answers.last.locator(".tool")).to_have_text(f"Completed #{task['id']} Water the plants")
    [done] = expect_panel_to_match_the_api(page, service, user)
    assert done["completed"]


def test_a_change_made_elsewhere_shows_after_the_next_tool_call(service: ServiceProcess, page: Page) -> None:
    user = new_user()
    sign_in(page, service, user)
    chat_api(service, user, "Add a task to pay bills")

    send(page, "What's pending?")

    expect_panel_to_match_the_api(page, service, user)
    expect(page.locator("#pending-tasks .title")).to_have_text(["Pay bills"])


def test_a_hostile_title_is_text_in_the_panel(service: ServiceProcess, page: Page) -> None:
    user = new_user()
    chat_api(service, user, 'Add a task called "<img src=x onerror=alert(1)>"')

    sign_in(page, service, user)

    expect(page.locator("#pending-tasks .title")).to_have_text(["<img src=x onerror=alert(1)>"])
    expect_panel_to_match_the_api(page, service, user)
    assert page.locator("img").count() == 0


def test_the_panel_stays_right_after_a_reload_and_switching_conversations(
    service: ServiceProcess, page: Page
) -> None:
    user = new_user()
    sign_in(page, service, user)
    send(page, "Add a task to buy groceries")
    first = int(page.evaluate(f"localStorage.getItem('todo.conversation.{user.id}')"))

    page.click("#new-chat")
    expect(page.locator(".welcome")).to_be_visible()
    send(page, "Add a task to call mom")
    second = int(page.evaluate(f"localStorage.getItem('todo.conversation.{user.id}')"))
    assert second != first
    expect_panel_to_match_the_api(page, service, user)

    page.reload()
    expect(page.locator(".msg.user")).to_have_text(["Add a task to call mom"])
    expect_panel_to_match_the_api(page, service, user)

    page.click(f'#conversations button[data-id="{first}"]')
    expect(page.locator(".msg.user")).to_have_text(["Add a task to buy groceries"])
    expect(page.locator(f'#conversations button[data-id="{first}"]')).to_have_attribute(
        "aria-current", "true"
    )
    tasks = expect_panel_to_match_the_api(page, service, user)
    assert [task["title"] for task in tasks] == ["Buy groceries", "Call mom"]


def test_conversations_are_listed_newest_first_and_continue_where_they_were(
    service: ServiceProcess, page: Page
) -> None:
    user = new_user()
    older = chat_api(service, user, "Add a task to buy groceries")["conversation_id"]
    newer = chat_api(service, user, "hello")["conversation_id"]

    sign_in(page, service, user)

    buttons = page.locator("#conversations button")
    expect(buttons.locator(".preview")).to_have_text(["hello", "Add a task to buy groceries"])
    expect(buttons.locator(".when")).to_have_text(["just now", "just now"])
    assert [buttons.nth(i).get_attribute("data-id") for i in range(2)] == [str(newer), str(older)]

    buttons.nth(1).click()
    expect(page.locator(".msg.user")).to_have_text(["Add a task to buy groceries"])
    send(page, "Show me all my tasks")

    expect(buttons.locator(".preview")).to_have_text(["Add a task to buy groceries", "hello"])
    messages = chat_api(service, user, "Mark it as done", older)
    assert "Buy groceries" in messages["response"], "the page's turn continued the older conversation"


def _fill_for_screenshots(service: ServiceProcess, user: User) -> int:
    """A user with three tasks, one done, and two conversations; returns the one about the tasks."""
    conversation = chat_api(service, user, "Add a task to buy groceries")["conversation_id"]
    chat_api(service, user, "Add a task to call mom about Sunday lunch", conversation)
    chat_api(service, user, "Add a task to book the car service", conversation)
    chat_api(service, user, "Mark the car service task as done", conversation)
    chat_api(service, user, "hello")
    return conversation


@pytest.fixture
def phone(browser: Browser, watch: Watch) -> Iterator[Page]:
    yield from open_page(
        browser,
        watch,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )


def test_screenshots_at_desktop_and_phone_widths(service: ServiceProcess, page: Page, phone: Page) -> None:
    user = new_user()
    planning = _fill_for_screenshots(service, user)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, service, user)
    page.click(f'#conversations button[data-id="{planning}"]')
    send(page, "Show me all my tasks")
    expect_panel_to_match_the_api(page, service, user)
    wait_at_newest(page)
    page.screenshot(path=ARTIFACTS / "desktop.png")

    sign_in(phone, service, user)
    expect(phone.locator("#task-counts")).to_have_text("2 pending · 1 done")
    expect(phone.locator("#pending-tasks")).to_be_hidden()
    expect(phone.locator("#conversations")).to_be_hidden()
    phone.click("#conversations-panel summary")
    phone.click(f'#conversations button[data-id="{planning}"]')
    expect(phone.locator("#conversations")).to_be_hidden()
    expect(phone.locator(".msg.assistant").last).to_contain_text("You have 3 tasks:")
    wait_at_newest(phone)
    phone.screenshot(path=ARTIFACTS / "phone.png")

    phone.click("#tasks-panel summary")
    expect_panel_to_match_the_api(phone, service, user)
    chat = phone.locator("#chat").bounding_box()
    panel = phone.locator("#tasks-panel").bounding_box()
    assert panel["y"] + panel["height"] <= chat["y"], "on a phone the panel folds above the chat"
    assert panel["width"] <= 390
    wait_at_newest(phone)
    phone.screenshot(path=ARTIFACTS / "phone-tasks-open.png")

    assert all(
        (ARTIFACTS / name).stat().st_size > 10_000
        for name in ("desktop.png", "phone.png", "phone-tasks-open.png")
    )
