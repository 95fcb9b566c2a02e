"""`todoctl doctor`: is everything here that a deploy needs, and if not, the exact fix."""

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from todoctl import state
from todoctl.adapters import providers, registry
from todoctl.adapters.helm import Helm, check_supported
from todoctl.adapters.kube import Kube
from todoctl.adapters.runner import Runner
from todoctl.environment import Environment
from todoctl.errors import TodoctlError
from todoctl.parsers.versions import kubectl_client_version
from todoctl.pull_check import check_pull


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


def diagnose_environment(env: Environment, *, pull_check: bool = True) -> list[Check]:
    """`pull_check=False` skips having a node pull from the registry: `up` is about to push newer
    images and its rollout explains any pull that fails."""
    checks = [_check("docker", lambda: _docker(env.docker()))]
    checks.append(_check("kubectl", lambda: _kubectl(env.runner)))
    checks.append(_check("helm", lambda: _helm(env.local_helm())))
    context = _check("context", lambda: f"{env.context()} (provider: {env.provider().kind})")
    checks.append(context)
    if not context.ok:
        return checks
    provider = env.provider()
    if provider.tool is not None:
        tool = provider.tool
        checks.append(_check(tool, lambda: str(providers.tool_version(env.runner, provider))))
        checks.append(_check("cluster", lambda: _running(env.runner, provider)))
    if provider.kind == "minikube":
        checks.append(_minikube_resources(env.runner, provider))
    api = _check("api server", lambda: f"Kubernetes {env.kube().server_version()} answers")
    checks.append(api)
    target = env.registry
    if target is not None:
        answers = _check("registry", lambda: registry.ping(target, env.docker().info()))
        checks.append(answers)
        if answers.ok and api.ok and pull_check:
            checks.append(_registry_pull(env.kube(), env.namespace, target))
    return checks


def failures(checks: list[Check]) -> list[Check]:
    return [check for check in checks if not check.ok and check.required]


def _check(name: str, probe: Callable[[], str]) -> Check:
    try:
        return Check(name, True, probe())
    except TodoctlError as error:
        return Check(name, False, error.message, error.hint)


def _docker(docker: Any) -> str:
    version = docker.version()
    return f"Docker Engine {version.get('Version', '?')} (API {version.get('ApiVersion', '?')})"


def _kubectl(runner: Runner) -> str:
    completed = runner.run(["kubectl", "version", "--client", "-o", "json"])
    try:
        return str(kubectl_client_version(completed.stdout))
    except ValueError as error:
        raise TodoctlError(str(error)) from None


def _helm(helm: Helm) -> str:
    # no kube context here: the version of helm needs none, and the context is checked on its own
    check_supported(helm.version, helm.command.executable)
    return str(helm.version)


def _registry_pull(kube: Kube, namespace: str, target: registry.Registry) -> Check:
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
    if not kube.namespace_exists():
        return Check(
            "registry pull",
            False,
            f"namespace {namespace} does not exist yet, so no pod can try pulling in it",
            hint="the first deploy creates it; then run doctor again",
            required=False,
        )
    try:
        problem = check_pull(kube, image)
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


def _running(runner: Runner, provider: providers.Provider) -> str:
    providers.ensure_running(runner, provider)
    return f"{provider.kind} cluster {provider.cluster!r} is running"


def _minikube_resources(runner: Runner, provider: providers.Provider) -> Check:
    try:
        found = providers.minikube_resources(runner, provider)
    except TodoctlError as error:
        return Check("resources", False, error.message, error.hint, required=False)
    if found is None:
        return Check("resources", False, f"no minikube profile {provider.cluster!r}", required=False)
    detail = f"{found.cpus} CPUs, {found.memory_mb} MB"
    if found.warning:
        return Check(
            "resources",
            False,
            found.warning,
            hint=f"minikube delete -p {provider.cluster} && {providers.start_hint(provider)}",
            required=False,
        )
    return Check("resources", True, detail, required=False)
