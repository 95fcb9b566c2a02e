"""Property-based fuzzing of ai-todo's HTTP API from its own OpenAPI schema (schemathesis): valid and
invalid requests to every operation of a real ai-todo process, on the real mcp-server and
PostgreSQL, each with a valid token for the path's user or with one that must be refused.

Whatever is sent: no 5xx, no hang, no stack trace or internals in the body, answers that match the
schema, and a refused token is never let through."""

import enum
from collections.abc import Callable, Iterator
from urllib.parse import unquote

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import Case, CheckContext, Response
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from ai_todo.app import create_app
from ai_todo.settings import AiTodoSettings
from tests.ai_todo.forged_tokens import alg_none_token, tampered_token
from tests.ai_todo.stack import INTERNAL_TOKEN, JWT_SECRET, Stack, new_user, process_env
from tests.support.processes import ServiceProcess, running_service
from todo_core.tokens import mint_token

# What a response must never carry: a stack trace, internals, or a secret of the deployment.
LEAKS = (
    "Traceback (most recent call last)",
    'File "/',
    "site-packages",
    "sqlalchemy",
    "psycopg",
    INTERNAL_TOKEN,
    JWT_SECRET,
)
# "Does not hang": even a chat turn answers far inside this.
REQUEST_TIMEOUT_SECONDS = 30
EXAMPLES_PER_OPERATION = 300
OTHER_USER = "fuzz-other-user"
ANOTHER_SECRET = "another-secret-" + "x" * 32


class Credentials(enum.Enum):
    OWN = "a valid token of the path's user"
    NONE = "no token"
    WRONG_SECRET = "a token signed with another secret"
    TAMPERED = "a valid token whose subject was changed after signing"
    EXPIRED = "an expired token of the path's user"
    ALG_NONE = "an unsigned token (alg none)"
    OTHER_USER = "a valid token of another user"


# The token each kind of credentials sends for the path's user id (None: no Authorization header).
TOKENS: dict[Credentials, Callable[[str], str | None]] = {
    Credentials.OWN: lambda user_id: mint_token(JWT_SECRET, user_id),
    Credentials.NONE: lambda _: None,
    Credentials.WRONG_SECRET: lambda user_id: mint_token(ANOTHER_SECRET, user_id),
    Credentials.TAMPERED: lambda user_id: tampered_token(mint_token(JWT_SECRET, OTHER_USER), sub=user_id),
    Credentials.EXPIRED: lambda user_id: mint_token(JWT_SECRET, user_id, ttl_seconds=-3600),
    Credentials.ALG_NONE: alg_none_token,
    Credentials.OTHER_USER: lambda _: mint_token(JWT_SECRET, OTHER_USER),
}


@pytest.fixture(scope="module")
def ai_todo_process(stack: Stack) -> Iterator[ServiceProcess]:
    with running_service("ai_todo", process_env(stack)) as service:
        yield service


def _api_schema() -> schemathesis.BaseSchema:
    """The schema the service publishes at /openapi.json. Read from the app itself, because the
    tests are generated when pytest collects them, before any process runs (schemathesis's lazy
    `from_fixture` does not work with pytest 9.2)."""
    config = schemathesis.Config.from_dict(
        {"generation": {"mode": "all", "max-examples": EXAMPLES_PER_OPERATION}}
    )
    return schemathesis.openapi.from_dict(OPENAPI, config=config)


OPENAPI = create_app(AiTodoSettings(database_url="sqlite://", auth_jwt_secret=JWT_SECRET)).openapi()
schema = _api_schema()


def nothing_leaked(ctx: CheckContext, response: Response, case: Case) -> bool | None:
    # a reply may quote the message it answers, so only what the request did not bring counts
    sent = str(case.body)
    leaked = [mark for mark in LEAKS if mark in response.text and mark not in sent]
    assert not leaked, f"the response shows internals {leaked}: {response.text[:500]}"
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    nothing_leaked,
]


@schema.parametrize()
# half the requests come in with the path's own token, so the chat itself gets fuzzed too
@schema.given(credentials=st.one_of(st.just(Credentials.OWN), st.sampled_from(Credentials)))
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_any_request_gets_a_clean_answer_and_refused_tokens_never_pass(
    case: Case, credentials: Credentials, ai_todo_process: ServiceProcess
) -> None:
    # schemathesis holds path parameters percent-encoded; the service decodes them
    user_id = (case.path_parameters or {}).get("user_id")
    token = TOKENS[credentials](unquote(user_id)) if isinstance(user_id, str) else None
    headers = {"Authorization": f"Bearer {token}"} if token else {}

    response = case.call(base_url=ai_todo_process.base_url, headers=headers, timeout=REQUEST_TIMEOUT_SECONDS)

    case.validate_response(response, checks=CHECKS)
    if case.path.startswith("/api/") and credentials is not Credentials.OWN:
        _assert_refused(response, credentials)


def _assert_refused(response: Response, credentials: Credentials) -> None:
    status = response.status_code
    assert status in (400, 401, 403, 404, 422), f"{credentials.value} was let through: {status}"
    if status == 401:
        assert response.headers["www-authenticate"] == ["Bearer"]
    if status == 404:
        # only a path no route matches (a user id with a "/"), never a lookup made for the caller
        assert response.json() == {"detail": "Not Found"}
    # A body that is not UTF-8 (400) or not JSON (422) is refused before the token is looked at;
    # anything else about the body is checked only for a caller already let in.
    if status == 400:
        assert response.json() == {"detail": "There was an error parsing the body"}
    if status == 422:
        assert {error["type"] for error in response.json()["detail"]} == {"json_invalid"}


# Found by the fuzzing above: FastAPI answers these before the route runs (413 even before the app,
# as plain text), and the schema did not document them, so a client made from it could not expect them.
@pytest.mark.parametrize(
    ("body", "status", "media_type"),
    [
        (b'{"message": "caf\xe9"}', 400, "application/json"),
        (b'{"message": "' + b"a" * 100_000 + b'"}', 413, "text/plain"),
    ],
    ids=["not-utf-8", "too-large"],
)
def test_bodies_refused_before_the_route_get_a_documented_answer(
    ai_todo_process: ServiceProcess, body: bytes, status: int, media_type: str
) -> None:
    user = new_user()
    response = httpx.post(
        f"{ai_todo_process.base_url}{user.chat_path}",
        content=body,
        headers={**user.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == status
    assert response.headers["content-type"].startswith(media_type)
    documented = OPENAPI["paths"]["/api/{user_id}/chat"]["post"]["responses"][str(status)]
    assert list(documented["content"]) == [media_type]
