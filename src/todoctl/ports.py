"""Whether a local TCP port can be listened on, and which process holds it when it cannot."""

import os
import socket
from pathlib import Path

_LISTEN = "0A"  # the state column of /proc/net/tcp
_PROC = Path("/proc")


def can_listen(port: int, host: str = "127.0.0.1") -> bool:
    """Binds the way servers do (uvicorn, through asyncio, sets SO_REUSEADDR): the connections of a
    server that has just stopped, left in TIME_WAIT, do not count; a socket listening there does."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def holder(port: int) -> str | None:
    """`pid 4242 (python3 -m http.server 8000)` of the process listening on the port, when Linux's
    /proc shows it (other users' processes stay hidden unless todoctl runs as root)."""
    sockets = _listening_sockets(port)
    if not sockets:
        return None
    for process in _PROC.glob("[0-9]*"):
        try:
            descriptors = list((process / "fd").iterdir())
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                target = os.readlink(descriptor)
            except OSError:
                continue
            if target in sockets:
                return f"pid {process.name} ({_command_line(process)})"
    return None


def _listening_sockets(port: int) -> set[str]:
    """`socket:[inode]` of the sockets listening on the port, IPv4 and IPv6."""
    found = set()
    for table in ("net/tcp", "net/tcp6"):
        try:
            rows = (_PROC / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            # sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
            if len(fields) > 9 and fields[3] == _LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                found.add(f"socket:[{fields[9]}]")
    return found


def _command_line(process: Path) -> str:
    try:
        words = (process / "cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    text = " ".join(word.decode(errors="replace") for word in words if word)
    return text if len(text) <= 80 else text[:79] + "…"
