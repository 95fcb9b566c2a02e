"""`deploy`, `rollback` and `down`."""

from typing import Annotated

import typer

from todoctl.cli.common import (
    DevPostgresOption,
    EnvFileOption,
    JsonOption,
    RegistryOption,
    SetOption,
    ValuesOption,
    begin,
    secrets,
)
from todoctl.release import check_revision, image_hint
from todoctl.release import deploy as deploy_release
from todoctl.release import down as remove_release
from todoctl.release import rollback as rollback_release
from todoctl.state import deployable_images
from todoctl.values import compose


def deploy(
    ctx: typer.Context,
    *,
    values: ValuesOption = None,
    set_: SetOption = None,
    env_file: EnvFileOption = None,
    dev_postgres: DevPostgresOption = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="wait until ready; roll back on failure")
    ] = True,
    registry: RegistryOption = None,
    json: JsonOption = False,
) -> None:
    """helm upgrade --install the chart with the last built images, wait, roll back on failure."""
    session = begin(ctx, json, registry=registry)
    images = deployable_images(session.registry)
    composed = compose(
        images=images,
        secrets=secrets(env_file),
        files=values or [],
        sets=set_ or [],
        dev_postgres=dev_postgres,
    )
    output = session.output
    if not images:
        output.warn(
            "no images built yet: deploying the chart's default tags (build them with `todoctl build`)"
        )
    for note in composed.notes:
        output.warn(note)
    with output.status(f"deploying release {session.settings.release}…") as update:
        deployed = deploy_release(
            session.helm,
            session.kube,
            composed,
            images,
            release=session.settings.release,
            namespace=session.settings.namespace,
            timeout=session.settings.timeout,
            image_hint=lambda: image_hint(session.registry, session.provider),
            wait=wait,
            on_progress=update,
        )

    def render() -> None:
        output.ok(
            f"release {deployed.release}: revision {deployed.revision} {deployed.status} "
            f"in {deployed.seconds:.0f}s"
        )
        if deployed.secrets:
            output.info(f"secrets from the environment: {', '.join(deployed.secrets)}")
        output.info("next: todoctl forward")

    output.result(deployed.as_dict(), render)


def rollback(
    ctx: typer.Context,
    *,
    revision: Annotated[
        int | None, typer.Argument(help="revision to return to (default: the previous one)")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Roll the release back (helm rollback --wait)."""
    session = begin(ctx, json)
    check_revision(revision)
    with session.output.status("rolling back…"):
        document = rollback_release(session.helm, session.settings.release, revision)
    session.output.result(
        {
            "release": session.settings.release,
            "revision": document.get("version"),
            "status": (document.get("info") or {}).get("status"),
        },
        lambda: session.output.ok(
            f"release {session.settings.release} is at revision {document.get('version')} again"
        ),
    )


def down(ctx: typer.Context, *, json: JsonOption = False) -> None:
    """Uninstall the release, and say what was left behind, if anything."""
    session = begin(ctx, json)
    with session.output.status("uninstalling…"):
        removed = remove_release(
            session.helm,
            session.kube,
            release=session.settings.release,
            namespace=session.settings.namespace,
            timeout=session.settings.timeout,
        )

    def render() -> None:
        if removed.was_installed:
            session.output.ok(f"release {removed.release} removed from namespace {removed.namespace}")
        else:
            session.output.info(
                f"release {removed.release} was not installed in namespace {removed.namespace}"
            )
        for leftover in removed.leftovers:
            session.output.warn(
                f"left behind: {leftover} (delete it with kubectl delete {leftover} -n {removed.namespace})"
            )

    session.output.result(removed.as_dict(), render)
