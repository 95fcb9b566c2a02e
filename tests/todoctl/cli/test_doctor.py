import json

from tests.support.json_http import serving_json
from tests.support.processes import free_port
from tests.todoctl import fixture_files, scripted
from todoctl import state
from todoctl.adapters.docker import BuiltImage


def test_doctor_reports_every_tool_with_its_version(invoke, runner, cluster):
    scripted.helm(runner, major=4)
    scripted.kubectl(runner)
    scripted.minikube_running(runner)

    result = invoke("doctor")

    assert result.exit_code == 0, result
    assert "Docker Engine 26.1.5" in result.stdout
    assert "kubectl: v1.27.1" in result.stdout
    assert "helm: v4.2.0" in result.stdout
    assert "minikube: v1.26.1" in result.stdout
    assert "2 CPUs, 3890 MB" in result.stdout
    assert "Kubernetes v1.34.0 answers" in result.stdout
    assert ("minikube", "status", "-p", "minikube") in runner.argvs("minikube", "status")


def test_doctor_uses_the_helm_binary_it_is_given(invoke, runner):
    runner.installed.add("/opt/helm-3/bin/helm3")
    runner.on("/opt/helm-3/bin/helm3", "version", stdout=fixture_files.text("helm/v3-version-template.txt"))
    scripted.kubectl(runner)
    scripted.minikube_running(runner)

    result = invoke("--json", "--helm", "/opt/helm-3/bin/helm3", "doctor")

    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    assert checks["helm"]["detail"] == "v3.21.0"
    assert runner.argvs("helm") == []


def registry_checks(invoke, registry: str) -> dict:
    result = invoke("--json", "--provider", "generic", "doctor", "--registry", registry)
    return {check["name"]: check for check in json.loads(result.stdout)["checks"]}


def test_doctor_with_a_registry_checks_it_answers_and_a_node_pulls_from_it(invoke, runner, cluster):
    scripted.helm(runner)
    scripted.kubectl(runner)
    pulled = []
    cluster.pod_outcome = lambda pod: (
        pulled.append(pod["spec"]["containers"][0]["image"]) or {"phase": "Succeeded"}
    )
    with serving_json(lambda request: (200, {})) as url:
        registry = url.removeprefix("http://")
        state.record_built([BuiltImage("ai-todo", "todoctl/ai-todo:3f2a9c1b7d4e", "sha256:6e38", 1, 1)])
        state.record_pushed("ai-todo", f"{registry}/ai-todo:3f2a9c1b7d4e", "sha256:c9c9")

        checks = registry_checks(invoke, registry)

    assert checks["registry"]["detail"] == f"{registry} answers ({url}/v2/, 200)"
    assert checks["registry pull"] == {
        "name": "registry pull",
        "ok": True,
        "detail": f"a node pulled and ran {registry}/ai-todo:3f2a9c1b7d4e",
        "hint": None,
        "required": True,
    }
    assert pulled == [f"{registry}/ai-todo:3f2a9c1b7d4e"]


def test_doctor_tries_no_pull_in_a_namespace_that_does_not_exist_yet(invoke, runner, cluster):
    scripted.helm(runner)
    scripted.kubectl(runner)
    cluster.namespace_exists = False
    with serving_json(lambda request: (200, {})) as url:
        registry = url.removeprefix("http://")
        state.record_built([BuiltImage("ai-todo", "todoctl/ai-todo:3f2a9c1b7d4e", "sha256:6e38", 1, 1)])
        state.record_pushed("ai-todo", f"{registry}/ai-todo:3f2a9c1b7d4e", "sha256:c9c9")

        checks = registry_checks(invoke, registry)

    assert not checks["registry pull"]["required"]
    assert (
        checks["registry pull"]["detail"]
        == "namespace default does not exist yet, so no pod can try pulling in it"
    )
    assert cluster.objects["pods"] == []


