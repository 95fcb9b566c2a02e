import pytest

from tests.todoctl import fixture_files, scripted
from todoctl.errors import ClusterNotRunning, ConfigError
from todoctl.providers import (
    ClusterResources,
    Provider,
    detect,
    ensure_running,
    minikube_resources,
    parse_image_table,
)


@pytest.mark.parametrize(
    ("context", "provider"),
    [
        ("minikube", Provider("minikube", "minikube")),
        ("kind-todo", Provider("kind", "todo")),
        ("k3d-k3s-default", Provider("k3d", "k3s-default")),
        ("docker-desktop", Provider("generic", "docker-desktop")),
        (
            fixture_files.text("kubectl/config-current-context.txt").strip(),
            Provider("generic", "docker-desktop"),
        ),
    ],
)
def test_the_provider_comes_from_the_context_name(context, provider):
    assert detect(context) == provider


def test_a_provider_can_be_forced_for_a_renamed_context():
    assert detect("dev-laptop", "minikube") == Provider("minikube", "dev-laptop")
    assert detect("kind-todo", "kind") == Provider("kind", "todo")


def test_an_unknown_provider_is_refused():
    with pytest.raises(ConfigError, match="unknown provider 'microk8s'"):
        detect("microk8s", "microk8s")


def test_image_tables_of_minikube_1_34():
    rows = parse_image_table(fixture_files.text("minikube/image-ls-table-v1.34-trimmed.txt"))

    assert rows[0] == {
        "image": "gcr.io/k8s-minikube/storage-provisioner",
        "tag": "v5",
        "image id": "6e38f40d628db",
        "size": "31.5MB",
    }
    assert len(rows) == 5


def test_box_drawing_tables_of_minikube_1_37():
    [row] = parse_image_table(fixture_files.text("minikube/profile-list-table-v1.37-stopped.txt"))

    assert (row["profile"], row["status"], row["nodes"]) == ("minikube", "Stopped", "1")


def test_minikube_resources_from_its_profile_list(runner):
    scripted.minikube_running(runner)

    assert minikube_resources(runner, Provider("minikube", "minikube")) == ClusterResources(
        cpus=2, memory_mb=3890
    )
    assert minikube_resources(runner, Provider("minikube", "other")) is None


def test_too_small_a_minikube_gets_a_warning():
    assert ClusterResources(cpus=2, memory_mb=3890).warning is None
    assert "the chart wants at least 2 and 3072" in ClusterResources(cpus=1, memory_mb=2048).warning


def test_a_missing_kind_cluster_says_how_to_create_it(runner):
    runner.on("kind", "get", "clusters", stdout=fixture_files.text("kind/get-clusters.txt"))

    with pytest.raises(ClusterNotRunning, match="kind has no cluster named 'todo'") as raised:
        ensure_running(runner, Provider("kind", "todo"))
    assert raised.value.hint == "create it with: kind create cluster --name todo"
    ensure_running(runner, Provider("kind", "halkyon"))


def test_no_kind_clusters_at_all(runner):
    runner.on("kind", "get", "clusters", stderr=fixture_files.text("kind/get-clusters-none.stderr.txt"))

    with pytest.raises(ClusterNotRunning):
        ensure_running(runner, Provider("kind", "kind"))
