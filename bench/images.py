"""The service images: size of each and of both, and start-to-ready of each container (from
`docker run` to its first /readyz 200), run the way the chart runs them (read-only root, non-root,
no capabilities) against PostgreSQL on the host. The images are built from the current sources the
way tests/images builds them. Needs a Docker engine and a base image (TODOCTL_BASE_IMAGE; CI makes
one with .ci/base-image.sh). Run from the repository root: `python -m bench.images [--starts 5]`."""

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
from bench.stats import describe_ms
from todoctl.build import SIZE_BUDGET_MB
from todoctl.build_context import assemble_context

SERVICES = ("mcp-server", "ai-todo")
TAG = "bench"


def build(client: docker.DockerClient, base_image: str, ca_cert: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="todoctl-context-") as directory:
        context = assemble_context(Path(directory), Path(ca_cert) if ca_cert else None)
        for service in SERVICES:
            client.images.build(
                path=str(context),
                dockerfile=f"dockerfiles/{service}.Dockerfile",
                buildargs={"BASE_IMAGE": base_image, "VERSION": TAG},
                tag=f"todoctl/{service}:{TAG}",
                rm=True,
                forcerm=True,
            )


def start_to_ready(stack: Stack, service: str) -> float:
    started = time.monotonic()
    stack.start(service)
    stack.wait_ready(service)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--starts", type=int, default=5, help="starts of each container")
    args = parser.parse_args()
    base_image = os.environ.get("TODOCTL_BASE_IMAGE", "python:3.13-slim")
    client = docker.from_env(timeout=600)
    print(describe())
    print(load_average())
    build(client, base_image, os.environ.get("TODOCTL_CA_CERT"))
    images = {service: client.images.get(f"todoctl/{service}:{TAG}") for service in SERVICES}
    base_bytes = client.images.get(base_image).attrs["Size"]

    starts: dict[str, list[float]] = {service: [] for service in SERVICES}
    network = client.networks.create("todoctl-bench", driver="bridge")
    try:
        network.reload()
        gateway = network.attrs["IPAM"]["Config"][0]["Gateway"]
        with fresh_postgres_database() as database_url, tcp_relay(gateway, "127.0.0.1", 5432) as port:
            database = database_url.rsplit("/", 1)[1]
            stack = Stack(
                client=client,
                network=network,
                images={service: image.tags[0] for service, image in images.items()},
                database_url=f"postgresql+psycopg://postgres@host.docker.internal:{port}/{database}",
            )
            try:
                # ai-todo is ready without mcp-server, but a pod starts beside a running one
                for _ in range(args.starts):
                    starts["mcp-server"].append(start_to_ready(stack, "mcp-server"))
                    starts["ai-todo"].append(start_to_ready(stack, "ai-todo"))
                    stack.remove_all()
            finally:
                stack.remove_all()
    finally:
        network.remove()
        client.close()

    sizes = {service: image.attrs["Size"] / 1_000_000 for service, image in images.items()}
    print(f"images built from {base_image} ({base_bytes / 1_000_000:.0f} MB):")
    for service in SERVICES:
        print(f"  {service:<11} {sizes[service]:>6.0f} MB")
    total = sum(sizes.values())
    print(
        f"  both        {total:>6.0f} MB  ({total - base_bytes / 1_000_000:.0f} MB on disk: "
        "they share the base layer)"
    )
    print(f"  target: both together under {SIZE_BUDGET_MB} MB; spec ceiling 500 MB")
    print("start-to-ready, docker run -> first /readyz 200:")
    for service in SERVICES:
        print(f"  {service:<11} {describe_ms(starts[service])}")
    print(load_average())


if __name__ == "__main__":
    main()
