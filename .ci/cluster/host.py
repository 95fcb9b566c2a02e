"""What the cluster changes on the host, and how each change is undone: cgroups, mounts, network."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import time
from pathlib import Path

from layout import CGROUP, CHAIN_PREFIXES, NODE_BRIDGE, NODE_IP, POD_BRIDGE, POD_CIDR, RUN, STATE


def sh(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), check=check, capture_output=True, text=True)


# --- cgroups ---------------------------------------------------------------------------------------


def cgroup_mounts() -> list[Path]:
    mounts = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        _, mountpoint, fstype, *_ = line.split()
        if fstype in ("cgroup", "cgroup2"):
            mounts.append(Path(mountpoint))
    return mounts


def _kill_hierarchy() -> Path:
    """The hierarchy whose membership we read to find every process of the cluster."""
    mounts = cgroup_mounts()
    for mount in mounts:
        if mount.name == "pids":
            return mount
    return next(mount for mount in mounts if (mount / "cgroup.controllers").exists())


def make_cgroups() -> None:
    for mount in cgroup_mounts():
        for sub in (CGROUP, f"{CGROUP}/daemons"):
            path = mount / sub
            path.mkdir(exist_ok=True)
            # A new cpuset cgroup has no CPUs and no memory nodes until it is given its parent's.
            for knob in ("cpuset.cpus", "cpuset.mems"):
                if (path / knob).exists() and not (path / knob).read_text().strip():
                    (path / knob).write_text((path.parent / knob).read_text())


def join_daemon_cgroup() -> None:
    """Runs in a daemon's process before exec: it and all it starts stay in the cluster's cgroup."""
    pid = str(os.getpid())
    for mount in cgroup_mounts():
        procs = mount / CGROUP / "daemons" / "cgroup.procs"
        if procs.exists():
            procs.write_text(pid)


def cluster_pids() -> set[int]:
    root = _kill_hierarchy() / CGROUP
    pids: set[int] = set()
    if root.is_dir():
        for directory, _, files in os.walk(root):
            if "cgroup.procs" in files:
                pids.update(int(pid) for pid in (Path(directory) / "cgroup.procs").read_text().split())
    pids.discard(os.getpid())
    return pids


def kill_cluster_processes(timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while (pids := cluster_pids()) and time.monotonic() < deadline:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
    if pids:
        raise SystemExit(f"processes of the cluster would not die: {sorted(pids)}")


def remove_cgroups() -> None:
    for mount in cgroup_mounts():
        root = mount / CGROUP
        if not root.is_dir():
            continue
        # Deepest first: a cgroup can go only when its children have.
        for directory, _, _ in sorted(os.walk(root), key=lambda entry: -entry[0].count("/")):
            for _ in range(50):
                try:
                    Path(directory).rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)


# --- mounts ----------------------------------------------------------------------------------------


def our_mounts() -> list[str]:
    mounts = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        mountpoint = line.split()[4].encode().decode("unicode_escape")
        if mountpoint.startswith((f"{STATE}/", f"{RUN}/")):
            mounts.append(mountpoint)
    return mounts


def unmount_all() -> None:
    for _ in range(5):
        mounts = our_mounts()
        if not mounts:
            return
        for mountpoint in sorted(mounts, key=len, reverse=True):
            sh("umount", mountpoint, check=False)
    for mountpoint in our_mounts():
        sh("umount", "--lazy", mountpoint, check=False)


# --- network ---------------------------------------------------------------------------------------


def write_sysctl(name: str, value: str) -> None:
    Path("/proc/sys", *name.split(".")).write_text(value)


def setup_network() -> None:
    # Both are machine-wide and Docker sets them too, so stop leaves them.
    write_sysctl("net.ipv4.ip_forward", "1")
    if not Path("/proc/sys/net/bridge").is_dir():
        raise SystemExit("this kernel lacks br_netfilter, which kube-proxy's Service rules need on a bridge")
    write_sysctl("net.bridge.bridge-nf-call-iptables", "1")
    if sh("ip", "link", "show", NODE_BRIDGE, check=False).returncode != 0:
        sh("ip", "link", "add", NODE_BRIDGE, "type", "bridge")
    sh("ip", "addr", "replace", f"{NODE_IP}/24", "dev", NODE_BRIDGE)
    sh("ip", "link", "set", NODE_BRIDGE, "up")
    # Pods talk to each other, to Services and to this machine; whatever else they send is dropped
    # before it is forwarded, so no pod traffic leaves the machine.
    sh("iptables", "-t", "mangle", "-N", "TODOCTL-ISOLATE")
    sh("iptables", "-t", "mangle", "-A", "TODOCTL-ISOLATE", "-s", POD_CIDR, "!", "-d", POD_CIDR, "-j", "DROP")
    sh("iptables", "-t", "mangle", "-I", "FORWARD", "1", "-j", "TODOCTL-ISOLATE")


def teardown_network(kube_proxy: Path | None) -> None:
    for bridge in (POD_BRIDGE, NODE_BRIDGE):
        if sh("ip", "link", "show", bridge, check=False).returncode == 0:
            sh("ip", "link", "del", bridge)
    if kube_proxy is not None and kube_proxy.exists():
        sh(str(kube_proxy), "--cleanup", check=False)
    for tool in ("iptables", "ip6tables"):
        for table in ("filter", "nat", "mangle", "raw"):
            remove_chains(tool, table)


def remove_chains(tool: str, table: str) -> None:
    listing = sh(tool, "-t", table, "-S", check=False)
    if listing.returncode != 0:
        return
    ours: list[str] = []
    for line in listing.stdout.splitlines():
        words = shlex.split(line)
        if words[:1] == ["-N"] and words[1].startswith(CHAIN_PREFIXES):
            ours.append(words[1])
        elif words[:1] == ["-A"] and not words[1].startswith(CHAIN_PREFIXES) and _jumps_to_ours(words):
            sh(tool, "-t", table, "-D", *words[1:], check=False)
    for chain in ours:
        sh(tool, "-t", table, "-F", chain, check=False)
    for chain in ours:
        sh(tool, "-t", table, "-X", chain, check=False)


def _jumps_to_ours(words: list[str]) -> bool:
    for flag in ("-j", "-g"):
        if flag in words and words[words.index(flag) + 1].startswith(CHAIN_PREFIXES):
            return True
    return False
