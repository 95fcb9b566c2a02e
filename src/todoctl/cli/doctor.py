"""`doctor`."""

import typer

from todoctl import doctor as checks
from todoctl.cli.common import JsonOption, RegistryOption, begin, environment
from todoctl.errors import ReportedFailure


def doctor(ctx: typer.Context, *, registry: RegistryOption = None, json: JsonOption = False) -> None:
    """Check docker, kubectl, helm, the cluster and its resources, and the registry if one is set;
    each failure with its fix."""
    session = begin(ctx, json, registry=registry)
    with session.output.status("checking…"):
        found = checks.diagnose_environment(environment(session))
    failed = checks.failures(found)

    def render() -> None:
        for check in found:
            if check.ok:
                session.output.ok(f"{check.name}: {check.detail}")
            elif check.required:
                session.output.fail(f"{check.name}: {check.detail}")
            else:
                session.output.warn(f"{check.name}: {check.detail}")
            if not check.ok and check.hint:
                session.output.info(f"    fix: {check.hint}")

    session.output.result({"ok": not failed, "checks": [c.as_dict() for c in found]}, render)
    if failed:
        raise ReportedFailure(f"{len(failed)} check(s) failed: {', '.join(c.name for c in failed)}")
