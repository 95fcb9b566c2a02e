"""What todoctl makes of the chat pods' answers about the schema: real services behind the fake pod
proxy, and stand-in pods that answer wrongly, hugely or hostilely."""

import json

import pytest

from tests.support.json_http import serving_json
from tests.support.processes import running_service
from tests.system.services import ai_todo_env, mcp_server_env
from tests.todoctl import factories
from tests.todoctl.fake_kube import FakeCluster
from todo_core.revisions import head
from todoctl.adapters.kube import POD_ANSWER_MAX_BYTES
from todoctl.db import TEXT_MAX, PodSchema, read_answer, schema_report

FIRST, SECOND = "ai-todo-5b85bc8649-a1b2c", "ai-todo-5b85bc8649-d3e4f"


def test_each_chat_pod_reports_the_code_and_database_revisions(
    deployed: FakeCluster, sqlite_url: str
) -> None:
    with (
        running_service("mcp_server", mcp_server_env(sqlite_url)) as mcp,
        running_service("ai_todo", ai_todo_env(sqlite_url, mcp.base_url)) as chat,
    ):
        deployed.pod_servers[FIRST] = chat.base_url
        report = schema_report(deployed.kube(), "todo")

    assert report.pods == [
        PodSchema(FIRST, code=head(), database=head(), relation="current"),
        PodSchema(
            SECOND,
            note="error trying to reach service: dial tcp 10.244.0.12:8000: connect: connection refused",
        ),
    ]
    assert report.database == head()
    assert report.summary() == f"{head()} (current for the code of 1 of 2 ai-todo pods)"


def test_a_rolling_upgrade_shows_the_database_ahead_of_the_old_pods_code(deployed: FakeCluster) -> None:
    old = {"status": "ready", "schema": {"code": "0002_a", "database": "0003_b", "relation": "ahead"}}
    new = {"status": "ready", "schema": {"code": "0003_b", "database": "0003_b", "relation": "current"}}
    with serving_json(lambda _: (200, old)) as old_pod, serving_json(lambda _: (200, new)) as new_pod:
        deployed.pod_servers.update({FIRST: old_pod, SECOND: new_pod})
        report = schema_report(deployed.kube(), "todo")

    assert [pod.relation for pod in report.pods] == ["ahead", "current"]
    assert report.summary() == "0003_b (current for the code of 1, ahead for the code of 1 of 2 ai-todo pods)"


def test_a_crash_looping_pod_says_why_from_its_last_log_line(cluster: FakeCluster) -> None:
    factories.deployed_release(cluster, replicas=1)
    crashing = "ai-todo-7c9d8e6f5-x2k4q"
    cluster.add("pods", factories.crash_looping_pod("ai-todo", crashing))
    refusal = "ai-todo: the database schema is at revision 0009_x, newer than this code (revision 0002_y)"
    cluster.logs[(crashing, True)] = f"starting\n{refusal}\n"

    report = schema_report(cluster.kube(), "todo")

    assert PodSchema(crashing, note=f"CrashLoopBackOff: {refusal}") in report.pods


def test_no_pods_is_an_unknown_schema() -> None:
    report = schema_report(FakeCluster().kube(), "todo")

    assert report.pods == []
    assert report.summary() == "unknown (none of 0 ai-todo pods reported it)"


@pytest.mark.parametrize(
    ("status", "body", "note"),
    [
        (200, '{"status": "ready"}', "its release predates schema revisions in /readyz"),
        (503, '{"status": "unready", "reason": "database unavailable"}', "database unavailable"),
        (200, "<html>proxy login</html>", "answered 200 without a JSON document"),
        (200, "[1, 2]", "answered 200 without a JSON document"),
        (200, "", "answered 200 without a JSON document"),
        (200, '{"schema": "0002"}', "its release predates schema revisions in /readyz"),
        (
            200,
            '{"schema": {"relation": "sideways"}}',
            "its answer names no known relation (behind, current, ahead)",
        ),
        (
            200,
            '{"schema": {"relation": ["current"]}}',
            "its answer names no known relation (behind, current, ahead)",
        ),
        (503, '{"kind": "Status", "code": 503}', "the API server answered 503"),
        (502, "not json at all", "answered 502 without a JSON document"),
    ],
)
def test_answers_that_say_nothing_of_the_schema_are_noted_not_trusted(
    status: int, body: str, note: str
) -> None:
    assert read_answer("p", status, body) == PodSchema("p", note=note)


def test_hostile_text_in_an_answer_is_shortened_and_stripped_of_control_characters() -> None:
    body = json.dumps(
        {
            "status": "unready",
            "reason": "\x1b[2J\x1b]8;;http://evil\x07[bold red]click[/]" + "x" * 10_000,
            "schema": {"code": "0002\r\nforged line", "database": 7, "relation": "ahead"},
        }
    )

    found = read_answer("p", 503, body)

    assert found.code == "0002forged line"
    assert found.database is None
    assert found.relation == "ahead"
    assert len(found.note) == TEXT_MAX
    assert not any(character in found.note for character in "\x1b\x07\r\n")


def test_a_huge_answer_is_read_only_up_to_the_limit(deployed: FakeCluster) -> None:
    huge = {"status": "ready", "padding": "x" * (4 * POD_ANSWER_MAX_BYTES)}
    with serving_json(lambda _: (200, huge)) as pod:
        deployed.pod_servers[FIRST] = pod
        status, body = deployed.kube().pod_get(FIRST, 8000, "readyz")

    assert status == 200
    assert len(body) == POD_ANSWER_MAX_BYTES
    assert read_answer(FIRST, status, body).note == "answered 200 without a JSON document"
