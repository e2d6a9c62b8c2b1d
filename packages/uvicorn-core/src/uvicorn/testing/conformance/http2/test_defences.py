"""Attacks on HTTP/2 sent over real sockets: each ends in a clean stream or connection
error, bounded work for the server, and the server goes on serving other clients."""

from __future__ import annotations

import select
import time
from typing import Any

import pytest

from uvicorn.protocols.http.multiplexed import RAPID_RESET_LIMIT, MultiplexedConnection
from uvicorn.testing import apps as kit_apps
from uvicorn.testing.conformance.http2 import apps
from uvicorn.testing.h2client import H2Client, h2, hyperframe
from uvicorn.testing.utils import run_server, wait_for

pytestmark = pytest.mark.timeout(30)


class CountingApp:
    def __init__(self) -> None:
        self.runs = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.runs += 1
        await kit_apps.send_plain(send, b"ok")


def goaway_of(client: H2Client) -> hyperframe.frame.GoAwayFrame:
    """The GOAWAY the server sends, read past whatever comes before it."""
    for frame in client.raw_frames():
        if isinstance(frame, hyperframe.frame.GoAwayFrame):
            return frame
    raise AssertionError("the server closed without GOAWAY")


def still_serving(port: int) -> bool:
    with H2Client(port) as client:
        return client.request("/next").status == 200


