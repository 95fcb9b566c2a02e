"""`todoctl validate-stateless`: the proof that no pod keeps anything that matters.

Through the deployed service's own API: a user creates a conversation and tasks; then the ai-todo
pods, the mcp-server pods, and all of them at once are deleted. After each disruption the report
holds the time until the replacements are ready and until the first successful request, and
whether the conversation history and the tasks are exactly as before, with the same token and the
same conversation continuing. Optionally, N other conversations keep chatting throughout, and every
failed request and every lost task is counted.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from kubernetes import client

from todoctl.adapters.kube import Kube
from todoctl.chat import DEFAULT_RETRY_AFTER_SECONDS, ChatApi, ChatFailed, Reply, tasks_from
from todoctl.components import AI_TODO, MCP_SERVER, SERVICES, component_selector
from todoctl.errors import TodoctlError
from todoctl.parsers.pods import is_ready

DISRUPTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (f"{AI_TODO.label} pods", (AI_TODO.label,)),
    (f"{MCP_SERVER.label} pods", (MCP_SERVER.label,)),
    ("all pods", tuple(item.label for item in SERVICES)),
)
SEED_MESSAGES = ("Add a task to buy groceries", "Add a task to pay bills")
CHECK_MESSAGE = "Show me all my tasks"
RETRY_SECONDS = 0.25
# How long the load users' final listing waits for the service to answer again.
PATIENCE_SECONDS = 180.0

ApiFor = Callable[[str], ChatApi]  # user id -> a client for that user, with a token of its own


@dataclass
class Disruption:
    name: str
    deleted: list[str] = field(default_factory=list)
    ready_seconds: float | None = None
    first_success_seconds: float | None = None
    history_intact: bool = False
    tasks_intact: bool = False
    conversation_continued: bool = False
    problems: list[str] = field(default_factory=list)

    def passed(self, threshold: float) -> bool:
        return (
            not self.problems
            and self.history_intact
            and self.tasks_intact
            and self.conversation_continued
            and self.first_success_seconds is not None
            and self.first_success_seconds <= threshold
        )


@dataclass
class LoadReport:
    conversations: int
    requests: int = 0
    failed: int = 0
    # answered 429: the per-user rate, honoured by waiting as asked; not a failure of the release
    rate_limited: int = 0
    lost_tasks: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class StatelessReport:
    user_id: str
    conversation_id: int
    threshold_seconds: float
    tasks: int
    disruptions: list[Disruption] = field(default_factory=list)
    load: LoadReport | None = None

    @property
    def passed(self) -> bool:
        load_ok = self.load is None or (self.load.lost_tasks == 0 and not self.load.problems)
        return load_ok and all(item.passed(self.threshold_seconds) for item in self.disruptions)

    def as_dict(self) -> dict[str, Any]:
        document = asdict(self)
        document["passed"] = self.passed
        for item, disruption in zip(document["disruptions"], self.disruptions, strict=True):
            item["passed"] = disruption.passed(self.threshold_seconds)
        return document


@dataclass(frozen=True)
class Snapshot:
    messages: list[tuple[int, str, str]]
    tasks: frozenset[tuple[Any, str, bool]]


class Validator:
    def __init__(
        self,
        kube: Kube,
        api_for: ApiFor,
        *,
        release: str,
        user_id: str,
        threshold_seconds: float = 10.0,
        recovery_timeout: float = 180.0,
        on_progress: Callable[[str], None] | None = None,
    ) -> None:
        self.kube = kube
        self.api_for = api_for
        self.release = release
        self.user_id = user_id
        self.threshold = threshold_seconds
        self.recovery_timeout = recovery_timeout
        self.say = on_progress or (lambda text: None)

    def run(self, concurrent: int = 0) -> StatelessReport:
        with self.api_for(self.user_id) as api:
            conversation, snapshot = self._seed(api)
            report = StatelessReport(self.user_id, conversation, self.threshold, tasks=len(snapshot.tasks))
            load = _Load(self.api_for, concurrent) if concurrent else None
            if load is not None:
                load.start()
            try:
                for name, components in DISRUPTIONS:
                    disruption, snapshot = self._disrupt(api, conversation, snapshot, name, components)
                    report.disruptions.append(disruption)
            finally:
                if load is not None:
                    report.load = load.finish()
        return report

    def _seed(self, api: ChatApi) -> tuple[int, Snapshot]:
        self.say(f"creating a conversation and tasks as {self.user_id}")
        conversation = api.chat(SEED_MESSAGES[0]).conversation_id
        for message in SEED_MESSAGES[1:]:
            api.chat(message, conversation)
        reply = api.chat(CHECK_MESSAGE, conversation)
        tasks = _task_set(reply)
        if len(tasks) < len(SEED_MESSAGES):
            raise TodoctlError(
                f"the service should list the {len(SEED_MESSAGES)} tasks just added but lists {len(tasks)}",
                hint="check `todoctl logs` before testing statelessness",
            )
        return conversation, Snapshot(_history(api, conversation), tasks)

    def _disrupt(
        self, api: ChatApi, conversation: int, before: Snapshot, name: str, components: tuple[str, ...]
    ) -> tuple[Disruption, Snapshot]:
        disruption = Disruption(name)
        selectors = [component_selector(self.release, component) for component in components]
        desired = {selector: self._desired_replicas(selector) for selector in selectors}
        # pods still Terminating (from the previous disruption or a rollout) are already leaving
        victims = [
            pod.metadata.name
            for selector in selectors
            for pod in self.kube.pods(selector)
            if pod.metadata.deletion_timestamp is None
        ]
        if not victims:
            disruption.problems.append("no pods to delete")
            return disruption, before
        self.say(f"deleting {name}: {', '.join(victims)}")
        started = time.monotonic()
        self.kube.delete_pods(victims)
        disruption.deleted = victims
        reply = self._first_success(api, conversation, started, disruption)
        for selector, replicas in desired.items():
            if self._wait_replaced(selector, set(victims), replicas, started) is None:
                disruption.problems.append(
                    f"{selector.rsplit('=', 1)[-1]} pods not ready after {self.recovery_timeout:g}s"
                )
        disruption.ready_seconds = time.monotonic() - started
        if reply is None:
            return disruption, before
        history = self._read_history(api, conversation, started, disruption)
        if history is None:
            return disruption, before
        self._compare(before, history, reply, disruption)
        return disruption, Snapshot(history, _task_set(reply))

    def _desired_replicas(self, selector: str) -> int:
        deployments = self.kube.deployments(selector)
        return sum(item.spec.replicas if item.spec.replicas is not None else 1 for item in deployments)

    def _first_success(
        self, api: ChatApi, conversation: int, started: float, disruption: Disruption
    ) -> Reply | None:
        """The same token continuing the same conversation, retried until it works."""
        deadline = started + self.recovery_timeout
        last_error = ""
        while time.monotonic() < deadline:
            try:
                reply = api.chat(CHECK_MESSAGE, conversation)
            except ChatFailed as error:
                last_error = error.message
                time.sleep(RETRY_SECONDS)
                continue
            disruption.first_success_seconds = time.monotonic() - started
            disruption.conversation_continued = reply.conversation_id == conversation
            if not disruption.conversation_continued:
                disruption.problems.append(
                    f"the reply came in conversation {reply.conversation_id}, not {conversation}"
                )
            return reply
        disruption.problems.append(
            f"no successful request within {self.recovery_timeout:g}s (last: {last_error})"
        )
        return None

    def _wait_replaced(
        self, selector: str, victims: set[str], replicas: int, started: float
    ) -> list[client.V1Pod] | None:
        def replaced(pods: list[client.V1Pod]) -> bool:
            fresh = [pod for pod in pods if pod.metadata.name not in victims and is_ready(pod)]
            return len(fresh) >= replicas

        remaining = max(1.0, started + self.recovery_timeout - time.monotonic())
        return self.kube.wait_pods(selector, replaced, remaining)

    def _read_history(
        self, api: ChatApi, conversation: int, started: float, disruption: Disruption
    ) -> list[tuple[int, str, str]] | None:
        """Retried like the first request: a forward moving to another pod is not a lost message."""
        deadline = started + self.recovery_timeout
        while True:
            try:
                return _history(api, conversation)
            except ChatFailed as error:
                if time.monotonic() >= deadline:
                    disruption.problems.append(f"the history could not be read: {error.message}")
                    return None
                time.sleep(RETRY_SECONDS)

    def _compare(
        self, before: Snapshot, history: list[tuple[int, str, str]], reply: Reply, disruption: Disruption
    ) -> None:
        after_tasks = _task_set(reply)
        lost = before.tasks - after_tasks
        appeared = after_tasks - before.tasks
        disruption.tasks_intact = not lost and not appeared
        for task in sorted(lost, key=str):
            disruption.problems.append(f"task {task[0]} {task[1]!r} was lost")
        for task in sorted(appeared, key=str):
            disruption.problems.append(f"task {task[0]} {task[1]!r} appeared or changed")
        disruption.history_intact = history[: len(before.messages)] == before.messages
        if not disruption.history_intact:
            disruption.problems.append(
                f"the conversation's history changed: {len(before.messages)} messages before, "
                f"{len(history)} now, and the earlier ones differ"
            )


def _task_set(reply: Reply) -> frozenset[tuple[Any, str, bool]]:
    tasks = tasks_from(reply)
    if tasks is None:
        raise TodoctlError(
            f"asking {CHECK_MESSAGE!r} did not list the tasks "
            f"(tool calls: {[call.get('name') for call in reply.tool_calls]})",
            hint="the service's agent should call list_tasks for this message; check `todoctl logs ai-todo`",
        )
    return frozenset((task.get("id"), str(task.get("title")), bool(task.get("completed"))) for task in tasks)


def _history(api: ChatApi, conversation: int) -> list[tuple[int, str, str]]:
    return [(int(item["id"]), str(item["role"]), str(item["content"])) for item in api.messages(conversation)]


class _Load:
    """N users chatting in their own conversations while the pods are deleted."""

    def __init__(self, api_for: ApiFor, conversations: int) -> None:
        self.api_for = api_for
        self.report = LoadReport(conversations)
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.created: dict[str, set[Any]] = {}
        self.threads = [
            threading.Thread(target=self._chat, args=(f"load-{index}",), daemon=True)
            for index in range(conversations)
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def _chat(self, user_id: str) -> None:
        created = self.created.setdefault(user_id, set())
        conversation: int | None = None
        with self.api_for(user_id) as api:
            counter = 0
            while not self.stop.is_set():
                counter += 1
                try:
                    reply = api.chat(f"Add a task to load item {counter}", conversation)
                except ChatFailed as error:
                    with self.lock:
                        self.report.requests += 1
                        if error.rate_limited:
                            self.report.rate_limited += 1
                        else:
                            self.report.failed += 1
                    self.stop.wait(error.retry_after if error.rate_limited else RETRY_SECONDS)
                    continue
                conversation = reply.conversation_id
                with self.lock:
                    self.report.requests += 1
                for call in reply.tool_calls:
                    result = call.get("result")
                    if call.get("name") == "add_task" and isinstance(result, dict) and "task_id" in result:
                        created.add(result["task_id"])

    def finish(self) -> LoadReport:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)
        for user_id, created in self.created.items():
            try:
                with self.api_for(user_id) as api:
                    listed = {task.get("id") for task in tasks_from(_patiently(api, CHECK_MESSAGE)) or []}
            except ChatFailed as error:
                self.report.problems.append(f"{user_id}: could not list tasks afterwards: {error.message}")
                continue
            self.report.lost_tasks += len(created - listed)
        return self.report


def _patiently(api: ChatApi, message: str, within: float = PATIENCE_SECONDS) -> Reply:
    """One turn, waiting out the user's rate as the service asks (a load user has used it up), and
    a service that does not answer for a moment: after the last disruption the forward may be
    moving to a new pod, refusing connections while it does. A refusal with a status (401, 404…)
    is an answer, not a moment, and is raised at once."""
    deadline = time.monotonic() + within
    while True:
        try:
            return api.chat(message)
        except ChatFailed as error:
            if not (error.rate_limited or error.status is None or error.status == 503):
                raise
            wait = error.retry_after or (DEFAULT_RETRY_AFTER_SECONDS if error.rate_limited else RETRY_SECONDS)
            if time.monotonic() + wait > deadline:
                raise
            time.sleep(wait)
