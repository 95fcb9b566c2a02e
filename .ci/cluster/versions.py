"""What the local cluster is made of, and where its build is cached.

Kubernetes stays on 1.34: these machines have cgroup v1, which 1.35 refuses by default, and Debian's
containerd is 1.x, which 1.36 drops.
"""

import os
from pathlib import Path

KUBERNETES = "v1.34.4"
ETCD = "v3.6.16"
COREDNS = "v1.15.0"
HELM3 = "v3.22.0"
HELM4 = "v4.3.2"
REGISTRY = "v3.1.2"
# The sandbox image name Kubernetes 1.34 expects; the binary behind it is ours (pause.go).
PAUSE = "3.10.1"

GO_PROXY = os.environ.get("GOPROXY", "https://proxy.golang.org").split(",")[0]
CACHE = Path(os.environ.get("TODOCTL_CLUSTER_CACHE", "/var/cache/todoctl-cluster")) / KUBERNETES
