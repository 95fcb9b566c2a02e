import pytest

from todoctl import state
from todoctl.adapters.docker import BuiltImage
from todoctl.errors import TodoctlError


def test_built_images_are_remembered_per_service():
    state.record_built([BuiltImage("ai-todo", "todoctl/ai-todo:a", "sha256:1", 10, 1)])
    state.record_built([BuiltImage("mcp-server", "todoctl/mcp-server:b", "sha256:2", 20, 1)])
    state.record_built([BuiltImage("ai-todo", "todoctl/ai-todo:c", "sha256:3", 30, 1)])

    assert state.built_images() == {
        "ai-todo": {"image": "todoctl/ai-todo:c", "image_id": "sha256:3", "size_bytes": 30},
        "mcp-server": {"image": "todoctl/mcp-server:b", "image_id": "sha256:2", "size_bytes": 20},
    }


@pytest.mark.parametrize("content", ["{not json", "[1, 2]"])
def test_a_damaged_record_says_how_to_recover(content):
    path = state.state_dir() / "images.json"
    path.parent.mkdir(parents=True)
    path.write_text(content)

    with pytest.raises(TodoctlError) as raised:
        state.built_images()
    assert f"delete {path}" in raised.value.hint
