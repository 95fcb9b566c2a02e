"""Builds the local cluster's binaries and images from upstream Go modules, once per machine.

Every component lands in a directory of the cache named for its version, so a version bump rebuilds
only that component, and an interrupted build resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path

from versions import CACHE, COREDNS, ETCD, GO_PROXY, HELM3, HELM4, KUBERNETES, PAUSE, REGISTRY

HERE = Path(__file__).resolve().parent
KUBE_COMMANDS = (
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubelet",
    "kube-proxy",
    "kubectl",
    "kubeadm",
)


def log(message: str) -> None:
    print(f"[cluster build] {message}", flush=True)


def go_env() -> dict[str, str]:
    env = dict(os.environ)
    # Static binaries: the images built from them (pause, CoreDNS) hold nothing else.
    env.update(CGO_ENABLED="0", GOFLAGS="-mod=mod -trimpath", GOTOOLCHAIN="local")
    return env


def go(args: list[str], cwd: Path) -> None:
    subprocess.run(["go", *args], cwd=cwd, env=go_env(), check=True)


def proxy(module: str, suffix: str) -> bytes:
    url = f"{GO_PROXY}/{module}/@v/{suffix}"
    if not url.startswith("https://"):
        raise SystemExit(f"GOPROXY must be an https:// URL, not {GO_PROXY}")
    with urllib.request.urlopen(url, timeout=60) as answer:  # noqa: S310 - https only, checked above
        return answer.read()


def commit_of(module: str, version: str) -> str:
    """The upstream commit of a release, where the module proxy recorded it."""
    info = json.loads(proxy(module, f"{version}.info"))
    return info.get("Origin", {}).get("Hash", "")


def wrapper_module(name: str, go_mod: str, main_go: str | None = None) -> Path:
    """A throwaway module that builds an upstream command its own go.mod cannot build."""
    work = CACHE / "src" / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    (work / "go.mod").write_text(go_mod)
    if main_go is not None:
        (work / "main.go").write_text(main_go)
    return work


def staging_replaces(upstream_go_mod: str, version: str) -> list[str]:
    """k8s.io/kubernetes points its staging modules at ./staging; each is published as v0.<minor>.<patch>."""
    staging_version = "v0" + version[version.index(".") :]
    replaces = []
    for line in upstream_go_mod.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "=>" and parts[2].startswith("./staging/"):
            replaces.append(f"\t{parts[0]} => {parts[0]} {staging_version}")
    if not replaces:
        raise SystemExit("k8s.io/kubernetes go.mod lists no staging modules: its layout changed")
    return replaces


def go_directive(go_mod: str) -> str:
    return next(line for line in go_mod.splitlines() if line.startswith("go "))


def build_kubernetes(out: Path) -> None:
    version = KUBERNETES
    upstream = proxy("k8s.io/kubernetes", f"{version}.mod").decode()
    replaces = "\n".join(staging_replaces(upstream, version))
    work = wrapper_module(
        "kubernetes",
        f"module todoctl.local/cluster/kubernetes\n\n{go_directive(upstream)}\n\n"
        f"require k8s.io/kubernetes {version}\n\nreplace (\n{replaces}\n)\n",
    )
    major, minor = version.lstrip("v").split(".")[:2]
    stamp = {
        "gitVersion": version,
        "gitMajor": major,
        "gitMinor": minor,
        "gitTreeState": "clean",
        "gitCommit": commit_of("k8s.io/kubernetes", version),
        "buildDate": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    flags = ["-s", "-w"]
    # Unstamped builds call themselves v0.0.0-master, and Helm's kubeVersion checks read that.
    for package in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        flags += [f"-X {package}.{key}={value}" for key, value in stamp.items()]
    go(["get", f"k8s.io/kubernetes@{version}"], work)
    go(
        [
            "build",
            "-ldflags",
            " ".join(flags),
            "-o",
            f"{out}/",
            *(f"k8s.io/kubernetes/cmd/{command}" for command in KUBE_COMMANDS),
        ],
        work,
    )


def build_etcd(out: Path) -> None:
    modules = ("server", "api", "client/pkg", "client", "pkg")
    requires = "\n".join(f"\tgo.etcd.io/etcd/{module}/v3 {ETCD}" for module in modules)
    work = wrapper_module(
        "etcd",
        f"module todoctl.local/cluster/etcd\n\ngo 1.26.0\n\nrequire (\n{requires}\n)\n",
        # etcd's own main is one call; its go.mod's relative replaces are why it can't be installed.
        'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\n'
        "func main() {\n\tetcdmain.Main(os.Args)\n}\n",
    )
    go(["mod", "tidy"], work)
    go(["build", "-ldflags", "-s -w", "-o", str(out / "etcd"), "."], work)


def build_coredns(out: Path) -> None:
    # Only the plugins a cluster DNS needs: no forward, so nothing leaves the machine, and no
    # cloud-provider plugins, whose dependencies would double the build.
    plugins = ("errors", "health", "ready", "kubernetes", "cache", "loop", "reload", "loadbalance", "log")
    imports = "\n".join(f'\t_ "github.com/coredns/coredns/plugin/{plugin}"' for plugin in plugins)
    work = wrapper_module(
        "coredns",
        "module todoctl.local/cluster/coredns\n\ngo 1.26.0\n\n"
        f"require github.com/coredns/coredns {COREDNS}\n",
        f'package main\n\nimport (\n\t"github.com/coredns/coredns/coremain"\n{imports}\n)\n\n'
        "func main() {\n\tcoremain.Run()\n}\n",
    )
    go(["mod", "tidy"], work)
    commit = commit_of("github.com/coredns/coredns", COREDNS)
    flags = f"-s -w -X github.com/coredns/coredns/coremain.GitCommit={commit}"
    go(["build", "-ldflags", flags, "-o", str(out / "coredns"), "."], work)


def build_helm(out: Path, major: int, version: str) -> None:
    module = f"helm.sh/helm/v{major}"
    work = wrapper_module(f"helm{major}", f"module todoctl.local/cluster/helm{major}\n\ngo 1.26.0\n")
    go(["get", f"{module}@{version}"], work)
    client_go = subprocess.run(
        ["go", "list", "-m", "-f", "{{.Version}}", "k8s.io/client-go"],
        cwd=work,
        env=go_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    kube_minor = client_go.split(".")[1]
    internal = f"{module}/internal/version"
    flags = [
        "-s",
        "-w",
        f"-X {internal}.version={version}",
        f"-X {internal}.gitCommit={commit_of(module, version)}",
        f"-X {internal}.gitTreeState=clean",
    ]
    if major == 3:
        # Helm 3's Makefile stamps the Kubernetes version its client speaks (v0.N -> 1.N); Helm 4
        # reads it from the build info itself.
        for package in (f"{module}/pkg/lint/rules", f"{module}/pkg/chartutil"):
            flags += [f"-X {package}.k8sVersionMajor=1", f"-X {package}.k8sVersionMinor={kube_minor}"]
    go(["build", "-ldflags", " ".join(flags), "-o", str(out / "helm"), f"{module}/cmd/helm"], work)


def build_registry(out: Path) -> None:
    module = "github.com/distribution/distribution/v3"
    work = wrapper_module("registry", "module todoctl.local/cluster/registry\n\ngo 1.26.0\n")
    go(["get", f"{module}@{REGISTRY}"], work)
    commit = commit_of(module, REGISTRY)
    flags = f"-s -w -X {module}/version.version={REGISTRY} -X {module}/version.revision={commit}"
    go(["build", "-ldflags", flags, "-o", str(out / "registry"), f"{module}/cmd/registry"], work)


def build_pause(out: Path) -> None:
    """Kubernetes' own pause.c, compiled the way its build/pause Makefile does."""
    source = go_module_dir(f"k8s.io/kubernetes@{KUBERNETES}") / "build" / "pause" / "linux" / "pause.c"
    subprocess.run(
        [
            "gcc",
            "-Os",
            "-Wall",
            "-Werror",
            "-static",
            f"-DVERSION={PAUSE}",
            "-o",
            str(out / "pause"),
            str(source),
        ],
        check=True,
    )
    subprocess.run(["strip", str(out / "pause")], check=True)