def test_doctor_says_when_nothing_was_pushed_yet(invoke, runner, cluster):
    scripted.helm(runner)
    scripted.kubectl(runner)
    with serving_json(lambda request: (401, {"errors": [{"code": "UNAUTHORIZED"}]})) as url:
        checks = registry_checks(invoke, url.removeprefix("http://"))

    assert checks["registry"]["ok"]
    assert not checks["registry pull"]["ok"]
    assert not checks["registry pull"]["required"]
    assert "nothing pushed to" in checks["registry pull"]["detail"]


def test_doctor_reports_a_registry_that_does_not_answer(invoke, runner, cluster):
    scripted.helm(runner)
    scripted.kubectl(runner)

    result = invoke("--provider", "generic", "doctor", "--registry", f"127.0.0.1:{free_port()}")

    assert result.exit_code == 1
    assert "does not answer at http://127.0.0.1:" in result.stdout
    assert "insecure-registries" in result.stdout


def test_doctor_says_how_to_start_a_stopped_minikube(invoke, runner):
    scripted.helm(runner)
    scripted.kubectl(runner)
    scripted.minikube_stopped(runner)

    result = invoke("doctor")

    assert result.exit_code == 1
    assert "minikube cluster 'minikube' is not running" in result.stdout
    assert "minikube start --memory 4096 --cpus 2" in result.stdout
    assert "Traceback" not in result.output


def test_doctor_explains_a_missing_minikube_profile(invoke, runner):
    scripted.helm(runner)
    scripted.kubectl(runner)
    scripted.minikube_running(runner)
    runner.on(
        "minikube", "status", stderr=fixture_files.text("minikube/profile-not-found-emoji.txt"), returncode=85
    )

    result = invoke("doctor")

    assert result.exit_code == 1
    assert "minikube has no cluster named 'minikube'" in result.stdout


def test_doctor_names_the_missing_tool_and_where_to_get_it(invoke, runner):
    runner.installed.discard("helm")
    scripted.kubectl(runner)
    scripted.minikube_running(runner)

    result = invoke("doctor")

    assert result.exit_code == 1
    assert "helm is not installed or not on PATH" in result.stdout
    assert "https://helm.sh/docs/intro/install/" in result.output


def test_doctor_reports_an_unreachable_api_server(invoke, runner, cluster):
    scripted.helm(runner)
    scripted.kubectl(runner)
    scripted.minikube_running(runner)
    cluster.unreachable = True

    result = invoke("doctor")

    assert result.exit_code == 1
    assert "the API server does not answer" in result.stdout


def test_a_failed_doctor_in_json_mode_is_one_document(invoke, runner):
    scripted.helm(runner)
    scripted.kubectl(runner)
    scripted.minikube_stopped(runner)

    result = invoke("--json", "doctor")

    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["ok"] is False
    failed = [check for check in document["checks"] if not check["ok"]]
    assert [check["name"] for check in failed] == ["cluster"]
    assert failed[0]["hint"] == "start it with: minikube start --memory 4096 --cpus 2"


def test_doctor_without_a_kube_context_still_checks_the_tools(invoke, runner, boundary):
    scripted.helm(runner)
    scripted.kubectl(runner)
    boundary.kube_contexts = lambda: ([], None)

    result = invoke("doctor")

    assert result.exit_code == 1
    assert "✓ helm: v3.21.0" in result.stdout
    assert "✗ context: there is no current kube context" in result.stdout
    assert runner.argvs("helm", "version") == [("helm", "version", "--template", "{{ .Version }}")]


def test_doctor_names_the_helm_version_found_and_the_one_needed(invoke, runner):
    scripted.helm(runner, version="v3.6.3")
    scripted.kubectl(runner)
    scripted.minikube_running(runner)

    result = invoke("doctor")

    assert result.exit_code == 1
    assert "helm: helm is Helm v3.6.3; todoctl needs Helm v3.7.0 or newer" in result.stdout
    assert "helm uninstall --wait" in result.stdout
