"""The load users' final listing in validate-stateless: patient with a service that is moving, not
with one that answered no. (The whole command runs in tests/todoctl/cli/test_stateless.py and on
the real cluster.)"""

import pytest

from todoctl.chat import ChatFailed, Reply
from todoctl.stateless import _patiently

REPLY = Reply(conversation_id=1, response="You have no tasks.")


class ScriptedApi:
    """Answers `chat` with each failure in turn, then with REPLY."""

    def __init__(self, *failures: ChatFailed) -> None:
        self.failures = list(failures)
        self.calls = 0

    def chat(self, message: str) -> Reply:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return REPLY


def refused() -> ChatFailed:
    return ChatFailed("the chat service does not answer: [Errno 111] Connection refused")


def test_a_forward_moving_to_a_new_pod_is_waited_out() -> None:
    api = ScriptedApi(refused(), refused(), ChatFailed("busy", status=503, retry_after=0.1))

    assert _patiently(api, "Show me all my tasks") == REPLY  # type: ignore[arg-type]
    assert api.calls == 4


def test_the_users_rate_is_waited_out_as_the_service_asks() -> None:
    api = ScriptedApi(ChatFailed("slow down", status=429, retry_after=0.1))

    assert _patiently(api, "Show me all my tasks") == REPLY  # type: ignore[arg-type]
    assert api.calls == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500])
def test_an_answer_that_says_no_is_raised_at_once(status: int) -> None:
    api = ScriptedApi(ChatFailed("no", status=status))

    with pytest.raises(ChatFailed):
        _patiently(api, "Show me all my tasks")  # type: ignore[arg-type]
    assert api.calls == 1


def test_a_service_that_never_answers_again_fails_once_the_patience_is_spent() -> None:
    api = ScriptedApi(*(refused() for _ in range(100)))

    with pytest.raises(ChatFailed, match="Connection refused"):
        _patiently(api, "Show me all my tasks", within=1.0)  # type: ignore[arg-type]
    assert 2 <= api.calls <= 6
