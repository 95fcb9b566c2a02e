"""Start and stop the machine's single-node Kubernetes cluster: `cluster.py start|stop|build|env`.

start builds what the cache lacks, then starts etcd, the control plane, containerd, the kubelet,
kube-proxy, CoreDNS and a registry on 127.0.0.1:5000, and waits until the node and DNS are Ready.
A second start on a running cluster returns at once. Every start gives a fresh cluster: stop
ends exactly what start started and removes what it made, except the logs of the last run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import build
import configs
import host
from layout import (
    API_PORT,
    BIN,
    CONTAINERD_SOCKET,
    CONTEXT,
    DNS_IP,
    ETCD_CLIENT,
    ETCD_PEER,
    IMAGES,
    KUBECONFIG,
    LOGS,
    NODE,
    NODE_IP,
    PKI,
    REGISTRY,
    RUN,
    SERVICE_CIDR,
    STATE,
)
from versions import COREDNS, HELM3, HELM4, KUBERNETES

HERE = Path(__file__).resolve().parent
# Start order; stop goes the other way, so the kubelet is gone before its containers are killed.
DAEMONS = (
    "registry",
    "etcd",
    "containerd",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubelet",
    "kube-proxy",
)


def log(message: str) -> None:
    print(f"[cluster] {message}", flush=True)


def link_binaries() -> None:
    """bin/ holds one name per tool, pointing into the versioned component directories."""
    BIN.mkdir(parents=True, exist_ok=True)
    components = build.CACHE / "components"
    links = {command: components / f"kubernetes-{KUBERNETES}" / command for command in build.KUBE_COMMANDS}
    links |= {
        "etcd": components / f"etcd-{build.ETCD}" / "etcd",
        "registry": components / f"registry-{build.REGISTRY}" / "registry",
        "helm3": components / f"helm-{HELM3}" / "helm",
        "helm4": components / f"helm-{HELM4}" / "helm",
    }
    for name, target in links.items():
        link = BIN / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(target)


def kubectl(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "kubectl"), f"--kubeconfig={KUBECONFIG}", *args],
        check=check,
        capture_output=True,
        text=True,
    )


def pid_file(name: str) -> Path:
    return RUN / f"{name}.pid"


def alive(name: str) -> bool:
    """The daemon's PID is running and in the cluster's cgroup: a reused PID is someone else's."""
    try:
        pid = int(pid_file(name).read_text())
        return pid in host.cluster_pids()
    except (FileNotFoundError, ValueError):
        return False


def running() -> bool:
    if not all(alive(name) for name in DAEMONS):
        return False
    return kubectl("get", "--raw", "/readyz", check=False).returncode == 0


def wait_for(what: str, probe, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.5)
    raise SystemExit(f"{what} not ready after {timeout:.0f} s; logs in {LOGS}")


def http_ok(url: str) -> bool:
    """For the loopback endpoints of the cluster's own daemons."""
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - fixed http:// URLs
            return answer.status == 200
    except OSError:
        return False


def spawn(name: str, argv: list[str]) -> None:
    env = dict(os.environ, PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    with (LOGS / f"{name}.log").open("ab") as logfile:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            preexec_fn=host.join_daemon_cgroup,  # noqa: PLW1509 - no threads run in this script
        )
    pid_file(name).write_text(str(process.pid))


