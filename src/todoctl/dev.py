"""`todoctl dev`: both services on this machine, on one SQLite file, with the offline model.

The secrets are generated once and kept in the state directory, so a token printed by one
`todoctl dev` still opens the chat after a restart, and the data stays with it too. That directory
is its owner's alone (0700) and so is everything in it (0600): the services run with umask 077.
"""

import json
import os
import secrets
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from todo_core.tokens import DEFAULT_TTL_SECONDS, mint_token
from todoctl import ports
from todoctl.adapters.runner import Runner, Spawned
from todoctl.components import AI_TODO, MCP_SERVER, SERVICES
from todoctl.errors import ConfigError, TodoctlError

READY_TIMEOUT_SECONDS = 60
# What the user's shell may hold that would change what dev runs against: dev is always local,
# offline and self-contained.
_INHERITED_OUT = ("OPENAI_", "AUTH_", "MCP_", "DATABASE_URL", "HOST", "PORT")
PRIVATE_UMASK = 0o077
# what dev keeps in its directory; made private when an earlier todoctl left it readable
_DEV_FILES = ("todo.db", "todo.db-wal", "todo.db-shm", "todo.db-journal", "dev-secrets.json")


@dataclass
class DevService:
    module: str
    port: int
    process: Spawned
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 15) -> list[str]:
        try:
            return self.log_path.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            return []


@dataclass
class DevRun:
    state_dir: Path
    user_id: str
    token: str
    services: list[DevService] = field(default_factory=list)

    @property
    def chat(self) -> DevService:
        return self.services[-1]

    @property
    def url(self) -> str:
        return f"{self.chat.base_url}/#token={self.token}"

    def exited(self) -> DevService | None:
        return next((service for service in self.services if service.process.poll() is not None), None)

    def stop(self) -> dict[str, int]:
        """The chat service first, so nothing calls the tool server while it stops."""
        return {service.module: service.process.stop(timeout=30) for service in reversed(self.services)}


def dev_secrets(state_dir: Path) -> dict[str, str]:
    path = state_dir / "dev-secrets.json"
    if path.is_file():
        try:
            stored = json.loads(path.read_text())
            if isinstance(stored, dict) and stored.get("AUTH_JWT_SECRET") and stored.get("MCP_AUTH_TOKEN"):
                return stored
        except (json.JSONDecodeError, OSError):
            pass  # regenerated below; tokens minted with the lost secret stop working, nothing else
    generated = {"AUTH_JWT_SECRET": secrets.token_urlsafe(32), "MCP_AUTH_TOKEN": secrets.token_urlsafe(32)}
    # a fresh file, created 0600 and renamed into place: an existing file's mode would otherwise stay
    temporary = path.with_suffix(".tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(generated, handle)
    temporary.replace(path)
    return generated


def service_environments(
    base: Mapping[str, str], state_dir: Path, *, port: int, mcp_port: int, dev: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The environments of mcp-server and ai-todo."""
    clean = {key: value for key, value in base.items() if not key.startswith(_INHERITED_OUT)}
    common = {
        **clean,
        "DATABASE_URL": f"sqlite:///{state_dir / 'todo.db'}",
        "HOST": "127.0.0.1",
        "MCP_AUTH_TOKEN": dev["MCP_AUTH_TOKEN"],
        "PYTHONUNBUFFERED": "1",
    }
    mcp = {**common, "PORT": str(mcp_port)}
    chat = {
        **common,
        "PORT": str(port),
        "MCP_SERVER_URL": f"http://127.0.0.1:{mcp_port}/mcp",
        "AUTH_JWT_SECRET": dev["AUTH_JWT_SECRET"],
    }
    return mcp, chat


def start(
    runner: Runner,
    *,
    state_dir: Path,
    port: int,
    mcp_port: int,
    user_id: str = "dev",
    token_ttl_seconds: int = DEFAULT_TTL_SECONDS,
    on_status: Callable[[str], None] | None = None,
    owned: bool = True,
) -> DevRun:
    """`owned`: the directory is todoctl's own (not one the user named), so an existing one is made
    private too; a directory todoctl creates always is."""
    if port == mcp_port:
        raise ConfigError(f"--port and --mcp-port are both {port}", hint="give them different ports")
    for wanted, flag in ((port, "--port"), (mcp_port, "--mcp-port")):
        if not ports.can_listen(wanted):
            holder = ports.holder(wanted)
            raise ConfigError(
                f"port {wanted} on 127.0.0.1 is in use" + (f" by {holder}" if holder else ""),
                hint=f"pick another with {flag}",
            )
    prepare_private_directory(state_dir, owned=owned)
    dev = dev_secrets(state_dir)
    mcp_env, chat_env = service_environments(os.environ, state_dir, port=port, mcp_port=mcp_port, dev=dev)
    token = mint_token(dev["AUTH_JWT_SECRET"], user_id, ttl_seconds=token_ttl_seconds)
    run = DevRun(state_dir=state_dir, user_id=user_id, token=token)
    try:
        for module, service_port, env in (
            (MCP_SERVER.module, mcp_port, mcp_env),
            (AI_TODO.module, port, chat_env),
        ):
            if on_status is not None:
                on_status(f"starting {module} on 127.0.0.1:{service_port}")
            log_path = state_dir / f"{module}.log"
            process = runner.spawn(
                [sys.executable, "-m", module], env=env, log_path=log_path, umask=PRIVATE_UMASK
            )
            service = DevService(module, service_port, process, log_path)
            run.services.append(service)
            _wait_ready(service)
    except BaseException:
        run.stop()
        raise
    return run


def _wait_ready(service: DevService) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise TodoctlError(
                f"{service.module} exited with code {service.process.poll()} while starting",
                hint=f"its log is {service.log_path}",
                details=service.log_tail(),
            )
        try:
            if httpx.get(f"{service.base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise TodoctlError(
        f"{service.module} was not ready after {READY_TIMEOUT_SECONDS}s",
        hint=f"its log is {service.log_path}",
        details=service.log_tail(),
    )


def prepare_private_directory(directory: Path, *, owned: bool) -> None:
    """Creates the directory 0700; tightens an existing one of todoctl's and the files dev keeps."""
    existed = directory.is_dir()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if existed and not owned:
            return
        directory.chmod(0o700)
        for name in (*_DEV_FILES, *(f"{item.module}.log" for item in SERVICES)):
            if (directory / name).is_file():
                (directory / name).chmod(0o600)
    except OSError as error:
        raise ConfigError(f"cannot use {directory} as the state directory: {error.strerror}") from None
