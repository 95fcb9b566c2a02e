"""Local clusters: which one a kube context belongs to, whether it runs, and loading images into it.

minikube names a context after its profile (`minikube`, or `todo` after `minikube start -p todo`),
kind `kind-<cluster>` and k3d `k3d-<cluster>`; any other context is "generic" and pulls its images
from a registry.
"""

import json
import re
import tempfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from todoctl.adapters.runner import Runner
from todoctl.errors import ClusterNotRunning, ConfigError, ImageLoadFailed, TodoctlError
from todoctl.parsers.tool_errors import MINIKUBE_START, classify, strip_colours
from todoctl.parsers.versions import Version, first_line_version, minikube_version

Kind = Literal["minikube", "kind", "k3d", "generic"]
KINDS: tuple[Kind, ...] = ("minikube", "kind", "k3d", "generic")
LOAD_TIMEOUT_SECONDS = 600
# What the chart's pods ask for with a little room to spare; below this, scheduling fails.
MIN_CPUS = 2
MIN_MEMORY_MB = 3072


@dataclass(frozen=True)
class Provider:
    kind: Kind
    cluster: str

    @property
    def tool(self) -> str | None:
        return None if self.kind == "generic" else self.kind


@dataclass(frozen=True)
class ClusterResources:
    cpus: int
    memory_mb: int

    @property
    def warning(self) -> str | None:
        if self.cpus >= MIN_CPUS and self.memory_mb >= MIN_MEMORY_MB:
            return None
        return (
            f"minikube has {self.cpus} CPUs and {self.memory_mb} MB; "
            f"the chart wants at least {MIN_CPUS} and {MIN_MEMORY_MB}"
        )


def detect(
    context: str | None,
    override: str | None = None,
    minikube_profiles: Callable[[], Collection[str]] = tuple,
) -> Provider:
    """`minikube_profiles` is asked only about a context no name rule claims."""
    context = context or ""
    if override:
        if override not in KINDS:
            raise ConfigError(f"unknown provider {override!r}", hint=f"use one of: {', '.join(KINDS)}")
        prefix = f"{override}-"
        cluster = context.removeprefix(prefix) if override in {"kind", "k3d"} else context
        return Provider(override, cluster or _DEFAULT_CLUSTER[override])  # type: ignore[arg-type]
    if context == "minikube":
        return Provider("minikube", context)
    if context.startswith("kind-"):
        return Provider("kind", context.removeprefix("kind-"))
    if context.startswith("k3d-"):
        return Provider("k3d", context.removeprefix("k3d-"))
    if context and context in minikube_profiles():
        return Provider("minikube", context)
    return Provider("generic", context)


_DEFAULT_CLUSTER = {"minikube": "minikube", "kind": "kind", "k3d": "k3s-default", "generic": ""}


def tool_version(runner: Runner, provider: Provider) -> Version | None:
    if provider.kind == "minikube":
        return minikube_version(runner.run(["minikube", "version", "-o", "json"]).stdout)
    if provider.kind in {"kind", "k3d"}:
        return first_line_version(runner.run([provider.kind, "version"]).stdout)
    return None


def ensure_running(runner: Runner, provider: Provider) -> None:
    """Raises ClusterNotRunning (with the exact start command) when the local cluster is down."""
    if provider.kind == "minikube":
        # `minikube status` exits 7 when stopped and 85 without the profile; classify reads both.
        completed = runner.run(["minikube", "status", "-p", provider.cluster], check=False)
        if completed.returncode != 0 or re.search(r": (Stopped|Paused)", completed.stdout):
            raise classify(completed.argv, completed.returncode, completed.stdout, completed.stderr)
    elif provider.kind == "kind":
        # kind prints cluster names on stdout and "No kind clusters found." on stderr, exit 0.
        completed = runner.run(["kind", "get", "clusters"])
        if provider.cluster not in completed.stdout.split():
            raise ClusterNotRunning(
                f"kind has no cluster named {provider.cluster!r}",
                hint=f"create it with: {start_hint(provider)}",
                argv=completed.argv,
            )


def minikube_profiles(runner: Runner) -> list[str]:
    """The names of minikube's valid profiles; none when minikube is not installed or says nothing
    usable. `--light` skips asking each cluster for its status, which takes seconds."""
    if runner.which("minikube") is None:
        return []
    completed = runner.run(["minikube", "profile", "list", "-o", "json", "--light"], check=False)
    try:
        document = _profile_list(completed.stdout)
    except TodoctlError:
        return []
    return [str(profile.get("Name")) for profile in document.get("valid") or [] if isinstance(profile, dict)]


