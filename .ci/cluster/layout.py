"""Where the local cluster lives on this machine, and its addresses.

Nothing here is in a checkout: any checkout can start and stop the one cluster of the machine.
Every address is on bridges the cluster makes itself, so no cluster traffic reaches another host.
"""

from pathlib import Path

from versions import CACHE

CONTEXT = "todoctl-local"
NODE = "todoctl-local"

STATE = Path("/var/lib/todoctl-cluster")
RUN = Path("/run/todoctl-cluster")
KUBECONFIG = STATE / "kubeconfig"
PKI = STATE / "pki"
LOGS = STATE / "logs"

BIN = CACHE / "bin"
IMAGES = CACHE / "images"

# The node's address sits on a bridge of its own, with no port to the outside.
NODE_BRIDGE = "todoctl0"
NODE_IP = "10.201.0.1"
NODE_NET = "10.201.0.0/24"
# Pods get their addresses on the CNI bridge; Services get theirs from kube-proxy's rules.
POD_BRIDGE = "todoctl-cni0"
POD_CIDR = "10.202.0.0/16"
NODE_POD_CIDR = "10.202.0.0/24"
SERVICE_CIDR = "10.203.0.0/24"
DNS_IP = "10.203.0.10"
API_PORT = 6443
REGISTRY = "127.0.0.1:5000"
ETCD_CLIENT = "http://127.0.0.1:2379"
ETCD_PEER = "http://127.0.0.1:2380"

CONTAINERD_SOCKET = RUN / "containerd.sock"
# Everything the cluster starts, the containers included, lives below this cgroup in every v1
# hierarchy, so `stop` can end exactly that and nothing else.
CGROUP = "todoctl-cluster"
# iptables chains of our own; kube-proxy, the kubelet and the CNI plugins name theirs KUBE-* and CNI-*.
CHAIN_PREFIXES = ("TODOCTL-", "KUBE-", "CNI-")
