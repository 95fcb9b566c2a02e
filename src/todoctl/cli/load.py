"""`load`."""

import typer

from todoctl.cli.common import ImageArgument, JsonOption, RegistryOption, begin
from todoctl.load import load_images, recorded_images


def load(
    ctx: typer.Context,
    *,
    image: ImageArgument = "all",
    registry: RegistryOption = None,
    json: JsonOption = False,
) -> None:
    """Put the built images into the cluster: push them to --registry, or load them into minikube,
    kind or k3d (minikube image load, kind load docker-image, k3d image import)."""
    session = begin(ctx, json, registry=registry)
    records = recorded_images(image)
    with session.output.status("loading…") as update:
        loaded = load_images(
            records,
            target=session.registry,
            docker=lambda: session.docker,
            runner=session.runner,
            provider=lambda: session.provider,
            on_progress=update,
        )

    def render() -> None:
        for item in loaded:
            session.output.ok(f"{item['image']}: {item['result']}")

    session.output.result({"loaded": loaded}, render)
