"""`todoctl doctor`: is everything here that a deploy needs, and if not, the exact fix."""

from collections.abc import Callable
from dataclasses import asdict, dataclass

from todoctl import state
from todoctl.adapters import providers, registry
from todoctl.adapters.helm import check_supported
from todoctl.errors import TodoctlError
from todoctl.parsers.versions import kubectl_client_version
from todoctl.pull_check import check_pull
from todoctl.session import Session


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    hint: str | None = None
    # a failed optional check is a warning: the deploy can still work
    required: bool = True

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def diagnose_environment(session: Session, *, pull_check: bool = True) -> list[Check]:
    """`pull_check=False` skips having a node pull from the registry: `up` is about to push newer
    images and its rollout explains any pull that fails."""
    checks = [_check("docker", lambda: _docker(session))]
    checks.append(_check("kubectl", lambda: _kubectl(session)))
    checks.append(_check("helm", lambda: _helm(session)))
    context = _check("context", lambda: f"{session.context} (provider: {session.provider.kind})")
    checks.append(context)
    if not context.ok:
        return checks
    provider = session.provider
    if provider.tool is not None:
        tool = provider.tool
        checks.append(_check(tool, lambda: str(providers.tool_version(session.runner, provider))))
        checks.append(_check("cluster", lambda: _running(session)))
    if provider.kind == "minikube":
        checks.append(_minikube_resources(session))
    api = _check("api server", lambda: f"Kubernetes {session.kube.server_version()} answers")
    checks.append(api)
    target = session.registry
    if target is not None:
        answers = _check("registry", lambda: registry.ping(target, session.docker.info()))
        checks.append(answers)
        if answers.ok and api.ok and pull_check:
            checks.append(_registry_pull(session, target))
    return checks


def failures(checks: list[Check]) -> list[Check]:
    return [check for check in checks if not check.ok and check.required]


def _check(name: str, probe: Callable[[], str]) -> Check:
    try:
        return Check(name, True, probe())
    except TodoctlError as error:
        return Check(name, False, error.message, error.hint)


def _docker(session: Session) -> str:
    version = session.docker.version()
    return f"Docker Engine {version.get('Version', '?')} (API {version.get('ApiVersion', '?')})"


def _kubectl(session: Session) -> str:
    completed = session.runner.run(["kubectl", "version", "--client", "-o", "json"])
    try:
        return str(kubectl_client_version(completed.stdout))
    except ValueError as error:
        raise TodoctlError(str(error)) from None


def _helm(session: Session) -> str:
    # no kube context here: the version of helm needs none, and the context is checked on its own
    helm = session.local_helm
    check_supported(helm.version, session.settings.helm)
    return str(helm.version)


def _registry_pull(session: Session, target: registry.Registry) -> Check:
    """A node pulls and runs the newest image pushed there; before any push there is nothing to try."""
    try:
        image = next(iter(state.deployable_images(target, ["ai-todo"]).values()), None)
    except TodoctlError:
        image = None
    if image is None:
        return Check(
            "registry pull",
            False,
            f"nothing pushed to {target} yet, so whether the cluster can pull from it is not known",
            hint=f"`todoctl load --registry {target}` pushes the images; then run doctor again",
            required=False,
        )
    namespace = session.settings.namespace
    if not session.kube.namespace_exists():
        return Check(
            "registry pull",
            False,
            f"namespace {namespace} does not exist yet, so no pod can try pulling in it",
            hint="the first deploy creates it; then run doctor again",
            required=False,
        )
    try:
        problem = check_pull(session.kube, image)
    except TodoctlError as error:
        return Check("registry pull", False, error.message, error.hint)
    if problem is not None:
        return Check(
            "registry pull",
            False,
            f"a node could not pull {image}: {problem}",
            hint="make the nodes' container runtime reach and trust the registry (for a plain-HTTP "
            "registry, containerd needs a hosts.toml with an http:// server, Docker an "
            "insecure-registries entry), or use an address the nodes can resolve",
        )
    return Check("registry pull", True, f"a node pulled and ran {image}")


def _running(session: Session) -> str:
    providers.ensure_running(session.runner, session.provider)
    return f"{session.provider.kind} cluster {session.provider.cluster!r} is running"


def _minikube_resources(session: Session) -> Check:
    try:
        found = providers.minikube_resources(session.runner, session.provider)
    except TodoctlError as error:
        return Check("resources", False, error.message, error.hint, required=False)
    if found is None:
        return Check("resources", False, f"no minikube profile {session.provider.cluster!r}", required=False)
    detail = f"{found.cpus} CPUs, {found.memory_mb} MB"
    if found.warning:
        return Check(
            "resources",
            False,
            found.warning,
            hint=f"minikube delete -p {session.provider.cluster} && {providers.start_hint(session.provider)}",
            required=False,
        )
    return Check("resources", True, detail, required=False)