def _profile_list(output: str) -> dict[str, Any]:
    try:
        document = json.loads(output)
    except json.JSONDecodeError:
        document = None
    if not isinstance(document, dict):
        raise TodoctlError(f"`minikube profile list -o json` printed no JSON object: {output.strip()[:120]}")
    return document


def minikube_resources(runner: Runner, provider: Provider) -> ClusterResources | None:
    document = _profile_list(runner.run(["minikube", "profile", "list", "-o", "json"]).stdout)
    for profile in document.get("valid") or []:
        if profile.get("Name") == provider.cluster:
            settings = profile.get("Config") or {}
            return ClusterResources(
                cpus=int(settings.get("CPUs", 0)), memory_mb=int(settings.get("Memory", 0))
            )
    return None


def load_image(runner: Runner, provider: Provider, image: str, *, save: Callable[[Path], str]) -> str:
    """Puts a locally built image into the cluster and checks it arrived; returns what was done.

    `save(path)` writes the image's `docker save` archive there and returns its config digest."""
    if provider.kind == "minikube":
        # Loading the archive todoctl wrote means the image minikube gets is the one whose config
        # digest is known, whatever image store the local Docker uses.
        with tempfile.TemporaryDirectory(prefix="todoctl-load-") as directory:
            archive = Path(directory) / "image.tar"
            config_digest = save(archive)
            runner.run(
                ["minikube", "image", "load", str(archive), "-p", provider.cluster],
                timeout=LOAD_TIMEOUT_SECONDS,
            )
        _verify_minikube_image(runner, provider, image, config_digest)
        return f"loaded into minikube profile {provider.cluster}"
    if provider.kind == "kind":
        completed = runner.run(
            ["kind", "load", "docker-image", image, "--name", provider.cluster], timeout=LOAD_TIMEOUT_SECONDS
        )
        if "already present" in completed.output:
            return f"already present in kind cluster {provider.cluster}"
        return f"loaded into kind cluster {provider.cluster}"
    if provider.kind == "k3d":
        completed = runner.run(
            ["k3d", "image", "import", image, "-c", provider.cluster], timeout=LOAD_TIMEOUT_SECONDS
        )
        # k3d exits 1 when it cannot reach the cluster, but a node's failed import is an ERRO line
        # and exit 0 (k3d-io/k3d#1484); its lines are coloured even in a pipe
        if re.search(r"^(ERRO|FATA)\[", strip_colours(completed.output), re.MULTILINE):
            raise classify(completed.argv, 1, completed.stdout, completed.stderr)
        return f"imported into k3d cluster {provider.cluster}"
    raise ConfigError(
        f"todoctl cannot load images into context {provider.cluster!r}: it is not minikube, kind or k3d",
        hint="push the images to a registry the cluster pulls from, or pass --provider for a local cluster",
    )


def _verify_minikube_image(runner: Runner, provider: Provider, image: str, config_digest: str) -> None:
    """`minikube image load` can exit 0 without loading, and keeps an older image of the same tag.

    `image ls --format json` lists full ids (the table cuts crictl's `sha256:…` to 13 characters),
    one entry per id across the nodes."""
    argv = ["minikube", "image", "ls", "--format", "json", "-p", provider.cluster]
    listing = runner.run(argv).stdout
    try:
        entries = json.loads(listing)
    except json.JSONDecodeError:
        entries = None
    if not isinstance(entries, list):
        raise ImageLoadFailed(
            f"`minikube image ls --format json` printed no JSON list: {listing[:120]}", argv=argv
        )
    names = {image, f"docker.io/{image}"}
    found = {
        str(entry.get("id", "")).removeprefix("sha256:")
        for entry in entries
        if isinstance(entry, dict) and names & set(entry.get("repoTags") or [])
    }
    built = config_digest.removeprefix("sha256:")
    if not found:
        raise ImageLoadFailed(
            f"{image} is not in minikube after `minikube image load`",
            hint="retry `todoctl load`; `minikube logs` may say why minikube dropped it",
            argv=argv,
        )
    if found != {built}:
        older = ", ".join(sorted(item[:12] for item in found - {built}))
        raise ImageLoadFailed(
            f"minikube kept an older image under {image} ({older}, built {built[:12]})",
            hint=f"`minikube image rm {image} -p {provider.cluster}`, then `todoctl load`",
            argv=argv,
        )


def start_hint(provider: Provider) -> str:
    if provider.kind == "kind":
        return f"kind create cluster --name {provider.cluster}"
    if provider.kind == "k3d":
        return f"k3d cluster create {provider.cluster}"
    return MINIKUBE_START if provider.cluster == "minikube" else f"{MINIKUBE_START} -p {provider.cluster}"
