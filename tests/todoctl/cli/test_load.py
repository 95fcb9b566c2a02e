import json
from pathlib import Path

import pytest

from tests.todoctl import fixture_files, scripted
from todoctl import state
from todoctl.images import BuiltImage

AI_TODO = BuiltImage(
    "ai-todo", "todoctl/ai-todo:3f2a9c1b7d4e", "sha256:6e38f40d628db0123456789abcdef", 150_000_000, 1
)
MCP = BuiltImage(
    "mcp-server", "todoctl/mcp-server:0a1b2c3d4e5f", "sha256:bf7671f98757c0123456789abcdef", 120_000_000, 1
)


@pytest.fixture
def built() -> None:
    state.record_built([AI_TODO, MCP])


def image_table(rows: list[tuple[str, str, str, str]]) -> str:
    """`minikube image ls --format table` as v1.34 prints it (fixture), with our images' rows."""
    head = fixture_files.text("minikube/image-ls-table-v1.34-trimmed.txt").splitlines()[:3]
    body = [f"| {image:<41} | {tag:<8} | {image_id:<13} | {size:<6} |" for image, tag, image_id, size in rows]
    return "\n".join(
        [*head, *body, *fixture_files.text("minikube/image-ls-table-v1.34-trimmed.txt").splitlines()[3:]]
    )


def test_load_into_minikube_loads_and_checks_each_image(invoke, runner, built):
    runner.on("minikube", "image", "load")
    runner.on(
        "minikube",
        "image",
        "ls",
        stdout=image_table(
            [
                ("docker.io/todoctl/ai-todo", "3f2a9c1b7d4e", "6e38f40d628db", "150MB"),
                ("docker.io/todoctl/mcp-server", "0a1b2c3d4e5f", "bf7671f98757c", "120MB"),
            ]
        ),
    )

    result = invoke("load")

    assert result.exit_code == 0, result
    assert runner.argvs("minikube", "image", "load") == [
        ("minikube", "image", "load", AI_TODO.image, "-p", "minikube"),
        ("minikube", "image", "load", MCP.image, "-p", "minikube"),
    ]
    assert "loaded into minikube profile minikube" in result.stdout


def test_load_detects_the_stale_image_minikube_keeps(invoke, runner, built):
    runner.on("minikube", "image", "load")
    runner.on(
        "minikube",
        "image",
        "ls",
        stdout=image_table([("docker.io/todoctl/ai-todo", "3f2a9c1b7d4e", "c42f13656d0b2", "117MB")]),
    )

    result = invoke("load", "ai-todo")

    assert result.exit_code == 1
    assert "minikube kept an older image under todoctl/ai-todo:3f2a9c1b7d4e" in result.stdout
    assert "minikube image rm todoctl/ai-todo:3f2a9c1b7d4e -p minikube" in result.stdout


def test_load_notices_an_image_that_never_arrived(invoke, runner, built):
    # `minikube image load` can exit 0 without loading anything (kubernetes/minikube#21393)
    runner.on("minikube", "image", "load")
    runner.on(
        "minikube", "image", "ls", stdout=fixture_files.text("minikube/image-ls-table-v1.34-trimmed.txt")
    )

    result = invoke("load", "ai-todo")

    assert result.exit_code == 1
    assert "todoctl/ai-todo:3f2a9c1b7d4e is not in minikube after `minikube image load`" in result.stdout


def test_load_reports_minikubes_own_load_error(invoke, runner, built):
    runner.on(
        "minikube",
        "image",
        "load",
        stderr=fixture_files.text("minikube/image-load-error-manifest.txt"),
        returncode=1,
    )

    result = invoke("load", "ai-todo")

    assert result.exit_code == 1
    assert "minikube could not load the image: save to dir: caching images" in result.stdout
    assert "docker save" in result.stdout


@pytest.mark.parametrize("context_name", ["kind-todo"])
def test_load_into_kind_names_the_cluster(invoke, runner, built):
    runner.on("kind", "load", stderr=fixture_files.text("kind/load-docker-image-single.txt"))

    result = invoke("load")

    assert result.exit_code == 0, result
    assert runner.argvs("kind", "load")[0] == (
        "kind",
        "load",
        "docker-image",
        AI_TODO.image,
        "--name",
        "todo",
    )


@pytest.mark.parametrize("context_name", ["kind-todo"])
def test_load_into_kind_reports_its_error(invoke, runner, built):
    runner.on("kind", "load", stderr=fixture_files.text("kind/load-docker-image-error.txt"), returncode=1)

    result = invoke("load", "mcp")

    assert result.exit_code == 1
    assert "kind could not load the image" in result.stdout


