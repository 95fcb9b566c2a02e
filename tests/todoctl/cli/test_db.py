"""`todoctl db`, and the schema line of `todoctl status`, over real services behind the fake cluster."""

import json

from tests.todoctl import factories, scripted
from todo_core.revisions import head

PODS = ("ai-todo-5b85bc8649-a1b2c", "ai-todo-5b85bc8649-d3e4f")


def test_db_says_the_database_is_current_for_each_chat_pod(invoke, deployed, stack):
    for pod in PODS:
        deployed.pod_servers[pod] = stack.services["ai-todo"].base_url

    result = invoke("db")
    document = json.loads(invoke("db", "--json").stdout)

    assert result.exit_code == 0, result
    assert f"database schema: {head()} (current for the code of 2 of 2 ai-todo pods)" in result.stdout
    assert document["database"] == head()
    assert [(p["pod"], p["code"], p["relation"]) for p in document["pods"]] == [
        (pod, head(), "current") for pod in PODS
    ]


def test_status_shows_the_schema_revision_next_to_the_release(invoke, runner, deployed, stack):
    scripted.helm(runner)
    deployed.pod_servers[PODS[0]] = stack.services["ai-todo"].base_url

    result = invoke("status")
    document = json.loads(invoke("--json", "status").stdout)

    lines = result.stdout.splitlines()
    release = next(i for i, line in enumerate(lines) if line.startswith("release todo"))
    assert lines[release + 1] == f"database schema: {head()} (current for the code of 1 of 2 ai-todo pods)"
    assert document["schema"]["database"] == head()


def test_db_fails_when_no_chat_pod_can_tell(invoke, cluster):
    factories.deployed_release(cluster, replicas=1)

    result = invoke("db")

    assert result.exit_code == 1
    assert "unknown (none of 1 ai-todo pods reported it)" in result.stdout
    assert "error trying to reach service" in result.stdout
    assert "no ai-todo pod of release todo reported the schema" in result.stdout


def test_db_of_a_namespace_without_the_release(invoke, cluster):
    result = invoke("--json", "db")

    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"database": None, "pods": []}
