import json
import tarfile
from pathlib import Path

import pytest

from tests.todoctl import fixture_files, scripted
from tests.todoctl.fake_runner import Answer
from todoctl import state
from todoctl.adapters.docker import BuiltImage

AI_TODO = BuiltImage(
    "ai-todo", "todoctl/ai-todo:3f2a9c1b7d4e", "sha256:6e38f40d628db0123456789abcdef", 150_000_000, 1
)
MCP = BuiltImage(
    "mcp-server", "todoctl/mcp-server:0a1b2c3d4e5f", "sha256:bf7671f98757c0123456789abcdef", 120_000_000, 1
)


@pytest.fixture
def built() -> None:
    state.record_built([AI_TODO, MCP])


def in_docker(docker_api, store: str = "classic") -> dict[str, str]:
    """Both images in the local engine and recorded as built; image -> config digest."""
    digests = {}
    records = []
    for record in (AI_TODO, MCP):
        image_id, digests[record.image] = docker_api.add_image(record.image, store=store)
        records.append(BuiltImage(record.service, record.image, image_id, record.size_bytes, 1))
    state.record_built(records)
    return digests


def loads_archives(loaded: list[dict]):
    """`minikube image load FILE`: records what the archive it was given holds."""

    def load(argv: tuple[str, ...]) -> Answer:
        with tarfile.open(argv[3]) as archive:
            [entry] = json.load(archive.extractfile("manifest.json"))
        loaded.append({"tags": entry["RepoTags"], "profile": argv[argv.index("-p") + 1]})
        return Answer()

    return load


@pytest.mark.parametrize("store", ["classic", "containerd"])
@pytest.mark.parametrize("runtime", ["docker", "containerd", "crio"])
def test_load_into_minikube_checks_each_image_arrived_whatever_the_setup(
    invoke, runner, docker_api, runtime, store
):
    # Docker's containerd image store shows a manifest digest as the image's Id, and minikube's
    # runtimes list config digests (crictl with `sha256:`): only config digests compare
    digests = in_docker(docker_api, store)
    loaded: list[dict] = []
    runner.on_call("minikube", "image", "load", answer=loads_archives(loaded))
    runner.on("minikube", "image", "ls", stdout=scripted.minikube_image_list(runtime, digests))

    result = invoke("load")

    assert result.exit_code == 0, result
    assert loaded == [
        {"tags": [AI_TODO.image], "profile": "minikube"},
        {"tags": [MCP.image], "profile": "minikube"},
    ]
    assert runner.argvs("minikube", "image", "ls")[0] == (
        "minikube",
        "image",
        "ls",
        "--format",
        "json",
        "-p",
        "minikube",
    )
    assert "loaded into minikube profile minikube" in result.stdout
    assert not list(Path(runner.argvs("minikube", "image", "load")[0][3]).parent.glob("*"))


def test_load_detects_the_stale_image_minikube_keeps(invoke, runner, docker_api):
    digests = in_docker(docker_api)
    older = "sha256:c42f13656d0b2e5a7e4e8c0b8c4f3c5b5d1d6f0e9a8b7c6d5e4f3a2b1c0d9e8f"
    runner.on("minikube", "image", "load")
    runner.on(
        "minikube",
        "image",
        "ls",
        stdout=scripted.minikube_image_list("docker", {**digests, AI_TODO.image: older}),
    )

    result = invoke("load", "ai-todo")

    assert result.exit_code == 1
    assert "minikube kept an older image under todoctl/ai-todo:3f2a9c1b7d4e (c42f13656d0b" in result.stdout
    assert "minikube image rm todoctl/ai-todo:3f2a9c1b7d4e -p minikube" in result.stdout


def test_one_stale_node_is_enough_to_fail(invoke, runner, docker_api):
    # minikube merges the nodes' lists by id: a node with another image adds an entry of the same tag
    digests = in_docker(docker_api)
    stale = json.loads(scripted.minikube_image_list("containerd", {AI_TODO.image: "sha256:" + "ab" * 32}))
    listing = json.loads(scripted.minikube_image_list("containerd", digests)) + stale[-1:]
    runner.on("minikube", "image", "load")
    runner.on("minikube", "image", "ls", stdout=json.dumps(listing))

    result = invoke("load", "ai-todo")

    assert result.exit_code == 1
    assert "minikube kept an older image under todoctl/ai-todo:3f2a9c1b7d4e" in result.stdout


