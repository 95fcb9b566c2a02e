"""NOTES.txt: how to reach the chat and get a token, and what is wrong when something is."""

from tests.chart.rendering import render, set_flags
from tests.chart.scenarios import A_DATABASE_URL, SCENARIOS

WITH_DATABASE = {"secrets": {"databaseUrl": A_DATABASE_URL}}


def test_prints_the_port_forward_line() -> None:
    notes = render(WITH_DATABASE, namespace="apps").notes

    assert "kubectl --namespace apps port-forward svc/ai-todo-service 8000:8000" in notes
    assert "WARNING" not in notes


def test_tells_how_to_get_a_token_from_the_release_secret() -> None:
    notes = render(WITH_DATABASE, release="demo").notes

    assert "get secret demo-todo-secret" in notes
    assert "{.data.AUTH_JWT_SECRET}" in notes
    assert "todoctl forward" in notes


def test_sends_jwks_users_to_their_auth_provider() -> None:
    notes = SCENARIOS["jwks-only"].render().notes

    assert "https://auth.example.com/api/auth/jwks" in notes
    assert "AUTH_JWT_SECRET" not in notes


def test_names_the_node_port() -> None:
    notes = render({**WITH_DATABASE, **set_flags("aiTodo.service.type=NodePort")}).notes

    assert ":30080/" in notes


def test_warns_when_no_database_is_configured() -> None:
    notes = render().notes

    assert "WARNING: no database is configured" in notes
    assert "devPostgres.enabled=true" in notes
