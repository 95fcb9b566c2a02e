from tests.todoctl import fixture_files
from todoctl.pull_check import check_pull

IMAGE = "127.0.0.1:5000/ai-todo:3f2a9c1b7d4e"


def test_a_node_that_pulls_and_runs_the_image_passes_and_the_pod_is_removed(cluster):
    kube = cluster.kube()

    assert check_pull(kube, IMAGE, clock=kube.clock, sleep=kube.sleep) is None
    [created] = cluster.deleted
    assert created.startswith("todoctl-pull-check-")
    assert all(pod["metadata"].get("deletionTimestamp") for pod in cluster.objects["pods"])  # Terminating


def test_the_pod_is_locked_down_and_pulls_every_time(cluster):
    created = []
    cluster.pod_outcome = lambda pod: created.append(pod) or {"phase": "Succeeded"}
    kube = cluster.kube()

    check_pull(kube, IMAGE, clock=kube.clock, sleep=kube.sleep)

    [pod] = created
    [container] = pod["spec"]["containers"]
    assert container["image"] == IMAGE
    assert container["imagePullPolicy"] == "Always"
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    assert pod["spec"]["restartPolicy"] == "Never"


def test_a_node_that_cannot_pull_says_what_the_kubelet_said(cluster):
    waiting = fixture_files.document("kubectl/containerstatus-errimageneverpull.json")
    cluster.pod_outcome = lambda pod: {"phase": "Pending", "containerStatuses": [{**waiting, "name": "pull"}]}
    kube = cluster.kube()

    problem = check_pull(kube, IMAGE, clock=kube.clock, sleep=kube.sleep)

    assert problem is not None
    assert problem.startswith("ErrImageNeverPull: Container image")
    assert all(pod["metadata"].get("deletionTimestamp") for pod in cluster.objects["pods"])  # Terminating


def test_a_pod_that_never_runs_times_out(cluster):
    cluster.pod_outcome = lambda pod: {"phase": "Pending"}
    kube = cluster.kube()

    problem = check_pull(kube, IMAGE, timeout=30, clock=kube.clock, sleep=kube.sleep)

    assert problem == "no node had pulled and run it after 30s"
