"""The `helm test` pod: the chat check, pointed at this release's Services and Secret."""

from tests.chart.rendering import CHART_DIR, pod_spec, render
from tests.chart.scenarios import SCENARIOS


def test_is_a_helm_test_hook_that_runs_the_chat_check_in_the_ai_todo_image() -> None:
    rendered = render()
    pod = rendered.get("Pod", "todo-chat-test")
    container = pod_spec(pod)["containers"][0]
    ai_todo = pod_spec(rendered.component("Deployment", "ai-todo"))["containers"][0]

    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert pod["spec"]["restartPolicy"] == "Never"
    assert container["image"] == ai_todo["image"]
    assert container["command"][:2] == ["python3", "-c"]
    assert container["command"][2] == (CHART_DIR / "files" / "chat_check.py").read_text()


def test_talks_to_this_releases_services_with_its_secret() -> None:
    rendered = render(release="staging")
    container = pod_spec(rendered.get("Pod", "staging-todo-chat-test"))["containers"][0]
    env = {variable["name"]: variable for variable in container["env"]}
    ai_todo = pod_spec(rendered.component("Deployment", "ai-todo"))["containers"][0]

    assert env["CHAT_URL"]["value"] == "http://staging-ai-todo-service:8000"
    assert env["MCP_URL"]["value"] == "http://staging-mcp-server:8001"
    secret_ref = env["AUTH_JWT_SECRET"]["valueFrom"]["secretKeyRef"]
    assert {"secretRef": {"name": secret_ref["name"]}} in ai_todo["envFrom"]
    # Optional: with only a JWKS there is no secret, and the check stops at readiness.
    assert secret_ref["optional"] is True


def test_mints_tokens_the_chat_service_accepts() -> None:
    container = pod_spec(SCENARIOS["everything-set"].render().get("Pod", "todo-chat-test"))["containers"][0]
    env = {variable["name"]: variable.get("value") for variable in container["env"]}

    assert env["AUTH_ISSUER"] == "todo-issuer"
    assert env["AUTH_AUDIENCE"] == "todo-audience"
    assert env["CHAT_URL"] == "http://ai-todo-service:80"
