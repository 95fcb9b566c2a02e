"""Port checks on real sockets: TIME_WAIT left by a stopped server is no obstacle, a listener is."""

import socket
import subprocess
import sys

import pytest

from todoctl.ports import can_listen, holder


def time_wait_on(port: int) -> None:
    """A server on `port` that closes its side of a connection first, then stops listening: the
    kernel keeps that connection in TIME_WAIT on the port for a minute."""
    with socket.create_server(("127.0.0.1", port)) as server:
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
        accepted.close()
        client.recv(1)  # the server's FIN
        client.close()


def test_a_port_in_time_wait_can_be_listened_on(unused_port):
    time_wait_on(unused_port)
    with socket.socket() as plain, pytest.raises(OSError, match="Address already in use"):
        plain.bind(("127.0.0.1", unused_port))  # what the check did before: refused

    assert can_listen(unused_port)


def test_a_listening_port_cannot_and_its_process_is_named(unused_port):
    code = (
        f"import socket,time; s=socket.create_server(('127.0.0.1', {unused_port})); "
        "print('up', flush=True); time.sleep(60)"
    )
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline() == "up\n"

        assert not can_listen(unused_port)
        assert holder(unused_port).startswith(f"pid {process.pid} ({sys.executable} -c import socket")
    finally:
        process.kill()
        process.wait()


def test_a_listener_on_every_address_holds_the_port_for_127_0_0_1_too(unused_port):
    with socket.create_server(("0.0.0.0", unused_port)):
        assert not can_listen(unused_port)
        assert holder(unused_port).startswith("pid ")


def test_nobody_holds_a_free_port(unused_port):
    assert can_listen(unused_port)
    assert holder(unused_port) is None


@pytest.fixture
def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