def test_load_notices_an_image_that_never_arrived(invoke, runner, docker_api):
    # `minikube image load` can exit 0 without loading anything (kubernetes/minikube#21393)
    in_docker(docker_api)
    runner.on("minikube", "image", "load")
    runner.on("minikube", "image", "ls", stdout=fixture_files.text("minikube/image-ls-json-docker.json"))

    result = invoke("load", "ai-todo")

    assert result.exit_code == 1
    assert "todoctl/ai-todo:3f2a9c1b7d4e is not in minikube after `minikube image load`" in result.stdout


def test_an_image_docker_no_longer_has_is_a_clear_error(invoke, runner, built):
    result = invoke("load", "ai-todo")

    assert result.exit_code == 1
    assert "Docker could not export todoctl/ai-todo:3f2a9c1b7d4e" in result.stdout
    assert "todoctl build" in result.stdout
    assert runner.argvs("minikube") == []


def test_load_reports_minikubes_own_load_error(invoke, runner, docker_api):
    in_docker(docker_api)
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


@pytest.mark.parametrize("context_name", ["todo"])
def test_a_context_of_a_minikube_profile_loads_into_that_profile(invoke, runner, docker_api):
    # `minikube start -p todo` names its kube context `todo`
    digests = in_docker(docker_api)
    profiles = fixture_files.document("minikube/profile-list-trimmed.json")
    profiles["valid"][0]["Name"] = "todo"
    runner.on("minikube", "profile", "list", stdout=json.dumps(profiles))
    loaded: list[dict] = []
    runner.on_call("minikube", "image", "load", answer=loads_archives(loaded))
    runner.on("minikube", "image", "ls", stdout=scripted.minikube_image_list("docker", digests))

    result = invoke("load")

    assert result.exit_code == 0, result
    assert [item["profile"] for item in loaded] == ["todo", "todo"]
    assert "loaded into minikube profile todo" in result.stdout


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
    # k3d forces colours on its log lines (cmd/root.go), INFO on stdout
    runner.on("k3d", "image", "import", stdout=fixture_files.text("k3d/image-import-v5-colour.stdout.txt"))

    result = invoke("load", "mcp")

    assert result.exit_code == 0, result
    assert runner.argvs("k3d")[0] == ("k3d", "image", "import", MCP.image, "-c", "dev")
    assert "imported into k3d cluster dev" in result.stdout


@pytest.mark.parametrize("context_name", ["k3d-dev"])
def test_a_failed_import_into_a_node_fails_even_though_k3d_exits_0(invoke, runner, built):
    # k3d v5 logs a node's failed import as ERRO and still exits 0 (k3d-io/k3d#1072, #1484)
    runner.on(
        "k3d",
        "image",
        "import",
        stdout=fixture_files.text("k3d/image-import-v5-node-failed-colour.stdout.txt"),
        stderr=fixture_files.text("k3d/image-import-v5-node-failed-colour.stderr.txt"),
    )

    result = invoke("load", "mcp")

    assert result.exit_code == 1
    assert "k3d could not import the image: failed to import images in node" in result.stdout
    assert "\x1b" not in result.stdout


@pytest.mark.parametrize("context_name", ["k3d-dev"])
@pytest.mark.parametrize(
    "stderr",
    [
        fixture_files.text("k3d/image-import-v5-no-cluster-colour.stderr.txt"),
        # v3.2 to v4: an ERRO line per failure, a WARN, then exit 1 (k3d-io/k3d#424)
        fixture_files.text("k3d/image-import-cluster-not-found.txt"),
    ],
)
def test_load_into_a_missing_k3d_cluster_says_how_to_create_it(invoke, runner, built, stderr):
    runner.on("k3d", "image", "import", stderr=stderr, returncode=1)

    result = invoke("load", "mcp")

    assert result.exit_code == 1
    assert "k3d has no running cluster named 'dev'" in result.stdout
    assert "k3d cluster create dev" in result.stdout


@pytest.mark.parametrize("context_name", ["gke_acme_europe-west1_prod"])
def test_load_into_a_generic_cluster_explains_registries(invoke, runner, built):
    scripted.minikube_running(runner)  # minikube is there, but has no profile of that name

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
