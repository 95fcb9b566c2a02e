"""`build`."""

import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from todoctl import state
from todoctl.build import SIZE_BUDGET_MB, DryRun, build_images, dry_run, over_budget
from todoctl.cli.common import ImageArgument, JsonOption, begin
from todoctl.output import Output


def build(
    ctx: typer.Context,
    *,
    image: ImageArgument = "all",
    tag: Annotated[
        str | None, typer.Option(help="image tag (default: a hash of the image's content)")
    ] = None,
    base_image: Annotated[
        str | None, typer.Option(help="the BASE_IMAGE build argument (default: python:3.13-slim)")
    ] = None,
    ca_cert: Annotated[
        Path | None,
        typer.Option(help="a PEM CA that pip trusts in the build stage only (TLS-inspecting proxies)"),
    ] = None,
    dry_run_: Annotated[
        bool, typer.Option("--dry-run", help="assemble the context and compute the tags; no Docker")
    ] = False,
    context_dir: Annotated[
        Path | None, typer.Option(help="with --dry-run: keep the assembled context here")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Build the service images with Docker; tags are unique per content, so pods really roll."""
    session = begin(ctx, json)
    output = session.output
    if dry_run_:
        with tempfile.TemporaryDirectory(prefix="todoctl-context-") as scratch:
            planned = dry_run(
                image,
                tag=tag,
                base_image=base_image,
                ca_cert=ca_cert,
                context_dir=context_dir or Path(scratch),
            )
            document = planned.as_dict()
            if context_dir is None:
                document["context"] = None  # assembled in a temporary directory, gone by now
            output.result(document, lambda: _render_dry_run(output, planned, kept=context_dir is not None))
        return
    with output.status("building…") as update:
        built = build_images(
            session.docker,
            image,
            tag=tag,
            base_image=base_image,
            ca_cert=ca_cert,
            on_progress=lambda event: update(f"{event.service}: {event.text[:100]}"),
        )
    latest = list(state.built_images().values())
    over = over_budget(latest)
    document = {
        "images": [
            {
                "service": b.service,
                "image": b.image,
                "id": b.image_id,
                "size_mb": round(b.size_mb, 1),
                "seconds": round(b.seconds, 1),
            }
            for b in built
        ],
        "total_mb": round(sum(int(item["size_bytes"]) for item in latest) / 1e6, 1),
        "budget_mb": SIZE_BUDGET_MB,
        "over_budget": over is not None,
    }

    def render() -> None:
        table = Table("image", "size", "time", title="built")
        for b in built:
            table.add_row(b.image, f"{b.size_mb:.0f} MB", f"{b.seconds:.0f}s")
        output.console.print(table)
        if over is not None:
            output.warn(f"the images take {over:.0f} MB together, over the {SIZE_BUDGET_MB} MB budget")
        output.info("next: todoctl load (or todoctl up)")

    output.result(document, render)


def _render_dry_run(output: Output, planned: DryRun, *, kept: bool) -> None:
    output.ok(
        f"context: {planned.files} files, {planned.bytes / 1e6:.1f} MB"
        + (f" in {planned.context}" if kept else "")
    )
    for item in planned.plans:
        args = " ".join(f"--build-arg {k}={v}" for k, v in item.buildargs.items())
        output.info(f"  {item.image}  ({item.dockerfile}{' ' + args if args else ''})")
