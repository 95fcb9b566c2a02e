"""A service meeting a schema newer than its code, one its code may not serve: it does not start, and
says why, naming both revisions (the alternative, serving it, could write what the newer schema no
longer allows). One it may serve, it serves."""

import httpx
import pytest

from tests.support.processes import running_service, start_service
from tests.system.services import ai_todo_env, mcp_server_env
from tests.todo_core.schemas import set_revision
from todo_core.db import make_engine
from todo_core.revisions import head
from todo_core.schema import upgrade_schema

FUTURE = "0099_future_change"


@pytest.mark.parametrize(("module", "name"), [("mcp_server", "mcp-server"), ("ai_todo", "ai-todo")])
def test_a_service_refuses_to_start_on_a_schema_that_needs_newer_code(
    postgres_url: str, module: str, name: str
) -> None:
    engine = make_engine(postgres_url)
    upgrade_schema(engine)
    set_revision(engine, FUTURE, oldest_code="0098_contract_step")
    env = (
        mcp_server_env(postgres_url)
        if module == "mcp_server"
        else ai_todo_env(postgres_url, "http://127.0.0.1:9")
    )

    service = start_service(module, env)
    try:
        exit_code = service.process.wait(60)
    finally:
        service.stop()

    assert exit_code == 1
    assert (
        f"{name}: the database schema is at revision {FUTURE}, newer than this code (revision {head()}), "
        "and it needs code from revision 0098_contract_step or later" in service.logs()
    )


def test_a_service_serves_a_newer_schema_that_keeps_its_code_compatible(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    upgrade_schema(engine)
    set_revision(engine, FUTURE, oldest_code=head())

    with running_service("mcp_server", mcp_server_env(postgres_url)) as service:
        answer = httpx.get(f"{service.base_url}/readyz", timeout=10).json()

    assert answer == {"status": "ready", "schema": {"code": head(), "database": FUTURE, "relation": "ahead"}}
