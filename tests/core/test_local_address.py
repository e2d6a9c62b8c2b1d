"""Which listeners let connections share one local address instead of asking each socket."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.utils import ipv6_loopback_available
from uvicorn.protocols.utils import shared_local_address


@pytest.fixture
def listeners() -> Iterator[list[socket.socket]]:
    opened: list[socket.socket] = []
    yield opened
    for sock in opened:
        sock.close()


def listen(
    opened: list[socket.socket], family: socket.AddressFamily, address: tuple[str, int] | str
) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    opened.append(sock)
    sock.bind(address)
    sock.listen(1)
    return sock


def test_one_listener_on_one_address_is_shared(listeners: list[socket.socket]) -> None:
    sock = listen(listeners, socket.AF_INET, ("127.0.0.1", 0))
    assert shared_local_address([sock]) == ("127.0.0.1", sock.getsockname()[1])


@pytest.mark.skipif(not ipv6_loopback_available(), reason="no IPv6 loopback here")
def test_one_ipv6_listener_gives_host_and_port(listeners: list[socket.socket]) -> None:
    sock = listen(listeners, socket.AF_INET6, ("::1", 0))
    assert shared_local_address([sock]) == ("::1", sock.getsockname()[1])


def test_wildcard_listener_is_not_shared(listeners: list[socket.socket]) -> None:
    assert shared_local_address([listen(listeners, socket.AF_INET, ("0.0.0.0", 0))]) is None


def test_several_listeners_are_not_shared(listeners: list[socket.socket]) -> None:
    first = listen(listeners, socket.AF_INET, ("127.0.0.1", 0))
    second = listen(listeners, socket.AF_INET, ("127.0.0.1", 0))
    assert shared_local_address([first, second]) is None


def test_unix_listener_is_not_shared(listeners: list[socket.socket], tmp_path: Path) -> None:
    sock = listen(listeners, socket.AF_UNIX, f"{tmp_path}/server.sock")
    assert shared_local_address([sock]) is None


def test_closed_listener_is_not_shared(listeners: list[socket.socket]) -> None:
    sock = listen(listeners, socket.AF_INET, ("127.0.0.1", 0))
    sock.close()
    assert shared_local_address([sock]) is None
