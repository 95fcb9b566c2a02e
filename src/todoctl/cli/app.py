"""The Typer application: global options, the error edge, and the commands' registration."""

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from todoctl.cli import (
    build,
    chat,
    db,
    dev,
    doctor,
    forward,
    lint,
    load,
    logs,
    release,
    stateless,
    status,
    up,
    workloads,
)
from todoctl.errors import TodoctlError
from todoctl.output import Output
from todoctl.session import Boundary, Session
from todoctl.settings import resolve

# the metavar a value shows in --help, by its Python type, as Click has always shown them
CONVENTIONAL_METAVARS = {"str": "TEXT", "int": "INTEGER", "float": "FLOAT", "Path": "PATH"}


def _conventional(param: TyperOption | TyperArgument) -> str:
    bare = param.bare_type().removeprefix("list[").removesuffix("]")
    return CONVENTIONAL_METAVARS.get(bare, bare.upper())


def conventional_metavars(params: list[Any]) -> None:
    """Typer 0.2x shows a type beside every parameter (`<bool>`, `<str>`): a flag takes no value, so
    it shows none, and a value shows the names Click's help always used (TEXT, INTEGER, PATH)."""
    for param in params:
        if isinstance(param, TyperOption) and param.metavar is None:
            param.metavar = "" if param.is_flag else _conventional(param)
        elif isinstance(param, TyperArgument):
            # an argument's metavar would also rename it in the usage line, so only its type column
            # changes: an instance attribute in front of the class's method
            label = _conventional(param)
            param.display_type_rich = lambda ctx, label=label: label


class TodoctlCommand(TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        conventional_metavars(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        return _flag(super().get_help_option(ctx))


def _flag(option: Any) -> Any:
    if option is not None:
        option.metavar = ""
    return option


class TodoctlGroup(TyperGroup):
    """Expected failures end here: one line, the evidence, the fix, a non-zero exit; the traceback
    only with --verbose."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        conventional_metavars(self.params)

    def get_help_option(self, ctx: Any) -> Any:
        return _flag(super().get_help_option(ctx))

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except TodoctlError as error:
            output = _output_of(ctx)
            if output.verbose:
                output.console.print_exception()
            output.error(error)
            raise typer.Exit(error.exit_code) from None
        except KeyboardInterrupt:
            _output_of(ctx).warn("interrupted")
            raise typer.Exit(130) from None


def _output_of(ctx: Any) -> Output:
    if isinstance(ctx.obj, Session):
        return ctx.obj.output
    params = ctx.params or {}
    return Output(json_mode=bool(params.get("json")), verbose=bool(params.get("verbose")))


app = typer.Typer(
    cls=TodoctlGroup,
    name="todoctl",
    help="Run the AI Todo chatbot on Kubernetes in one command, and prove it is cloud-native.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    *,
    context: Annotated[
        str | None, typer.Option(envvar="TODOCTL_CONTEXT", help="kube context (default: the current one)")
    ] = None,
    namespace: Annotated[
        str | None,
        typer.Option(
            "--namespace",
            "-n",
            envvar="TODOCTL_NAMESPACE",
            help="namespace of the release [default: default]",
        ),
    ] = None,
    release: Annotated[
        str | None, typer.Option(envvar="TODOCTL_RELEASE", help="Helm release name [default: todo]")
    ] = None,
    provider: Annotated[
        str | None,
        typer.Option(
            envvar="TODOCTL_PROVIDER",
            help="minikube, kind, k3d or generic (default: from the context's name)",
        ),
    ] = None,
    timeout: Annotated[
        int | None, typer.Option(envvar="TODOCTL_TIMEOUT", help="seconds to wait for rollouts [default: 300]")
    ] = None,
    helm: Annotated[
        str | None,
        typer.Option(envvar="TODOCTL_HELM", help="the helm binary, Helm 3.7+ or 4 [default: helm on PATH]"),
    ] = None,
    json: Annotated[
        bool, typer.Option("--json", envvar="TODOCTL_JSON", help="print one JSON document on stdout")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="more detail, and tracebacks")] = False,
) -> None:
    """Settings come from these flags, TODOCTL_* variables, then a todoctl.toml found upwards."""
    boundary = ctx.obj if isinstance(ctx.obj, Boundary) else Boundary()
    flags = {
        "context": context,
        "namespace": namespace,
        "release": release,
        "provider": provider,
        "timeout": timeout,
        "helm": helm,
    }
    settings = resolve({**flags, "json": json, "verbose": verbose}, Path.cwd())
    ctx.obj = Session(settings, boundary, Output(json_mode=json, verbose=verbose))


# the commands, in the order `todoctl --help` lists them; each is a thin function in cli/<module>.py
# over the work module of the same name (todoctl/<module>.py)
COMMANDS = [
    doctor.doctor,
    status.status,
    db.db,
    logs.logs,
    workloads.scale,
    workloads.restart,
    build.build,
    load.load,
    lint.lint,
    release.deploy,
    up.up,
    release.rollback,
    release.down,
    forward.forward,
    chat.chat,
    stateless.validate_stateless,
    dev.dev,
]
for command in COMMANDS:
    # validate_stateless -> validate-stateless
    app.command(command.__name__.replace("_", "-"), cls=TodoctlCommand)(command)