@pytest.mark.parametrize("context_name", ["k3d-dev"])
def test_load_into_k3d_imports_into_the_cluster(invoke, runner, built):
    runner.on("k3d", "image", "import", stderr=fixture_files.text("k3d/image-import-v5.txt"))

    result = invoke("load", "mcp")

    assert result.exit_code == 0, result
    assert runner.argvs("k3d")[0] == ("k3d", "image", "import", MCP.image, "-c", "dev")


@pytest.mark.parametrize("context_name", ["k3d-dev"])
def test_load_into_a_missing_k3d_cluster_fails_even_though_k3d_exits_0(invoke, runner, built):
    runner.on("k3d", "image", "import", stderr=fixture_files.text("k3d/image-import-cluster-not-found.txt"))

    result = invoke("load", "mcp")

    assert result.exit_code == 1
    assert "k3d has no running cluster named 'dev'" in result.stdout


@pytest.mark.parametrize("context_name", ["gke_acme_europe-west1_prod"])
def test_load_into_a_generic_cluster_explains_registries(invoke, built):
    result = invoke("load")

    assert result.exit_code == 2
    assert "push the images to a registry" in result.stdout


def test_load_before_any_build_says_to_build(invoke):
    result = invoke("load")

    assert result.exit_code == 1
    assert "no image of ai-todo, mcp-server has been built yet" in result.stdout


def test_load_with_a_registry_pushes_each_image_and_deploy_then_uses_it(
    invoke, runner, docker_api, deployed, built
):
    scripted.helm(runner)

    result = invoke("load", "--registry", "127.0.0.1:5000")

    assert result.exit_code == 0, result
    assert docker_api.pushed == [
        "127.0.0.1:5000/ai-todo:3f2a9c1b7d4e",
        "127.0.0.1:5000/mcp-server:0a1b2c3d4e5f",
    ]
    assert "127.0.0.1:5000/ai-todo:3f2a9c1b7d4e: pushed (sha256:" in result.stdout
    assert runner.argvs("minikube") == []

    deployed_result = invoke("deploy", "--registry", "127.0.0.1:5000")

    assert deployed_result.exit_code == 0, deployed_result
    [call] = [call for call in runner.calls if call.argv[:2] == ("helm", "upgrade")]
    values = json.loads(call.input)
    assert values["aiTodo"]["image"] == {"repository": "127.0.0.1:5000/ai-todo", "tag": "3f2a9c1b7d4e"}


def test_the_registry_comes_from_the_environment_or_the_project_file(invoke, docker_api, built, monkeypatch):
    monkeypatch.setenv("TODOCTL_REGISTRY", "127.0.0.1:5000/from-env")
    assert invoke("load").exit_code == 0
    monkeypatch.delenv("TODOCTL_REGISTRY")
    Path("todoctl.toml").write_text('registry = "127.0.0.1:5000/from-file"\n')
    assert invoke("load").exit_code == 0

    assert docker_api.pushed[0] == "127.0.0.1:5000/from-env/ai-todo:3f2a9c1b7d4e"
    assert docker_api.pushed[2] == "127.0.0.1:5000/from-file/ai-todo:3f2a9c1b7d4e"


def test_deploy_refuses_images_that_were_built_but_never_pushed(invoke, runner, built):
    scripted.helm(runner)

    result = invoke("deploy", "--registry", "127.0.0.1:5000")

    assert result.exit_code == 1
    assert "the latest ai-todo image is not in 127.0.0.1:5000 yet" in result.stdout
    assert "todoctl load --registry 127.0.0.1:5000" in result.stdout
    assert runner.argvs("helm", "upgrade") == []


def test_a_push_the_registry_refuses_says_why_and_what_to_do(invoke, docker_api, built):
    docker_api.push_failure = {"errorDetail": {"message": "unauthorized: authentication required"}}

    result = invoke("load", "--registry", "registry.example.com/team")

    assert result.exit_code == 1
    assert "pushing registry.example.com/team/ai-todo:3f2a9c1b7d4e failed: unauthorized" in result.stdout
    assert "docker login" in result.stdout


@pytest.mark.parametrize("registry", ["http://127.0.0.1:5000", "127.0.0.1:5000/UPPER", "", "a" * 300])
def test_a_bad_registry_is_refused_before_anything_runs(invoke, docker_api, built, registry):
    result = invoke("load", "--registry", registry)

    assert result.exit_code == 2
    assert docker_api.pushed == []
