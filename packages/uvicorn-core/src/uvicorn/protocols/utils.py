"""Helpers about transports and scopes shared by every protocol implementation."""

from __future__ import annotations

import asyncio
import socket
import ssl
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Protocol

from uvicorn._types import WWWScope

if TYPE_CHECKING:
    from uvicorn._state import ServerState


class BufferedWriter(Protocol):
    """A connection that queues its output during a loop pass (see flush_connections)."""

    def flush_output(self) -> None: ...


def flush_connections(queue: list[BufferedWriter]) -> None:
    """Write what each queued connection buffered during this pass of the event loop.

    Scheduled with ``loop.call_soon`` by the first connection that queues output: the
    messages and responses of one pass leave in one write per connection.
    """
    connections = queue[:]
    queue.clear()
    for connection in connections:
        connection.flush_output()


# A request body buffered beyond this many bytes pauses reading (uvicorn's limit).
HIGH_WATER_LIMIT: Final = 65536
# Queued output above this many bytes is written at once, so that memory stays bounded
# and the transport's flow control sees the data. Output below it waits for the end of
# the loop pass: a response streamed in 64 KiB chunks leaves four chunks per write, in
# fewer system calls and fewer TCP segments (each write ends with a short segment).
OUTPUT_FLUSH_SIZE: Final = 262144


class WriteFlowControl:
    """Output queueing and write flow control shared by HTTP and WebSocket connections.

    ``write()`` queues bytes; they leave in one write per connection at the end of the
    loop pass (``flush_connections``), or at the end of ``data_received`` while
    ``receiving`` is set, whose caller then calls ``flush_output()`` itself.

    The transport calls ``pause_writing``/``resume_writing``; a sender that finds
    ``write_paused`` set awaits ``drain()`` until the transport's buffer has room (or the
    connection closes: ``connection_lost`` must call ``release_drain_waiters``).
    """

    # Slots, set by the subclass's __init__: slot access is the fastest attribute access.
    __slots__ = (
        "closing",
        "drain_waiters",
        "pending_output",
        "pending_size",
        "receiving",
        "write_paused",
    )

    write_paused: bool
    receiving: bool  # inside data_received: its end writes what was queued
    closing: bool  # close the transport once the queued bytes are written
    pending_size: int
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    server_state: ServerState  # its flush_queue collects connections with output
    pending_output: list[bytes]
    drain_waiters: list[asyncio.Future[None]]

    def write(self, data: bytes, *more: bytes) -> None:
        """Queue ``data`` (then each of ``more``) for the socket; empty data writes nothing.

        Pieces are queued as they are, never joined: a large body leaves without a copy.
        """
        if not data:
            return
        pending = self.pending_output
        first = not pending
        pending.append(data)
        size = self.pending_size + len(data)
        if more:
            pending += more
            size += sum(map(len, more))
        if size > OUTPUT_FLUSH_SIZE:
            self.flush_output()  # resets pending_size
            return
        self.pending_size = size
        if first and not self.receiving:  # data_received flushes at its end
            queue = self.server_state.flush_queue
            if not queue:
                self.loop.call_soon(flush_connections, queue)
            queue.append(self)

    def flush_output(self) -> None:
        pending = self.pending_output
        transport = self.transport
        if pending:
            self.pending_output = []
            self.pending_size = 0
            if transport.is_closing():
                return
            transport.writelines(pending)  # one write (writev on uvloop) for all pieces
        if self.closing and not transport.is_closing():
            transport.close()

    def is_closing(self) -> bool:
        raise NotImplementedError

    def pause_writing(self) -> None:
        self.write_paused = True

    def resume_writing(self) -> None:
        self.write_paused = False
        self.release_drain_waiters()

    async def drain(self) -> None:
        if self.write_paused and not self.is_closing():
            waiter = self.loop.create_future()
            self.drain_waiters.append(waiter)
            await waiter

    def release_drain_waiters(self) -> None:
        waiters, self.drain_waiters = self.drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)


class ClientDisconnected(OSError):
    """Raised by ``send`` when the client went away and the message cannot be delivered."""


_ADDRESS_TYPES: Final = (tuple, list)  # a tuple, not list | tuple: built once, not per call


def _address_info(transport: asyncio.BaseTransport, name: str, method: str) -> Any:
    # The transport's cached peername/sockname first: asking for the socket makes uvloop
    # build a new socket object on every call.
    info = transport.get_extra_info(name)
    if info is None:
        sock = transport.get_extra_info("socket")
        if sock is None:
            return None
        try:
            info = getattr(sock, method)()
        except OSError:
            return None
    return info


# Options under which a listener accepts connections for addresses it is not bound to.
_TRANSPARENT_OPTIONS: Final = {
    socket.AF_INET: (socket.SOL_IP, getattr(socket, "IP_TRANSPARENT", None)),
    socket.AF_INET6: (socket.IPPROTO_IPV6, getattr(socket, "IPV6_TRANSPARENT", None)),
}
_UNSPECIFIED_HOSTS: Final = frozenset(("0.0.0.0", "::"))


