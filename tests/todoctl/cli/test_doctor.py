import json

from tests.todoctl import fixture_files, scripted


def test_doctor_reports_every_tool_with_its_version(invoke, runner, cluster):
    scripted.helm(runner, major=4)
    scripted.kubectl(runner)
    scripted.minikube_running(runner)

    result = invoke("doctor")

    assert result.exit_code == 0, result
    assert "Docker Engine 26.1.5" in result.stdout
    assert "kubectl: v1.27.1" in result.stdout
    assert "✓ helm: v4.2.0\n" in result.stdout
    assert "minikube: v1.26.1" in result.stdout
    assert "2 CPUs, 3890 MB" in result.stdout
    assert "Kubernetes v1.34.0 answers" in result.stdout
    assert ("minikube", "status", "-p", "minikube") in runner.argvs("minikube", "status")


def test_doctor_with_helm_3(invoke, runner):
    scripted.helm(runner, major=3)
    scripted.kubectl(runner)
    scripted.minikube_running(runner)

    result = invoke("--json", "doctor")

    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    assert (checks["helm"]["ok"], checks["helm"]["detail"]) == (True, "v3.21.0")


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
