"""The release before this one, run from git history: the code a rolling upgrade still has serving
while this code's migration runs, and the code that made the databases users upgrade from.

`git archive` extracts its `src/` once per test process; its services then run in this environment
(the dependencies are the same) with that directory first on PYTHONPATH."""

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# main before the wave that brought migrations. When a release ships, this moves to its commit (and
# the scripts below to that commit's API).
PREVIOUS_RELEASE = "3555b45"


@functools.cache
def _extracted() -> Path | str:
    """The extracted src/ directory, or why it cannot be had."""
    if shutil.which("git") is None:
        return "git is not installed"
    found = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    if found.returncode != 0:
        return (
            f"commit {PREVIOUS_RELEASE} (the previous release) is not in this checkout's history; "
            "a shallow clone lacks it: run `git fetch --unshallow`"
        )
    target = Path(tempfile.mkdtemp(prefix=f"todoctl-release-{PREVIOUS_RELEASE}-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", PREVIOUS_RELEASE, "src"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target / "src"


def previous_release_src() -> Path:
    found = _extracted()
    if isinstance(found, Path):
        return found
    # CI checks out the whole history, so there the previous release missing is a failure
    if os.environ.get("CI"):
        pytest.fail(f"the rolling-upgrade tests need the previous release: {found}")
    pytest.skip(f"the rolling-upgrade tests need the previous release: {found}")


def previous_release_env() -> dict[str, str]:
    """The environment under which `python -m ai_todo` / `mcp_server` run the previous release."""
    return {"PYTHONPATH": str(previous_release_src())}


def run_previous_release(script: str, *args: str) -> str:
    """Runs Python code with the previous release's packages; returns its stdout."""
    completed = subprocess.run(
        [sys.executable, "-c", script, *args],
        env={**os.environ, **previous_release_env()},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, f"the previous release's code failed:\n{completed.stderr}"
    return completed.stdout


_POPULATE = """
import sys
from todo_core.db import make_engine, session_scope
from todo_core.models import Conversation, Message, Task
from todo_core.schema import create_schema

engine = make_engine(sys.argv[1])
create_schema(engine)
with session_scope(engine) as session:
    session.add(Task(user_id="alice", title="Buy milk"))
    session.add(Task(user_id="alice", title="Pay bills", description="before Friday", completed=True))
    session.add(Task(user_id="bob", title="Call mom"))
    conversation = Conversation(user_id="alice")
    session.add(conversation)
    session.flush()
    session.add(Message(conversation_id=conversation.id, user_id="alice", role="user", content="Add milk"))
    session.add(Message(conversation_id=conversation.id, user_id="alice", role="assistant", content="Added."))
"""


def populate_with_previous_release(database_url: str) -> None:
    """A database as the previous release leaves it: its schema, made by its own start-up code, with
    tasks, a conversation and its messages written through its models."""
    run_previous_release(_POPULATE, database_url)
