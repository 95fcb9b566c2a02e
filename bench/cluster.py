"""todoctl on the real local cluster (`.ci/cluster/start`), in figures: `todoctl up` phase by phase,
first and again; pods ready after the deploy; recovery per disruption in validate-stateless; failed
requests during a rolling upgrade under traffic; the port-forward's reconnect time.

Run from the repository root with the cluster started:
`python -m bench.cluster [--helm helm4] [--reconnects 3]`. It deploys a release of its own in a
namespace of its own and removes both at the end."""

import argparse
import re
import tempfile
import time
import uuid
from pathlib import Path

import docker
import httpx
from tests.cluster.local_cluster import locate
from tests.cluster.todoctl_run import Todoctl, read_forward_url
from tests.cluster.traffic import Traffic
from tests.support.processes import free_port

from bench.machine import describe, load_average
from bench.stats import describe_ms


def print_up(title: str, report: dict) -> None:
    print(f"\n{title}: {report['total_seconds']:.1f} s")
    for phase in report["phases"]:
        print(f"  {phase['name']:<11} {phase['seconds']:6.1f} s  {phase['detail'][:70]}")
    took = {phase["name"]: phase["seconds"] for phase in report["phases"]}
    print(f"  pods ready after the deploy: {took['deploy'] + took['ready']:.1f} s")


def stateless(todoctl: Todoctl) -> None:
    report = todoctl.json("validate-stateless", "--concurrent", "5", timeout=900)
    print(f"\nvalidate-stateless --concurrent 5: {'passed' if report['passed'] else 'FAILED'}")
    for item in report["disruptions"]:
        print(
            f"  {item['name']:<16} first success {item['first_success_seconds'] or float('nan'):5.1f} s, "
            f"all replacements ready {item['ready_seconds'] or float('nan'):5.1f} s"
        )
    load = report["load"]
    print(
        f"  5 conversations meanwhile: {load['requests']} requests, {load['failed']} answered with an "
        f"error, {load['lost_tasks']} tasks lost"
    )


def rolling_upgrade(todoctl: Todoctl) -> None:
    [current] = {pod["spec"]["containers"][0]["image"] for pod in todoctl.ready_pods("ai-todo")}
    repository, tag = current.rsplit(":", 1)
    api = docker.from_env().api
    new_tag = f"{tag}-bench{uuid.uuid4().hex[:4]}"
    api.tag(current, repository, tag=new_tag)
    for event in api.push(repository, tag=new_tag, stream=True, decode=True):
        if "error" in event:
            raise RuntimeError(event["error"])
    with Traffic(todoctl, users=2) as traffic:
        time.sleep(3)
        started = time.monotonic()
        todoctl.run("deploy", "--set", f"aiTodo.image.tag={new_tag}")
        took = time.monotonic() - started
        time.sleep(3)
    print(
        f"\nrolling upgrade of ai-todo (2 replicas) in {took:.1f} s under 2 users chatting back to back: "
        f"{traffic.ok + len(traffic.failures)} requests, {len(traffic.failures)} failed"
    )
    for failure in traffic.failures[:5]:
        print(f"  {failure}")


def reconnects(todoctl: Todoctl, times: int) -> None:
    """From deleting the pod behind `todoctl forward` until the same URL answers from another pod."""
    forward = todoctl.spawn("forward", "--port", str(free_port()), "--user", "bench")
    assert forward.stdout is not None
    try:
        base = read_forward_url(forward).split("/#", 1)[0]
        # at the start the forward takes the newest ready pod; later it says which one it moved to
        behind = max(todoctl.ready_pods("ai-todo"), key=lambda pod: pod["metadata"]["creationTimestamp"])
        pod = behind["metadata"]["name"]
        taken = []
        for _ in range(times):
            started = time.monotonic()
            todoctl.kubectl("delete", "pod", pod, "--wait=false")
            for line in forward.stdout:
                moved = re.search(r"again to pod (\S+)", line)
                if moved:
                    pod = moved.group(1)
                    break
            while True:
                try:
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.05)
            taken.append(time.monotonic() - started)
            todoctl.kubectl("rollout", "status", "deployment", "-l", "app.kubernetes.io/component=ai-todo")
        print(f"\nport-forward answering from another pod after its pod was deleted: {describe_ms(taken)}")
    finally:
        forward.terminate()
        forward.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--helm", default="helm4", choices=["helm3", "helm4"])
    parser.add_argument("--reconnects", type=int, default=3)
    args = parser.parse_args()
    cluster = locate()
    print(describe())
    print(f"before: {load_average()}")
    namespace = f"bench-{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory(prefix="todoctl-bench-") as state:
        todoctl = Todoctl(
            cluster, helm=cluster.helms[args.helm], release="todo", namespace=namespace, state_dir=Path(state)
        )
        try:
            print_up(
                f"todoctl up, first ({args.helm}; no release, empty state, Docker's layer cache as it is)",
                todoctl.json("up", *todoctl.build_options()),
            )
            print_up("todoctl up, again (nothing changed)", todoctl.json("up", *todoctl.build_options()))
            stateless(todoctl)
            rolling_upgrade(todoctl)
            reconnects(todoctl, args.reconnects)
        finally:
            todoctl.run("down", check=False)
            cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)
    print(f"\nafter: {load_average()}")


if __name__ == "__main__":
    main()