def daemon_argv(name: str) -> list[str]:
    pki = str(PKI)
    kubeconfigs = STATE / "kubeconfigs"
    argv = {
        "registry": [str(BIN / "registry"), "serve", str(STATE / "registry.yml")],
        "etcd": [
            str(BIN / "etcd"),
            f"--name={NODE}",
            f"--data-dir={STATE / 'etcd'}",
            f"--listen-client-urls={ETCD_CLIENT}",
            f"--advertise-client-urls={ETCD_CLIENT}",
            f"--listen-peer-urls={ETCD_PEER}",
            f"--initial-advertise-peer-urls={ETCD_PEER}",
            f"--initial-cluster={NODE}={ETCD_PEER}",
            "--log-level=warn",
        ],
        "containerd": ["containerd", f"--config={STATE / 'containerd' / 'config.toml'}"],
        "kube-apiserver": [
            str(BIN / "kube-apiserver"),
            f"--advertise-address={NODE_IP}",
            f"--bind-address={NODE_IP}",
            f"--secure-port={API_PORT}",
            f"--etcd-servers={ETCD_CLIENT}",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            f"--client-ca-file={pki}/ca.crt",
            f"--tls-cert-file={pki}/apiserver.crt",
            f"--tls-private-key-file={pki}/apiserver.key",
            f"--kubelet-client-certificate={pki}/apiserver-kubelet-client.crt",
            f"--kubelet-client-key={pki}/apiserver-kubelet-client.key",
            # The node's address, never its name: a name would go to the machine's resolver.
            "--kubelet-preferred-address-types=InternalIP",
            f"--service-account-key-file={pki}/sa.pub",
            f"--service-account-signing-key-file={pki}/sa.key",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--authorization-mode=Node,RBAC",
            "--enable-admission-plugins=NodeRestriction",
            "--allow-privileged=true",
            "--profiling=false",
        ],
        "kube-controller-manager": [
            str(BIN / "kube-controller-manager"),
            f"--kubeconfig={kubeconfigs}/controller-manager.conf",
            f"--authentication-kubeconfig={kubeconfigs}/controller-manager.conf",
            f"--authorization-kubeconfig={kubeconfigs}/controller-manager.conf",
            "--bind-address=127.0.0.1",
            f"--client-ca-file={pki}/ca.crt",
            f"--cluster-name={CONTEXT}",
            f"--cluster-signing-cert-file={pki}/ca.crt",
            f"--cluster-signing-key-file={pki}/ca.key",
            f"--root-ca-file={pki}/ca.crt",
            f"--service-account-private-key-file={pki}/sa.key",
            "--use-service-account-credentials=true",
            "--leader-elect=false",
            "--profiling=false",
        ],
        "kube-scheduler": [
            str(BIN / "kube-scheduler"),
            f"--kubeconfig={kubeconfigs}/scheduler.conf",
            f"--authentication-kubeconfig={kubeconfigs}/scheduler.conf",
            f"--authorization-kubeconfig={kubeconfigs}/scheduler.conf",
            "--bind-address=127.0.0.1",
            "--leader-elect=false",
            "--profiling=false",
        ],
        "kubelet": [
            str(BIN / "kubelet"),
            f"--config={STATE / 'kubelet.yaml'}",
            f"--kubeconfig={kubeconfigs}/kubelet.conf",
            f"--root-dir={STATE / 'kubelet'}",
            f"--hostname-override={NODE}",
            f"--node-ip={NODE_IP}",
        ],
        "kube-proxy": [str(BIN / "kube-proxy"), f"--config={STATE / 'kube-proxy.yaml'}"],
    }
    return argv[name]