def shared_local_address(listeners: Sequence[socket.socket]) -> tuple[str, int] | None:
    """The local address of every connection these listeners accept, if they share one.

    A TCP connection's local address is the one its client reached. For a single
    listener bound to one IP address that is the listener's own address, so connections
    need not ask the kernel for it (a ``getsockname`` per connection). Several
    listeners, a wildcard host, a Unix socket or a transparent-proxy listener give
    ``None``: then each connection asks.
    """
    if len(listeners) != 1:
        return None
    sock = listeners[0]
    if sock.family not in _TRANSPARENT_OPTIONS or sock.type != socket.SOCK_STREAM:
        return None
    try:
        address = sock.getsockname()
        level, option = _TRANSPARENT_OPTIONS[sock.family]
        if option is not None and sock.getsockopt(level, option):
            return None
    except OSError:
        return None
    if address[0] in _UNSPECIFIED_HOSTS:
        return None
    return (str(address[0]), int(address[1]))


def get_remote_addr(transport: asyncio.BaseTransport) -> tuple[str, int] | None:
    """The client's ``(host, port)``; ``None`` for a unix socket peer (no address)."""
    info = _address_info(transport, "peername", "getpeername")
    if isinstance(info, _ADDRESS_TYPES) and len(info) >= 2:
        return (str(info[0]), int(info[1]))
    return None


def get_local_addr(transport: asyncio.BaseTransport) -> tuple[str, int | None] | None:
    """The scope's ``server``: ``(host, port)``, or ``(path, None)`` on a unix socket."""
    info = _address_info(transport, "sockname", "getsockname")
    if isinstance(info, _ADDRESS_TYPES) and len(info) >= 2:
        return (str(info[0]), int(info[1]))
    if isinstance(info, str):
        return (info, None)  # the ASGI spec's [path, None]
    return None


def is_ssl(transport: asyncio.BaseTransport) -> bool:
    return bool(transport.get_extra_info("sslcontext"))


# TLS version numbers as the ASGI TLS extension reports them (the record-layer values).
_TLS_VERSIONS = {"TLSv1": 0x0301, "TLSv1.1": 0x0302, "TLSv1.2": 0x0303, "TLSv1.3": 0x0304}


def get_tls_extension(transport: asyncio.BaseTransport) -> dict[object, object] | None:
    """The ASGI ``tls`` scope extension for a TLS transport, ``None`` for plain TCP.

    Computed once per connection. The client chain is the peer's certificate (and, where
    Python offers it, the rest of the verified chain) in PEM; ``cipher_suite`` is the IANA
    number of the negotiated suite.
    """
    ssl_object = transport.get_extra_info("ssl_object")
    if not isinstance(ssl_object, ssl.SSLObject | ssl.SSLSocket):
        return None
    chain: list[str] = []
    verified_chain = getattr(ssl_object, "get_verified_chain", None)  # Python 3.13+
    if verified_chain is not None:
        chain = [_as_pem(cert) for cert in verified_chain()]
    if not chain:
        peer = ssl_object.getpeercert(binary_form=True)
        if peer:
            chain = [ssl.DER_cert_to_PEM_cert(peer)]
    cipher = ssl_object.cipher()
    cipher_suite: int | None = None
    if cipher is not None:
        for known in ssl_object.context.get_ciphers():
            if known["name"] == cipher[0]:
                cipher_suite = int(known["id"]) & 0xFFFF
                break
    return {
        "server_cert": None,
        "client_cert_chain": chain,
        "client_cert_name": _subject_name(ssl_object.getpeercert()),
        "client_cert_error": None,
        "tls_version": _TLS_VERSIONS.get(ssl_object.version() or ""),
        "cipher_suite": cipher_suite,
    }


def _as_pem(certificate: Any) -> str:
    """One certificate of ``get_verified_chain()`` (Python 3.13+) in PEM."""
    data = certificate.public_bytes()
    return data if isinstance(data, str) else ssl.DER_cert_to_PEM_cert(data)


def _subject_name(certificate: Mapping[str, object] | None) -> str | None:
    """An RFC 4514 distinguished name of a decoded peer certificate (most specific first)."""
    if not certificate:
        return None
    subject = certificate.get("subject")
    if not isinstance(subject, tuple):
        return None
    parts = []
    for rdn in reversed(subject):
        parts.append("+".join(f"{_RDN_NAMES.get(key, key)}={value}" for key, value in rdn))
    return ",".join(parts) or None


_RDN_NAMES = {
    "commonName": "CN",
    "countryName": "C",
    "localityName": "L",
    "stateOrProvinceName": "ST",
    "organizationName": "O",
    "organizationalUnitName": "OU",
    "streetAddress": "STREET",
    "domainComponent": "DC",
    "userId": "UID",
}


def get_client_addr(scope: WWWScope) -> str:
    client = scope.get("client")
    if not client:
        return ""
    return f"{client[0]}:{client[1]}"


def get_path_with_query_string(scope: WWWScope) -> str:
    path_with_query_string = urllib.parse.quote(scope["path"])
    if scope["query_string"]:
        path_with_query_string = f"{path_with_query_string}?{scope['query_string'].decode('ascii')}"
    return path_with_query_string
