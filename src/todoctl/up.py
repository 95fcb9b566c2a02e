"""`todoctl up`: values → doctor → build → load → lint → deploy → ready → a smoke chat, each phase timed."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from todoctl import doctor, state
from todoctl.build import SIZE_BUDGET_MB, build_images, over_budget
from todoctl.chat import ChatApi
from todoctl.components import SERVICES
from todoctl.environment import Environment
from todoctl.errors import TodoctlError
from todoctl.forward import forward_chat_service, free_port
from todoctl.lint import ChartCheck, check_chart
from todoctl.load import load_images, recorded_images
from todoctl.release import apply, await_ready, image_hint
from todoctl.resources import chart_dir
from todoctl.tokens import cluster_token
from todoctl.values import Values, compose

# the spec's targets: the whole of `up` within 5 minutes, the pods ready within 60 s of the deploy
TARGET_TOTAL_SECONDS = 300
TARGET_READY_SECONDS = 60
SMOKE_USER = "todoctl-smoke"
SMOKE_MESSAGE = "Show me all my tasks"


@dataclass
class Phase:
    name: str
    seconds: float = 0.0
    detail: str = ""


@dataclass
class UpOptions:
    base_image: str | None = None
    ca_cert: Path | None = None
    values_files: list[Path] = field(default_factory=list)
    sets: list[str] = field(default_factory=list)
    secrets: dict[str, str] = field(default_factory=dict)
    dev_postgres: bool | None = None


@dataclass
class UpReport:
    phases: list[Phase] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        return sum(phase.seconds for phase in self.phases)

    def as_dict(self) -> dict[str, Any]:
        return {
            "phases": [asdict(p) for p in self.phases],
            "total_seconds": self.total_seconds,
            "notes": self.notes,
        }


class Up:
    """`env` rather than connections: the doctor phase reports each part that cannot be reached."""

    def __init__(
        self,
        env: Environment,
        options: UpOptions,
        on_status: Callable[[str], None],
        *,
        release: str,
        timeout: float,
    ) -> None:
        self.env = env
        self.release = release
        self.timeout = timeout
        self.options = options
        self.say = on_status
        self.report = UpReport()
        self.kube_version: str | None = None

    @contextmanager
    def phase(self, name: str) -> Iterator[Phase]:
        current = Phase(name)
        self.say(f"{name}…")
        started = time.monotonic()
        try:
            yield current
        finally:
            current.seconds = time.monotonic() - started
            self.report.phases.append(current)

    def run(self) -> UpReport:
        env, options = self.env, self.options
        with self.phase("values") as phase:
            # The user's values meet the chart's schema before anything slow runs: a typo in --set
            # fails here, not after the build.
            checked = self.compose({})
            self.lint(checked)
            dev_postgres = bool((checked.values.get("devPostgres") or {}).get("enabled"))
            phase.detail = "valid" + (" (with the development PostgreSQL)" if dev_postgres else "")
        with self.phase("doctor") as phase:
            failed = doctor.failures(doctor.diagnose_environment(env, pull_check=False))
            if failed:
                first = failed[0]
                raise TodoctlError(
                    f"{first.name}: {first.detail}",
                    first.hint,
                    details=[f"{c.name}: {c.detail}" for c in failed[1:]],
                )
            phase.detail = f"{env.context()} ({env.provider().kind})"
            # the later lint checks the manifests against the schemas of the cluster's own version
            self.kube_version = ".".join(env.kube().server_version().lstrip("v").split(".")[:2])
        selections = ["all", "dev-postgres"] if dev_postgres else ["all"]
        with self.phase("build") as phase:
            built = [
                image
                for selection in selections
                for image in build_images(
                    env.docker(),
                    selection,
                    tag=None,
                    base_image=options.base_image,
                    ca_cert=options.ca_cert,
                    on_progress=lambda event: self.say(f"build {event.service}: {event.text[:70]}"),
                )
            ]
            phase.detail = ", ".join(f"{b.image} ({b.size_mb:.0f} MB)" for b in built)
            total = over_budget(b for b in built if b.service in {item.label for item in SERVICES})
            if total is not None:
                self.report.notes.append(
                    f"the images take {total:.0f} MB, over the {SIZE_BUDGET_MB} MB budget"
                )
        services = [b.service for b in built]
        with self.phase("load") as phase:
            if env.registry is None and env.provider().kind == "generic":
                phase.detail = "skipped: no --registry, and the cluster is not minikube, kind or k3d"
            else:
                loaded = [
                    item
                    for selection in selections
                    for item in load_images(
                        recorded_images(selection),
                        target=env.registry,
                        docker=env.docker,
                        runner=env.runner,
                        provider=env.provider,
                        on_progress=self.say,
                    )
                ]
                phase.detail = "; ".join(f"{item['image']}: {item['result']}" for item in loaded)
        deployable = state.deployable_images(env.registry, services)
        composed = self.compose(deployable)
        self.report.notes += composed.notes
        with self.phase("lint") as phase:
            check = self.lint(composed, kube_version=self.kube_version)
            phase.detail = f"{check.manifests} manifests valid for Kubernetes {check.kube_version}"
        with self.phase("deploy") as phase:
            applied = apply(env.helm(), composed, release=self.release)
            phase.detail = f"revision {applied.revision} {applied.status}"
        with self.phase("ready") as phase:
            await_ready(
                env.helm(),
                env.kube(),
                applied,
                release=self.release,
                timeout=self.timeout,
                image_hint=image_hint(env.registry, env.provider()),
                on_progress=self.say,
            )
            phase.detail = f"revision {applied.revision}: every pod is ready"
        with self.phase("smoke chat") as phase:
            phase.detail = self.smoke_chat()
        self.check_targets()
        return self.report

    def compose(self, deployable: dict[str, str]) -> Values:
        options = self.options
        return compose(
            images=deployable,
            secrets=options.secrets,
            files=options.values_files,
            sets=options.sets,
            dev_postgres=options.dev_postgres,
        )

    def lint(self, composed: Values, kube_version: str | None = None) -> ChartCheck:
        check = check_chart(
            chart_dir(),
            values=composed.values,
            release=self.release,
            namespace=self.env.namespace,
            kube_version=kube_version,
        )
        if not check.passed:
            raise TodoctlError("the chart does not lint with these values", details=check.problems)
        return check

    def check_targets(self) -> None:
        took = {phase.name: phase.seconds for phase in self.report.phases}
        ready = took["deploy"] + took["ready"]
        if ready > TARGET_READY_SECONDS:
            self.report.notes.append(
                f"the pods took {ready:.0f}s to be ready (target: {TARGET_READY_SECONDS}s)"
            )
        if self.report.total_seconds > TARGET_TOTAL_SECONDS:
            self.report.notes.append(
                f"`todoctl up` took {self.report.total_seconds:.0f}s (target: {TARGET_TOTAL_SECONDS}s)"
            )

    def smoke_chat(self) -> str:
        """One chat turn that the agent can answer only through an MCP tool, as `helm test` does: any
        reply is not enough, the chat must have reached mcp-server and its database."""
        env = self.env
        token = cluster_token(env.kube(), self.release, SMOKE_USER)
        if token is None:
            return "skipped: the release verifies tokens with a JWKS, so todoctl cannot mint one"
        with (
            forward_chat_service(
                env.runner,
                env.kube(),
                context=env.context(),
                namespace=env.namespace,
                release=self.release,
                local_port=free_port(),
            ) as forward,
            ChatApi(forward.url, token=token, user_id=SMOKE_USER) as api,
        ):
            reply = api.chat(SMOKE_MESSAGE)
        tools = [str(call.get("name")) for call in reply.tool_calls]
        if not tools:
            raise TodoctlError(
                f"the smoke chat was answered without a tool, so mcp-server was not reached: "
                f"{reply.response[:120]!r}",
                hint="see `todoctl logs ai-todo` and `todoctl logs mcp`",
            )
        return f"{SMOKE_MESSAGE!r} → {reply.response[:60]!r} through {', '.join(tools)}"