def write_configs() -> None:
    kubeconfigs = STATE / "kubeconfigs"
    files = {
        STATE / "kubeadm.yaml": configs.kubeadm(),
        STATE / "containerd" / "config.toml": configs.containerd(),
        configs.CERTS_D / REGISTRY / "hosts.toml": configs.registry_hosts(),
        configs.CNI_CONF_DIR / "10-todoctl.conflist": configs.cni(),
        STATE / "kubelet.yaml": configs.kubelet(),
        STATE / "kube-proxy.yaml": configs.kube_proxy(kubeconfigs / "super-admin.conf"),
        STATE / "registry.yml": configs.registry(STATE / "registry"),
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def make_credentials() -> None:
    """Certificates and kubeconfigs from kubeadm's phases, pinned to our version (no online lookup)."""
    kubeadm = str(BIN / "kubeadm")
    config = f"--config={STATE / 'kubeadm.yaml'}"
    subprocess.run([kubeadm, "init", "phase", "certs", "all", config], check=True, capture_output=True)
    subprocess.run(
        [kubeadm, "init", "phase", "kubeconfig", "all", config, f"--kubeconfig-dir={STATE / 'kubeconfigs'}"],
        check=True,
        capture_output=True,
    )
    # super-admin.conf is in system:masters; admin.conf needs a binding that only `kubeadm init` makes.
    shutil.copy(STATE / "kubeconfigs" / "super-admin.conf", KUBECONFIG)
    current = kubectl("config", "current-context").stdout.strip()
    kubectl("config", "rename-context", current, CONTEXT)


def import_images() -> None:
    for archive in sorted(IMAGES.glob("*.tar")):
        subprocess.run(
            ["ctr", f"--address={CONTAINERD_SOCKET}", "--namespace=k8s.io", "images", "import", str(archive)],
            check=True,
            capture_output=True,
        )


def containerd_up() -> bool:
    return (
        subprocess.run(
            ["ctr", f"--address={CONTAINERD_SOCKET}", "version"], capture_output=True, check=False
        ).returncode
        == 0
    )


def node_ready() -> bool:
    answer = kubectl(
        "get", "node", NODE, "-o", "jsonpath={.status.conditions[?(@.type=='Ready')].status}", check=False
    )
    return answer.stdout.strip() == "True"


def start_addons() -> None:
    """The kubelet API's RBAC binding, then CoreDNS, until it is ready."""
    manifest = (HERE / "rbac.yaml").read_text() + "---\n" + (HERE / "coredns.yaml").read_text()
    manifest = manifest.replace("__COREDNS_VERSION__", COREDNS).replace("__DNS_IP__", DNS_IP)
    subprocess.run(
        [str(BIN / "kubectl"), f"--kubeconfig={KUBECONFIG}", "apply", "-f", "-"],
        input=manifest,
        text=True,
        check=True,
        capture_output=True,
    )
    kubectl("-n", "kube-system", "rollout", "status", "deployment/coredns", "--timeout=120s")


def start() -> None:
    began = time.monotonic()
    build.build_all()
    link_binaries()
    built = time.monotonic()
    if running():
        log("already running")
        # what a cluster started by an older checkout may have lost (its kubelet collected images)
        import_images()
        report(began, built)
        return
    stop(quiet=True)
    shutil.rmtree(LOGS, ignore_errors=True)
    for directory in (STATE, RUN, LOGS, LOGS / "pods"):
        directory.mkdir(parents=True, exist_ok=True)
    try:
        host.make_cgroups()
        write_configs()
        host.setup_network()
        make_credentials()
        spawn("registry", daemon_argv("registry"))
        spawn("etcd", daemon_argv("etcd"))
        spawn("containerd", daemon_argv("containerd"))
        wait_for("etcd", lambda: http_ok(f"{ETCD_CLIENT}/health"))
        spawn("kube-apiserver", daemon_argv("kube-apiserver"))
        wait_for("containerd", containerd_up)
        import_images()
        wait_for("kube-apiserver", lambda: kubectl("get", "--raw", "/readyz", check=False).returncode == 0)
        for name in ("kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy"):
            spawn(name, daemon_argv(name))
        wait_for("the node", node_ready)
        wait_for("the registry", lambda: http_ok(f"http://{REGISTRY}/v2/"))
        start_addons()
    except BaseException:
        log(f"start failed; the logs are in {LOGS}")
        raise
    report(began, built)


def report(began: float, built: float) -> None:
    log(f"build check {built - began:.0f} s, start {time.monotonic() - built:.0f} s")
    print(f"KUBECONFIG={KUBECONFIG}")
    print(f"context={CONTEXT}")
    print(f"registry={REGISTRY}")
    print(f"helm3={BIN / 'helm3'}")
    print(f"helm4={BIN / 'helm4'}")


def stop(quiet: bool = False) -> None:
    for name in reversed(DAEMONS):
        if alive(name):
            os.kill(int(pid_file(name).read_text()), 15)
            deadline = time.monotonic() + 10
            while alive(name) and time.monotonic() < deadline:
                time.sleep(0.1)
    host.kill_cluster_processes()
    host.unmount_all()
    host.remove_cgroups()
    host.teardown_network(BIN / "kube-proxy")
    for path in (RUN, *(entry for entry in STATE.glob("*") if entry != LOGS)):
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    if not quiet:
        log("stopped")


def print_env() -> None:
    """Shell lines that point kubectl, the tests and todoctl at the cluster: `eval "$(… env)"`."""
    print(f"export KUBECONFIG={KUBECONFIG}")
    print(f"export TODOCTL_CLUSTER_BIN={BIN}")
    print(f'export PATH="{BIN}:$PATH"')


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "env":
        print_env()
        return
    if os.geteuid() != 0:
        raise SystemExit("the cluster needs root: it runs containerd, the kubelet and kube-proxy")
    if command == "start":
        start()
    elif command == "stop":
        stop()
    elif command == "build":
        build.build_all()
        link_binaries()
    else:
        raise SystemExit("usage: cluster.py start|stop|build|env")


if __name__ == "__main__":
    main()
