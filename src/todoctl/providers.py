"""Local clusters: which one a kube context belongs to, whether it runs, and loading images into it.

minikube contexts are named after their profile (`minikube`), kind's `kind-<cluster>` and k3d's
`k3d-<cluster>`; any other context is "generic" and pulls its images from a registry.
"""

import json
import re
from dataclasses import dataclass
from typing import Literal

from todoctl.errors import ClusterNotRunning, ConfigError, ImageLoadFailed, TodoctlError
from todoctl.runner import Runner
from todoctl.tool_errors import MINIKUBE_START, classify
from todoctl.versions import Version, first_line_version, minikube_version

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


def detect(context: str | None, override: str | None = None) -> Provider:
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


def minikube_resources(runner: Runner, provider: Provider) -> ClusterResources | None:
    output = runner.run(["minikube", "profile", "list", "-o", "json"]).stdout
    try:
        document = json.loads(output)
    except json.JSONDecodeError:
        raise TodoctlError(
            f"`minikube profile list -o json` printed no JSON: {output.strip()[:120]}"
        ) from None
    for profile in document.get("valid") or []:
        if profile.get("Name") == provider.cluster:
            settings = profile.get("Config") or {}
            return ClusterResources(
                cpus=int(settings.get("CPUs", 0)), memory_mb=int(settings.get("Memory", 0))
            )
    return None


def load_image(runner: Runner, provider: Provider, image: str, image_id: str) -> str:
    """Puts a locally built image into the cluster and checks it arrived; returns what was done."""
    if provider.kind == "minikube":
        runner.run(["minikube", "image", "load", image, "-p", provider.cluster], timeout=LOAD_TIMEOUT_SECONDS)
        _verify_minikube_image(runner, provider, image, image_id)
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
        if "ERRO[" in completed.output:  # k3d reports some failures with exit code 0
            raise classify(completed.argv, 1, completed.stdout, completed.stderr)
        return f"imported into k3d cluster {provider.cluster}"
    raise ConfigError(
        f"todoctl cannot load images into context {provider.cluster!r}: it is not minikube, kind or k3d",
        hint="push the images to a registry the cluster pulls from, or pass --provider for a local cluster",
    )


def _verify_minikube_image(runner: Runner, provider: Provider, image: str, image_id: str) -> None:
    """`minikube image load` can exit 0 without loading, and keeps an older image of the same tag."""
    listing = runner.run(["minikube", "image", "ls", "--format", "table", "-p", provider.cluster]).stdout
    repository, tag = image.rsplit(":", 1)
    for row in parse_image_table(listing):
        if row["image"] in {repository, f"docker.io/{repository}"} and row["tag"] == tag:
            in_cluster = row["image id"]
            local = image_id.removeprefix("sha256:")
            if in_cluster and not local.startswith(in_cluster):
                raise ImageLoadFailed(
                    f"minikube kept an older image under {image} (id {in_cluster}, built {local[:13]})",
                    hint=f"`minikube image rm {image} -p {provider.cluster}`, then `todoctl load`",
                    argv=["minikube", "image", "ls"],
                )
            return
    raise ImageLoadFailed(
        f"{image} is not in minikube after `minikube image load`",
        hint=f"retry `todoctl load`; if it keeps failing: `docker save {image} -o image.tar` and "
        f"`minikube image load image.tar -p {provider.cluster}`",
        argv=["minikube", "image", "ls"],
    )


def parse_image_table(text: str) -> list[dict[str, str]]:
    """Rows of `minikube image ls --format table`, in its ASCII (<=1.36) or box-drawing (>=1.37) style."""
    header: list[str] | None = None
    rows = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in re.split(r"[|│]", line)[1:-1]]
        if not cells or all(not cell or set(cell) <= set("-─┼├┤┬┴┌┐└┘") for cell in cells):
            continue
        if header is None:
            header = [cell.lower() for cell in cells]
            continue
        rows.append(dict(zip(header, cells, strict=False)))
    return rows


def start_hint(provider: Provider) -> str:
    if provider.kind == "kind":
        return f"kind create cluster --name {provider.cluster}"
    if provider.kind == "k3d":
        return f"k3d cluster create {provider.cluster}"
    return MINIKUBE_START if provider.cluster == "minikube" else f"{MINIKUBE_START} -p {provider.cluster}"