def go_module_dir(module_at_version: str) -> Path:
    modcache = subprocess.run(["go", "env", "GOMODCACHE"], check=True, capture_output=True, text=True).stdout
    return Path(modcache.strip()) / module_at_version


def image_archive(path: Path, name: str, binary: Path, entrypoint: list[str]) -> None:
    """A one-layer image in `docker save` format, which `ctr images import` reads.

    Written here rather than with `docker import` so that the cluster needs no Docker engine.
    """
    with tempfile.TemporaryDirectory() as scratch:
        layer = Path(scratch) / "layer.tar"
        with tarfile.open(layer, "w") as tar:
            info = tar.gettarinfo(binary, arcname=binary.name)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mode = 0o755
            info.mtime = 0
            with binary.open("rb") as handle:
                tar.addfile(info, handle)
        layer_digest = hashlib.sha256(layer.read_bytes()).hexdigest()
        config = json.dumps(
            {
                "architecture": "amd64" if os.uname().machine == "x86_64" else "arm64",
                "os": "linux",
                "config": {"Entrypoint": entrypoint, "User": "65535:65535"},
                "rootfs": {"type": "layers", "diff_ids": [f"sha256:{layer_digest}"]},
            },
            sort_keys=True,
        ).encode()
        config_digest = hashlib.sha256(config).hexdigest()
        manifest = json.dumps(
            [{"Config": f"{config_digest}.json", "RepoTags": [name], "Layers": [f"{layer_digest}/layer.tar"]}]
        ).encode()
        with tarfile.open(path, "w") as tar:
            for member, data in (
                (f"{config_digest}.json", config),
                ("manifest.json", manifest),
            ):
                info = tarfile.TarInfo(member)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            tar.add(layer, arcname=f"{layer_digest}/layer.tar")


