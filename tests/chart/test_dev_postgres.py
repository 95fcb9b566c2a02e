"""The development PostgreSQL: off by default, clearly not for production, nothing persistent, and
wired into DATABASE_URL by itself."""

from urllib.parse import urlsplit

from tests.chart.fake_kube_api import kube_api_with_secrets, render_against_cluster
from tests.chart.rendering import parse, pod_spec, render

DEV = {"devPostgres": {"enabled": True}}


def test_off_by_default() -> None:
    rendered = render()

    assert [
        m
        for m in rendered.manifests
        if m["metadata"]["labels"].get("app.kubernetes.io/component") == "dev-postgres"
    ] == []
    assert "DATABASE_URL" not in rendered.secret_data("todo-secret")


def test_says_it_is_not_for_production() -> None:
    rendered = render(DEV)

    assert "NOT FOR PRODUCTION" in rendered.texts["todo/templates/dev-postgres-deployment.yaml"]
    assert "NOT FOR PRODUCTION" in rendered.notes


def test_keeps_its_data_in_the_pod_only() -> None:
    deployment = render(DEV).get("Deployment", "todo-dev-postgres")
    spec = pod_spec(deployment)
    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    mounts = {mount["mountPath"]: mount["name"] for mount in spec["containers"][0]["volumeMounts"]}

    assert deployment["spec"]["replicas"] == 1
    # Never two pods at once: each would be a separate, empty database.
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    assert "emptyDir" in volumes[mounts["/var/lib/postgresql/data"]]
    env = {variable["name"]: variable.get("value") for variable in spec["containers"][0]["env"]}
    assert env["PGDATA"].startswith("/var/lib/postgresql/data/")


def test_runs_as_the_images_postgres_user_with_writable_dirs_on_a_read_only_root() -> None:
    spec = pod_spec(render(DEV).get("Deployment", "todo-dev-postgres"))
    container = spec["containers"][0]

    assert spec["securityContext"]["runAsUser"] == spec["securityContext"]["fsGroup"] == 999
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    mounted = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert {"/var/lib/postgresql/data", "/var/run/postgresql", "/tmp"} <= mounted  # noqa: S108 - a mount path


def test_database_url_points_at_it_with_its_own_password() -> None:
    rendered = render(DEV)
    spec = pod_spec(rendered.get("Deployment", "todo-dev-postgres"))
    env = rendered.environment(spec, "postgres")
    service = rendered.get("Service", "todo-dev-postgres")

    url = urlsplit(rendered.secret_data("todo-secret")["DATABASE_URL"])

    assert url.scheme == "postgresql+psycopg"
    assert (url.hostname, url.port) == ("todo-dev-postgres", service["spec"]["ports"][0]["port"])
    assert (url.username, url.password) == (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"])
    assert url.path == f"/{env['POSTGRES_DB']}"
    assert len(env["POSTGRES_PASSWORD"]) >= 32


def test_its_service_reaches_the_postgres_port() -> None:
    rendered = render(DEV)
    container = pod_spec(rendered.get("Deployment", "todo-dev-postgres"))["containers"][0]
    port = rendered.get("Service", "todo-dev-postgres")["spec"]["ports"][0]

    assert port["targetPort"] == container["ports"][0]["name"]
    assert container["ports"][0]["containerPort"] == port["port"] == 5432


def test_its_password_survives_an_upgrade() -> None:
    stored = {("apps", "todo-dev-postgres"): {"POSTGRES_PASSWORD": "password-from-install"}}
    with kube_api_with_secrets(stored) as kubeconfig:
        upgraded = parse(render_against_cluster(kubeconfig, DEV, release="todo", namespace="apps"))

    assert upgraded.secret_data("todo-dev-postgres") == {"POSTGRES_PASSWORD": "password-from-install"}
    assert urlsplit(upgraded.secret_data("todo-secret")["DATABASE_URL"]).password == "password-from-install"
