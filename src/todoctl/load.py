"""`todoctl load`: the images `build` recorded, into the cluster of the current context: pushed to the
registry when one is set (any cluster), else loaded straight into minikube, kind or k3d."""

from collections.abc import Callable
from typing import Any

from todoctl import state
from todoctl.adapters import image_archive, providers, registry
from todoctl.adapters.providers import Provider
from todoctl.adapters.registry import Registry
from todoctl.adapters.runner import Runner
from todoctl.components import images
from todoctl.errors import TodoctlError


def recorded_images(selection: str = "all") -> dict[str, dict[str, Any]]:
    """service -> the record of its latest build; raises when one was never built."""
    built = state.built_images()
    chosen = images(selection)
    missing = [service for service in chosen if service not in built]
    if missing:
        raise TodoctlError(
            f"no image of {', '.join(missing)} has been built yet", hint="build them with `todoctl build`"
        )
    return {service: built[service] for service in chosen}


def load_images(
    records: dict[str, dict[str, Any]],
    *,
    target: Registry | None,
    docker: Callable[[], Any],
    runner: Runner,
    provider: Callable[[], Provider],
    on_progress: Callable[[str], None] | None = None,
) -> list[dict[str, str]]:
    """What each of `recorded_images` became in the cluster: `image` is the reference the chart must
    use. `docker` and `provider` are reached only when needed: kind and k3d load without todoctl
    saving an image, and pushing to a registry needs no provider."""
    loaded = []
    for service, record in records.items():
        if target is not None:
            pushed = registry.push(
                docker(),
                record["image"],
                target.repository(service),
                service=service,
                on_progress=on_progress,
            )
            state.record_pushed(service, pushed.image, pushed.digest)
            loaded.append({"service": service, "image": pushed.image, "result": f"pushed ({pushed.digest})"})
            continue
        cluster = provider()
        if on_progress is not None:
            on_progress(f"loading {record['image']} into {cluster.kind} {cluster.cluster}")
        image = record["image"]
        result = providers.load_image(
            runner,
            cluster,
            image,
            save=lambda path, image=image: image_archive.save(docker(), image, path),
        )
        loaded.append({"service": service, "image": record["image"], "result": result})
    return loaded