def test_rapid_reset_is_cut_off_with_enhance_your_calm(http2_impl: str) -> None:
    app = CountingApp()
    with run_server(app, http2=http2_impl) as server, H2Client(server.port) as client:
        try:
            for _ in range(RAPID_RESET_LIMIT * 5 // 10):
                for _ in range(10):  # ten opened and reset streams per write
                    stream_id = client.conn.get_next_available_stream_id()
                    client.conn.send_headers(
                        stream_id,
                        [
                            (b":method", b"GET"),
                            (b":scheme", b"http"),
                            (b":authority", b"x"),
                            (b":path", b"/"),
                        ],
                    )
                    client.conn.reset_stream(stream_id, h2.errors.ErrorCodes.CANCEL)
                client.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # cut off while still sending
        goaway = goaway_of(client)
        assert goaway.error_code == h2.errors.ErrorCodes.ENHANCE_YOUR_CALM
        assert still_serving(server.port)
    assert app.runs <= RAPID_RESET_LIMIT  # reset in the same read: never run at all


def test_continuation_flood_is_a_connection_error(http2_impl: str) -> None:
    with run_server(kit_apps.hello, http2=http2_impl) as server, H2Client(server.port) as client:
        headers = hyperframe.frame.HeadersFrame(1)
        headers.data = b"\x82\x86\x84"  # :method GET, :scheme http, :path / (indexed)
        frames = [headers.serialize()]
        for _ in range(1000):
            continuation = hyperframe.frame.ContinuationFrame(1)
            continuation.data = b"\x40\x05x-pad\x0416KB" * 1000  # literal fields, never ending
            frames.append(continuation.serialize())
        try:
            for frame in frames:
                client.sock.sendall(frame)
        except (BrokenPipeError, ConnectionResetError):
            pass
        goaway = goaway_of(client)
        assert goaway.error_code != h2.errors.ErrorCodes.NO_ERROR
        assert still_serving(server.port)


def test_garbage_after_the_preface_is_a_protocol_error(http2_impl: str) -> None:
    with run_server(kit_apps.hello, http2=http2_impl) as server, H2Client(server.port) as client:
        client.sock.sendall(b"\x00\x00\x08\x07\x00\x00\x00\x00\x01" + b"not a frame at all")
        goaway = goaway_of(client)
        assert goaway.error_code == h2.errors.ErrorCodes.PROTOCOL_ERROR
        assert still_serving(server.port)


def test_content_length_disagreeing_with_data_is_refused(http2_impl: str) -> None:
    with (
        run_server(kit_apps.echo_body, http2=http2_impl) as server,
        H2Client(server.port) as client,
    ):
        stream_id = client.start_request(
            "/", method="POST", headers=[(b"content-length", b"10")], end_stream=False
        )
        client.conn.send_data(stream_id, b"short", end_stream=True)
        client.flush()
        goaway = goaway_of(client)
        assert goaway.error_code == h2.errors.ErrorCodes.PROTOCOL_ERROR
        assert still_serving(server.port)


def test_streams_beyond_the_limit_are_refused(http2_impl: str) -> None:
    recorder = apps.Recorder()
    app = apps.held_until_released(recorder)
    with run_server(app, http2=http2_impl, h2_max_concurrent_streams=2) as server:
        with H2Client(server.port) as client:
            # Sent before the client has read the server's settings, as an attacker would.
            stream_ids = [client.start_request(f"/{i}") for i in range(3)]
            refused = client.wait(stream_ids[2])
            assert wait_for(lambda: len(recorder.messages) == 2)
            recorder.release_all()
            served = [client.wait(stream_id) for stream_id in stream_ids[:2]]
    assert refused.reset
    assert [response.status for response in served] == [200, 200]
    assert sorted(message["path"] for message in recorder.messages) == ["/0", "/1"]


def test_ping_flood_from_a_client_that_does_not_read_stops_reading(http2_impl: str) -> None:
    """The acknowledgements a flood asks for stay within the transport's buffer: once it
    is full, the server reads nothing more from that client."""
    with run_server(kit_apps.hello, http2=http2_impl) as server:
        client = H2Client(server.port, receive_buffer=4096)  # its acks back up sooner
        assert client.request("/").status == 200
        (connection,) = [
            c for c in server.state.connections if isinstance(c, MultiplexedConnection)
        ]
        transport: Any = connection.transport
        ping = hyperframe.frame.PingFrame(0)
        ping.opaque_data = b"12345678"
        flood = ping.serialize() * 4096
        client.sock.setblocking(False)
        sent = 0
        deadline = time.monotonic() + 20
        while transport.is_reading():
            assert time.monotonic() < deadline, "the server kept reading"
            offset = sent % len(flood)
            try:
                sent += client.sock.send(flood[offset:])
            except BlockingIOError:
                select.select([], [client.sock], [], 0.05)
        client.sock.close()
        assert still_serving(server.port)


def test_header_list_far_over_the_limit_is_a_connection_error(http2_impl: str) -> None:
    """Within twice the head limit the stream is answered 431 (test_streams); far beyond
    it, HPACK decoding stops and the connection ends."""
    with run_server(kit_apps.hello, http2=http2_impl) as server, H2Client(server.port) as client:
        client.start_request("/", headers=[(b"x-huge", b"a" * 100_000)])
        goaway = goaway_of(client)
        assert goaway.error_code != h2.errors.ErrorCodes.NO_ERROR
        assert still_serving(server.port)


GET = [(b":method", b"GET"), (b":scheme", b"http"), (b":authority", b"x")]


@pytest.mark.parametrize(
    ("pseudo", "headers"),
    [
        pytest.param(GET, [], id="no-path"),
        pytest.param([*GET, (b":path", b"/"), (b":bogus", b"1")], [], id="unknown-pseudo"),
        pytest.param([*GET, (b":path", b"/"), (b":path", b"/2")], [], id="repeated-pseudo"),
        pytest.param([*GET, (b":path", b"/")], [(b"X-Upper", b"1")], id="uppercase-name"),
        pytest.param([*GET, (b":path", b"/")], [(b"connection", b"close")], id="connection"),
        pytest.param([*GET, (b":path", b"/")], [(b"transfer-encoding", b"chunked")], id="te"),
        pytest.param([*GET, (b":path", b"/")], [(b"te", b"gzip")], id="te-not-trailers"),
        pytest.param([*GET, (b":path", b"/")], [(b"x", b"a\x00b")], id="nul-in-value"),
        pytest.param([*GET, (b":path", b"/ space")], [], id="space-in-path"),
    ],
)
def test_malformed_request_is_refused_and_others_are_served(
    http2_impl: str, pseudo: list[tuple[bytes, bytes]], headers: list[tuple[bytes, bytes]]
) -> None:
    """RFC 9113 section 8.1.1: a stream error, answered 400 on that stream by the core; the
    app never sees it, and the other streams of the connection go on."""
    app = CountingApp()
    with (
        run_server(app, http2=http2_impl) as server,
        H2Client(server.port, validate=False) as client,
    ):
        response = client.wait(client.start_request(pseudo=pseudo, headers=headers))
        assert response.status == 400
        assert client.request("/next").status == 200
    assert app.runs == 1


def hpack_table_size_update(size: int) -> bytes:
    """An HPACK dynamic table size update (RFC 7541 section 6.3) to ``size``."""
    if size < 31:
        return bytes([0x20 | size])
    encoded, rest = bytearray([0x3F]), size - 31
    while rest >= 128:
        encoded.append(rest % 128 + 128)
        rest //= 128
    encoded.append(rest)
    return bytes(encoded)


def test_oversized_hpack_table_size_update_is_a_connection_error(http2_impl: str) -> None:
    """RFC 9113 names COMPRESSION_ERROR; h2 reports its decoding errors as PROTOCOL_ERROR."""
    with run_server(kit_apps.hello, http2=http2_impl) as server, H2Client(server.port) as client:
        headers = hyperframe.frame.HeadersFrame(1)
        headers.flags.add("END_HEADERS")
        headers.flags.add("END_STREAM")
        # Far over the 4096 bytes the server's settings allow, then :method GET,
        # :scheme http, :path / (indexed).
        headers.data = hpack_table_size_update(1 << 20) + b"\x82\x86\x84"
        client.sock.sendall(headers.serialize())
        goaway = goaway_of(client)
        compression_or_protocol = (
            h2.errors.ErrorCodes.COMPRESSION_ERROR,
            h2.errors.ErrorCodes.PROTOCOL_ERROR,
        )
        assert goaway.error_code in compression_or_protocol
        assert still_serving(server.port)
