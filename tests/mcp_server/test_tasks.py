"""The task operations on both databases, without MCP in between."""

import pytest
from sqlalchemy.engine import Engine

from mcp_server import tasks
from tests.mcp_server.factories import ready_engine
from todo_core.db import session_scope


@pytest.fixture
def engine(database_url: str) -> Engine:
    return ready_engine(database_url)


def test_add_then_list_returns_the_task_with_its_fields(engine: Engine) -> None:
    with session_scope(engine) as session:
        created = tasks.add_task(session=session, user_id="alice", title="Buy milk", description="2 litres")
    with session_scope(engine) as session:
        [listed] = tasks.list_tasks(session=session, user_id="alice")
    assert created.status == "created"
    assert (listed.id, listed.title, listed.description, listed.completed) == (
        created.task_id,
        "Buy milk",
        "2 litres",
        False,
    )
    assert listed.created_at.tzinfo is not None


def test_list_filters_by_status_and_keeps_creation_order(engine: Engine) -> None:
    with session_scope(engine) as session:
        ids = [tasks.add_task(session=session, user_id="alice", title=t).task_id for t in ("a", "b", "c")]
        tasks.complete_task(session=session, user_id="alice", task_id=ids[1])
    with session_scope(engine) as session:
        assert [t.title for t in tasks.list_tasks(session=session, user_id="alice")] == ["a", "b", "c"]
        assert [t.title for t in tasks.list_tasks(session=session, user_id="alice", status="pending")] == [
            "a",
            "c",
        ]
        assert [t.title for t in tasks.list_tasks(session=session, user_id="alice", status="completed")] == [
            "b"
        ]


@pytest.mark.parametrize("operation", ["complete", "delete", "update"])
def test_another_users_task_is_not_found_and_unchanged(engine: Engine, operation: str) -> None:
    with session_scope(engine) as session:
        task_id = tasks.add_task(session=session, user_id="alice", title="Alice's secret").task_id
    calls = {
        "complete": lambda s: tasks.complete_task(session=s, user_id="mallory", task_id=task_id),
        "delete": lambda s: tasks.delete_task(session=s, user_id="mallory", task_id=task_id),
        "update": lambda s: tasks.update_task(session=s, user_id="mallory", task_id=task_id, title="pwned"),
    }
    with (
        pytest.raises(tasks.TaskNotFoundError, match=f"task {task_id} not found"),
        session_scope(engine) as s,
    ):
        calls[operation](s)
    with session_scope(engine) as session:
        [task] = tasks.list_tasks(session=session, user_id="alice")
        assert (task.title, task.completed) == ("Alice's secret", False)
        assert tasks.list_tasks(session=session, user_id="mallory") == []


def test_update_changes_only_the_given_fields_and_moves_updated_at(engine: Engine) -> None:
    with session_scope(engine) as session:
        task_id = tasks.add_task(
            session=session, user_id="alice", title="Call mom", description="Sunday"
        ).task_id
    with session_scope(engine) as session:
        [before] = tasks.list_tasks(session=session, user_id="alice")
        result = tasks.update_task(
            session=session, user_id="alice", task_id=task_id, title="Call mom tonight"
        )
    with session_scope(engine) as session:
        [after] = tasks.list_tasks(session=session, user_id="alice")
    assert (result.status, result.title) == ("updated", "Call mom tonight")
    assert (after.title, after.description) == ("Call mom tonight", "Sunday")
    assert after.updated_at > before.updated_at
    assert after.created_at == before.created_at


def test_update_with_an_empty_description_clears_it(engine: Engine) -> None:
    with session_scope(engine) as session:
        task_id = tasks.add_task(session=session, user_id="alice", title="x", description="old").task_id
        tasks.update_task(session=session, user_id="alice", task_id=task_id, description="")
    with session_scope(engine) as session:
        assert tasks.list_tasks(session=session, user_id="alice")[0].description is None


def test_update_without_changes_is_refused(engine: Engine) -> None:
    with session_scope(engine) as session:
        task_id = tasks.add_task(session=session, user_id="alice", title="x").task_id
    with pytest.raises(tasks.TaskError, match="nothing to update"), session_scope(engine) as session:
        tasks.update_task(session=session, user_id="alice", task_id=task_id)


def test_delete_removes_the_task_and_a_second_delete_is_not_found(engine: Engine) -> None:
    with session_scope(engine) as session:
        task_id = tasks.add_task(session=session, user_id="alice", title="Meeting").task_id
    with session_scope(engine) as session:
        assert tasks.delete_task(session=session, user_id="alice", task_id=task_id).title == "Meeting"
    with pytest.raises(tasks.TaskNotFoundError), session_scope(engine) as session:
        tasks.delete_task(session=session, user_id="alice", task_id=task_id)
    with session_scope(engine) as session:
        assert tasks.list_tasks(session=session, user_id="alice") == []


def test_completing_twice_is_harmless(engine: Engine) -> None:
    with session_scope(engine) as session:
        task_id = tasks.add_task(session=session, user_id="alice", title="x").task_id
        tasks.complete_task(session=session, user_id="alice", task_id=task_id)
        again = tasks.complete_task(session=session, user_id="alice", task_id=task_id)
    assert again.status == "completed"
