"""The configuration files of the cluster's parts, written fresh at every start."""

from __future__ import annotations

import json
from pathlib import Path

from layout import (
    API_PORT,
    CGROUP,
    CONTAINERD_SOCKET,
    CONTEXT,
    DNS_IP,
    LOGS,
    NODE,
    NODE_IP,
    NODE_POD_CIDR,
    PKI,
    POD_BRIDGE,
    POD_CIDR,
    REGISTRY,
    RUN,
    SERVICE_CIDR,
    STATE,
)
from versions import KUBERNETES, PAUSE

CNI_CONF_DIR = STATE / "cni" / "net.d"
CERTS_D = STATE / "containerd" / "certs.d"


def kubeadm() -> str:
    """Used only for its certificate and kubeconfig phases: nothing is installed by kubeadm."""
    return f"""\
apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: {NODE_IP}
  bindPort: {API_PORT}
nodeRegistration:
  name: {NODE}
  criSocket: unix://{CONTAINERD_SOCKET}
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
kubernetesVersion: {KUBERNETES}
clusterName: {CONTEXT}
certificatesDir: {PKI}
controlPlaneEndpoint: {NODE_IP}:{API_PORT}
networking:
  serviceSubnet: {SERVICE_CIDR}
  podSubnet: {POD_CIDR}
  dnsDomain: cluster.local
apiServer:
  certSANs: [127.0.0.1, localhost]
"""


def containerd() -> str:
    return f"""\
version = 2
root = "{STATE}/containerd/root"
state = "{RUN}/containerd"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs"]

[grpc]
  address = "{CONTAINERD_SOCKET}"

[plugins."io.containerd.internal.v1.opt"]
  path = "{STATE}/containerd/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:{PAUSE}"
  # Network namespaces under our own state directory, so stop finds exactly ours.
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # These machines withhold CAP_SYS_RESOURCE, so no process may lower its oom_score_adj below 0, and
  # runc fails any container for which the kubelet asks it (the sandbox asks -998). This caps every
  # request at containerd's own score instead, as rootless setups do.
  restrict_oom_score_adj = true

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "{CNI_CONF_DIR}"

  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "{CERTS_D}"
"""


def registry_hosts() -> str:
    """The local registry speaks plain HTTP, as a registry on loopback may."""
    return f"""\
server = "http://{REGISTRY}"

[host."http://{REGISTRY}"]
  capabilities = ["pull", "resolve"]
"""


def cni() -> str:
    return json.dumps(
        {
            "cniVersion": "1.0.0",
            "name": "todoctl",
            "plugins": [
                {
                    "type": "bridge",
                    "bridge": POD_BRIDGE,
                    "isGateway": True,
                    # No masquerading: a pod's packet to another host has no way back, and the
                    # isolation rule drops it before it leaves.
                    "ipMasq": False,
                    # A pod reaching itself through its own Service comes back on the same port.
                    "hairpinMode": True,
                    "ipam": {
                        "type": "host-local",
                        "ranges": [[{"subnet": NODE_POD_CIDR}]],
                        "routes": [{"dst": "0.0.0.0/0"}],
                        "dataDir": str(STATE / "cni" / "ipam"),
                    },
                },
                {"type": "portmap", "capabilities": {"portMappings": True}},
                # Docker sets the FORWARD policy to DROP; this plugin accepts each pod's traffic.
                {"type": "firewall"},
            ],
        },
        indent=2,
    )


def kubelet() -> str:
    return f"""\
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: {NODE_IP}
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {{enabled: false}}
  webhook: {{enabled: true}}
  x509: {{clientCAFile: {PKI}/ca.crt}}
authorization: {{mode: Webhook}}
cgroupDriver: cgroupfs
cgroupRoot: /{CGROUP}
containerRuntimeEndpoint: unix://{CONTAINERD_SOCKET}
clusterDNS: [{DNS_IP}]
clusterDomain: cluster.local
# No host resolver: pods resolve cluster names only.
resolvConf: ""
failSwapOn: false
# The kubelet's own score: see restrict_oom_score_adj in the containerd configuration.
oomScoreAdj: 0
podLogsDir: {LOGS}/pods
serializeImagePulls: false
# No image garbage collection: the pause and CoreDNS images are imported, not pulled, so a collected
# one is gone for good (containerd 1.6 does not pin the sandbox image), and Docker builds on this
# shared disk push it past the default 85 % for minutes at a time. 100 is the documented "off".
imageGCHighThresholdPercent: 100
evictionHard:
  memory.available: 100Mi
  nodefs.available: 1Gi
  imagefs.available: 1Gi
  nodefs.inodesFree: 1%
"""


def kube_proxy(kubeconfig: Path) -> str:
    return f"""\
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: {POD_CIDR}
hostnameOverride: {NODE}
bindAddress: {NODE_IP}
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# NodePorts on the node's bridge only, never on the machine's own interfaces.
nodePortAddresses: [{NODE_IP}/32]
clientConnection:
  kubeconfig: {kubeconfig}
# See restrict_oom_score_adj in the containerd configuration.
oomScoreAdj: 0
# Leave the machine's conntrack sysctls as they are.
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
"""


def registry(storage: Path) -> str:
    return f"""\
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: {storage}
  delete:
    enabled: true
http:
  addr: {REGISTRY}
"""
