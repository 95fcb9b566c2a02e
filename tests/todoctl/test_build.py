import pytest

from todoctl.adapters.docker import BuiltImage
from todoctl.build import content_tag, image_files, over_budget
from todoctl.build_context import assemble_context


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    return assemble_context(tmp_path_factory.mktemp("context"))


def test_each_image_hashes_only_its_own_files(context):
    files = image_files(context, "mcp-server")

    assert "src/mcp_server/server.py" in files
    assert "src/todo_core/db.py" in files
    assert not any(
        path.startswith(("src/ai_todo/", "requirements/ai-todo")) or path.endswith("ai-todo.Dockerfile")
        for path in files
    )


def test_a_change_to_one_service_changes_only_its_tag(tmp_path):
    context = assemble_context(tmp_path / "context")
    before = {service: content_tag(context, service, {}) for service in ("ai-todo", "mcp-server")}
    (context / "src" / "ai_todo" / "chat.py").write_text("# changed\n", encoding="utf-8")

    assert content_tag(context, "ai-todo", {}) != before["ai-todo"]
    assert content_tag(context, "mcp-server", {}) == before["mcp-server"]


def test_bytecode_caches_do_not_change_a_tag(tmp_path):
    context = assemble_context(tmp_path / "context")
    before = content_tag(context, "mcp-server", {})
    (context / "src" / "mcp_server" / "__pycache__").mkdir(exist_ok=True)
    (context / "src" / "mcp_server" / "__pycache__" / "server.cpython-311.pyc").write_bytes(b"\x00junk")

    assert content_tag(context, "mcp-server", {}) == before


def test_the_budget_is_for_both_images_together():
    images = [
        BuiltImage("ai-todo", "a", "sha256:1", 250_000_000, 1),
        BuiltImage("mcp-server", "b", "sha256:2", 140_000_000, 1),
    ]

    assert over_budget(images) is None
    assert over_budget([*images, {"size_bytes": 20_000_000}]) == pytest.approx(410)
