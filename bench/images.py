"""The service images: the size of each, above the base image and on it, of both together (counting
a layer they share once, as a node stores it), and the start of each container run the way the
chart runs them (read-only root, non-root, no capabilities) against PostgreSQL on the host: from
`docker run` to the first /readyz 200, and for ai-todo to the first chat answer. The images are
built from the current sources by `todoctl build`'s own code, with its content-hash tags. Needs a
Docker engine and a base image (TODOCTL_BASE_IMAGE; CI makes one with .ci/base-image.sh).
Run from the repository root: `python -m bench.images [--starts 5]`."""

import argparse
import os
import tempfile
import time
from pathlib import Path

import docker
from tests.images.stack import Stack
from tests.support.databases import fresh_postgres_database
from tests.support.tcp_relay import tcp_relay

from bench.machine import describe, load_average
from bench.report import table
from bench.stats import describe_ms
from todoctl.build import build_images

SERVICES = ("mcp-server", "ai-todo")
MB = 1_000_000


def layers(client: docker.DockerClient, reference: str) -> dict[str, int]:
    """{layer digest: its size in bytes} of an image, from its history (empty layers left out)."""
    image = client.images.get(reference)
    digests = image.attrs["RootFS"]["Layers"]
    sizes = [entry["Size"] for entry in reversed(image.history()) if not _empty(entry)]
    return dict(zip(digests, sizes, strict=True))


def _empty(entry: dict) -> bool:
    created_by = entry.get("CreatedBy", "")
    return entry["Size"] == 0 and ("#(nop)" in created_by or created_by.startswith(("ARG", "ENV", "LABEL")))


def start_to_ready(stack: Stack, service: str) -> tuple[float, float]:
    """Seconds from `docker run` to /readyz 200 and, for ai-todo, to the first chat answer."""
    started = time.monotonic()
    stack.start(service)
    stack.wait_ready(service)
    ready = time.monotonic() - started
    if service != "ai-todo":
        return ready, float("nan")
    answer = stack.chat("bench", "hi")
    if answer.status_code != 200:
        raise RuntimeError(f"the first chat answered {answer.status_code}: {answer.text}")
    return ready, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--starts", type=int, default=5, help="starts of each container")
    args = parser.parse_args()
    base_image = os.environ.get("TODOCTL_BASE_IMAGE", "python:3.13-slim")
    ca_cert = os.environ.get("TODOCTL_CA_CERT")
    client = docker.from_env(timeout=600)
    print(describe())
    print(load_average())
    with tempfile.TemporaryDirectory(prefix="todoctl-state-") as state:
        # todoctl records what it builds for `load`; this run keeps that record to itself
        os.environ["TODOCTL_STATE_DIR"] = state
        built = build_images(
            client.api, "all", tag=None, base_image=base_image, ca_cert=Path(ca_cert) if ca_cert else None
        )
    images = {image.service: image.image for image in built}
    base = layers(client, base_image)
    own = {
        service: {d: s for d, s in layers(client, ref).items() if d not in base}
        for service, ref in images.items()
    }

    starts: dict[str, list[tuple[float, float]]] = {service: [] for service in SERVICES}
    network = client.networks.create("todoctl-bench", driver="bridge")
    try:
        network.reload()
        gateway = network.attrs["IPAM"]["Config"][0]["Gateway"]
        with fresh_postgres_database() as database_url, tcp_relay(gateway, "127.0.0.1", 5432) as port:
            database = database_url.rsplit("/", 1)[1]
            stack = Stack(
                client=client,
                network=network,
                images=images,
                database_url=f"postgresql+psycopg://postgres@host.docker.internal:{port}/{database}",
            )
            try:
                # ai-todo answers a chat only beside a running mcp-server, as a pod starts beside one
                for _ in range(args.starts):
                    starts["mcp-server"].append(start_to_ready(stack, "mcp-server"))
                    starts["ai-todo"].append(start_to_ready(stack, "ai-todo"))
                    stack.remove_all()
            finally:
                stack.remove_all()
    finally:
        network.remove()
        client.close()

    base_mb = sum(base.values()) / MB
    rows = [
        [
            service,
            images[service],
            f"{(sum(base.values()) + sum(own[service].values())) / MB:.1f}",
            f"{sum(own[service].values()) / MB:.1f}",
        ]
        for service in SERVICES
    ]
    summed = sum(sum(own[service].values()) for service in SERVICES) / MB
    shared = {d: s for service in SERVICES for d, s in own[service].items()}
    rows.append(["both, summed", "", "", f"{summed:.1f}"])
    rows.append(["both, on disk", "(a shared layer once)", "", f"{sum(shared.values()) / MB:.1f}"])
    print(f"images built on {base_image} ({base_mb:.1f} MB), in MB (10^6 bytes):")
    print(table(["image", "reference", "on the base", "above the base"], rows))
    print("container start, docker run -> first /readyz 200 | -> first chat answer:")
    for service in SERVICES:
        ready = [r for r, _ in starts[service]]
        print(f"  {service:<11} ready:  {describe_ms(ready)}")
        if service == "ai-todo":
            print(f"  {service:<11} answer: {describe_ms([a for _, a in starts[service]])}")
    print(load_average())


if __name__ == "__main__":
    main()