COMPONENTS = {
    f"kubernetes-{KUBERNETES}": build_kubernetes,
    f"etcd-{ETCD}": build_etcd,
    f"coredns-{COREDNS}": build_coredns,
    f"helm-{HELM3}": lambda out: build_helm(out, 3, HELM3),
    f"helm-{HELM4}": lambda out: build_helm(out, 4, HELM4),
    f"registry-{REGISTRY}": build_registry,
    f"pause-{PAUSE}": build_pause,
}


def build_all() -> None:
    started = time.monotonic()
    for name, build in COMPONENTS.items():
        done = CACHE / "components" / name
        if done.is_dir():
            continue
        log(f"building {name}")
        began = time.monotonic()
        partial = done.with_name(name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        build(partial)
        partial.rename(done)
        log(f"built {name} in {time.monotonic() - began:.0f} s")
    images = CACHE / "images"
    images.mkdir(parents=True, exist_ok=True)
    for name, binary, entrypoint in (
        (f"registry.k8s.io/pause:{PAUSE}", CACHE / "components" / f"pause-{PAUSE}" / "pause", ["/pause"]),
        (
            f"registry.k8s.io/coredns/coredns:{COREDNS}",
            CACHE / "components" / f"coredns-{COREDNS}" / "coredns",
            ["/coredns"],
        ),
    ):
        archive = images / (name.rsplit("/", 1)[1].replace(":", "-") + ".tar")
        if not archive.exists():
            image_archive(archive, name, binary, entrypoint)
    log(f"cache ready in {time.monotonic() - started:.0f} s: {CACHE}")


if __name__ == "__main__":
    sys.exit(build_all())
