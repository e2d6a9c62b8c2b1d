"""HTTP/2 streams over real sockets, driven frame by frame with a raw h2 client.

Every test serves with ``http2=http2_impl`` beside the default HTTP/1.1 plugin: what is under
test is the core's multiplexed connection and stream cycle, through each installed HTTP/2
implementation (``--uvicorn-http2`` picks one).
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import pytest

from uvicorn.protocols.http.multiplexed import MultiplexedConnection
from uvicorn.protocols.http.stream import Stream
from uvicorn.testing import apps as kit_apps
from uvicorn.testing.conformance.http2 import apps
from uvicorn.testing.h2client import H2Client, h2, hyperframe
from uvicorn.testing.utils import cyclic_collector_off, live_instances, run_server, wait_for

pytestmark = pytest.mark.timeout(30)


def serve(http2_impl: str, app: Any, **options: Any) -> Any:
    return run_server(app, http2=http2_impl, **options)


def test_prior_knowledge_request_gets_an_http2_scope(http2_impl: str) -> None:
    with (
        serve(http2_impl, apps.describe, root_path="/mount") as server,
        H2Client(server.port) as client,
    ):
        response = client.request("/path?x=1", method="POST", body=b"hello")
    assert response.status == 200
    assert response.header(b"x-served") == b"yes"
    assert response.header(b"server") == b"uvicorn"
    seen = json.loads(response.body)
    assert seen["http_version"] == "2"
    assert seen["method"] == "POST"
    assert seen["path"] == "/mount/path"
    assert seen["root_path"] == "/mount"
    assert seen["query_string"] == "x=1"
    assert seen["scheme"] == "http"
    assert seen["length"] == 5
    assert ["host", "127.0.0.1"] in seen["headers"]  # from :authority
    assert not any(name.startswith(":") for name, _ in seen["headers"])
    assert seen["extensions"] == ["http.response.pathsend", "http.response.trailers"]


def test_access_log_line_says_http2(http2_impl: str) -> None:
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign,assignment]  # a list is the log
    access = logging.getLogger("uvicorn.access")
    access.addHandler(handler)
    try:
        with (
            serve(http2_impl, kit_apps.hello, log_level="info") as server,
            H2Client(server.port) as client,
        ):
            assert client.request("/logged").status == 200
    finally:
        access.removeHandler(handler)
    assert ['"GET /logged HTTP/2" 200' in record.getMessage() for record in records] == [True]


def test_many_concurrent_streams_share_one_connection(http2_impl: str) -> None:
    count = 50
    with serve(http2_impl, apps.Gate(count)) as server, H2Client(server.port) as client:
        stream_ids = [client.start_request(f"/{index}") for index in range(count)]
        responses = [client.wait(stream_id) for stream_id in stream_ids]
    assert [response.body for response in responses] == [f"/{i}".encode() for i in range(count)]


def test_large_request_body_is_read_through_flow_control(http2_impl: str) -> None:
    body = bytes(range(256)) * 4096  # 1 MiB, many times the stream's initial window
    with serve(http2_impl, apps.describe) as server, H2Client(server.port) as client:
        response = client.request("/upload", method="POST", body=body)
    seen = json.loads(response.body)
    assert seen["length"] == len(body)
    assert seen["sha256"] == hashlib.sha256(body).hexdigest()


def test_streamed_response_waits_for_the_peer_window(http2_impl: str) -> None:
    recorder = apps.Recorder()
    chunk = b"x" * 16384
    app = apps.streams(recorder, chunk, count=16)  # 256 KiB against a 64 KiB window
    with serve(http2_impl, app) as server, H2Client(server.port, auto_ack=False) as client:
        stream_id = client.start_request("/stream")
        response = client.responses[stream_id]
        while len(response.body) < 65535:
            client.receive()
        # The window is spent: the app's send() blocks instead of buffering the rest.
        assert not wait_for(lambda: recorder.sent_chunks == 16, timeout=0.3)
        assert len(response.body) == 65535
        client.conn.acknowledge_received_data(len(response.body), stream_id)
        client.auto_ack = True
        client.flush()
        client.wait(stream_id)
    assert response.ended
    assert response.body == chunk * 16


def test_reset_stream_gives_the_app_http_disconnect(http2_impl: str) -> None:
    recorder = apps.Recorder()
    with (
        serve(http2_impl, apps.waits_for_disconnect(recorder)) as server,
        H2Client(server.port) as client,
    ):
        stream_id = client.start_request("/upload", method="POST", end_stream=False)
        client.send_body(stream_id, b"first", end_stream=False)
        assert wait_for(lambda: len(recorder.messages) == 1)
        client.conn.reset_stream(stream_id, h2.errors.ErrorCodes.CANCEL)
        client.flush()
        assert wait_for(lambda: len(recorder.messages) == 2)
        # The connection goes on serving other streams.
        assert client.request("/after").body == b"after"
    assert recorder.messages[0] == {"type": "http.request", "body": b"first", "more_body": True}
    assert recorder.messages[1] == {"type": "http.disconnect"}


def test_response_trailers_end_the_stream(http2_impl: str) -> None:
    with serve(http2_impl, apps.with_trailers) as server, H2Client(server.port) as client:
        response = client.request("/trailers")
    assert response.status == 200
    assert response.body == b"part one, part two"
    assert response.trailers == [(b"x-checksum", b"abc")]
    assert response.ended


def test_limit_concurrency_answers_503_per_stream(http2_impl: str) -> None:
    recorder = apps.Recorder()
    app = apps.held_until_released(recorder)
    with serve(http2_impl, app, limit_concurrency=1) as server, H2Client(server.port) as client:
        first = client.start_request("/held")
        assert wait_for(lambda: len(recorder.messages) == 1)
        refused = client.wait(client.start_request("/refused"))
        recorder.release_all()
        served = client.wait(first)
    assert refused.status == 503
    assert served.status == 200
    assert served.body == b"released"


def test_app_exception_is_a_500_on_its_stream_only(http2_impl: str) -> None:
    with serve(http2_impl, kit_apps.raises) as server, H2Client(server.port) as client:
        first = client.request("/one")
        second = client.request("/two")
    assert (first.status, second.status) == (500, 500)
    assert not client.closed


def test_oversized_header_list_is_answered_431(http2_impl: str) -> None:
    with serve(http2_impl, kit_apps.hello) as server, H2Client(server.port) as client:
        stream_id = client.start_request("/big", headers=[(b"x-big", b"a" * 20000)])
        response = client.wait(stream_id)
        after = client.request("/after")
    assert response.status == 431
    assert after.status == 200


def test_graceful_shutdown_sends_goaway_and_finishes_streams(http2_impl: str) -> None:
    recorder = apps.Recorder()
    with serve(http2_impl, apps.held_until_released(recorder)) as server:
        with H2Client(server.port) as client:
            stream_id = client.start_request("/in-flight")
            assert wait_for(lambda: len(recorder.messages) == 1)
            server.server.should_exit = True
            frames = client.raw_frames()
            goaway = next(f for f in frames if isinstance(f, hyperframe.frame.GoAwayFrame))
            assert (goaway.last_stream_id, goaway.error_code) == (stream_id, 0)
            recorder.release_all()
            rest = list(frames)  # until the server closes
    heads = [f for f in rest if isinstance(f, hyperframe.frame.HeadersFrame)]
    assert [client.decode_head(f)[0] for f in heads] == [(b":status", b"200")]
    data = [f for f in rest if isinstance(f, hyperframe.frame.DataFrame)]
    assert b"".join(f.data for f in data) == b"released"
    assert "END_STREAM" in data[-1].flags
    assert all(f.stream_id == stream_id for f in heads + data)


def test_idle_connection_is_closed_after_keep_alive_timeout(http2_impl: str) -> None:
    with (
        serve(http2_impl, kit_apps.hello, timeout_keep_alive=1) as server,
        H2Client(server.port) as client,
    ):
        assert client.request("/").status == 200
        client.read_until_closed()
    assert client.goaway is not None
    assert client.goaway.error_code == h2.errors.ErrorCodes.NO_ERROR


def test_expect_100_continue_is_answered_when_the_app_reads(http2_impl: str) -> None:
    with serve(http2_impl, apps.describe) as server, H2Client(server.port) as client:
        expect = [(b"expect", b"100-continue"), (b"content-length", b"4")]
        stream_id = client.start_request("/", "POST", headers=expect, end_stream=False)
        response = client.responses[stream_id]
        while not response.informational:
            client.receive()
        client.send_body(stream_id, b"body")
        client.wait(stream_id)
    assert response.informational == [100]
    assert json.loads(response.body)["length"] == 4


def test_head_response_has_headers_and_no_body(http2_impl: str) -> None:
    with serve(http2_impl, kit_apps.hello) as server, H2Client(server.port) as client:
        response = client.request("/", method="HEAD")
    assert response.status == 200
    assert response.header(b"content-length") == b"13"
    assert response.body == b""
    assert response.ended


def test_proxy_headers_apply_to_streams(http2_impl: str) -> None:
    options: dict[str, Any] = {"proxy_headers": True, "forwarded_allow_ips": "*"}
    with serve(http2_impl, apps.describe, **options) as server, H2Client(server.port) as client:
        forwarded = [(b"x-forwarded-for", b"203.0.113.7"), (b"x-forwarded-proto", b"https")]
        response = client.wait(client.start_request("/", headers=forwarded))
    seen = json.loads(response.body)
    assert seen["client"][0] == "203.0.113.7"
    assert seen["scheme"] == "https"


def test_streams_and_closed_connections_are_freed_without_the_cyclic_collector(
    http2_impl: str,
) -> None:
    with serve(http2_impl, kit_apps.hello) as server, cyclic_collector_off():
        with H2Client(server.port) as client:
            for _ in range(3):
                assert client.request("/").status == 200
            assert wait_for(lambda: live_instances(Stream) == 0)
        assert wait_for(lambda: live_instances(MultiplexedConnection) == 0)


async def raises_right_after_start(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    raise RuntimeError("boom")


def test_app_failing_right_after_start_still_gets_a_500(http2_impl: str) -> None:
    """The head is held until body or the end of the loop pass, as an HTTP/1.1 head is
    queued: an app failing in between is answered 500, not cut."""
    with serve(http2_impl, raises_right_after_start) as server, H2Client(server.port) as client:
        response = client.request("/")
    assert response.status == 500


@pytest.mark.parametrize("app", [kit_apps.raises_after_start, kit_apps.no_response])
def test_broken_response_resets_its_stream_only(http2_impl: str, app: Any) -> None:
    with serve(http2_impl, app) as server, H2Client(server.port) as client:
        response = client.request("/")
        assert client.request("/again").status in (200, 500)
    if app is kit_apps.no_response:
        assert response.status == 500
    else:
        assert response.status == 200
        assert response.reset  # cut after b"partial": never a complete-looking response
        assert response.body == b"partial"


def test_pathsend_sends_the_file_on_its_stream(http2_impl: str, tmp_path: Any) -> None:
    path = tmp_path / "file.bin"
    path.write_bytes(bytes(range(256)) * 4000)  # 1,024,000 bytes: many windows

    async def app(scope: Any, receive: Any, send: Any) -> None:
        assert "http.response.pathsend" in scope["extensions"]
        headers = [(b"content-length", str(path.stat().st_size).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.pathsend", "path": str(path)})

    with serve(http2_impl, app) as server, H2Client(server.port) as client:
        first, second = client.start_request("/a"), client.start_request("/b")
        responses = [client.wait(first), client.wait(second)]
    assert [response.body for response in responses] == [path.read_bytes()] * 2


def test_limit_request_body_refuses_a_stream_and_serves_the_others(http2_impl: str) -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            seen.append(f"{scope['path']} {message['type']}")
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        await kit_apps.send_plain(send, body)

    with serve(http2_impl, app, limit_request_body=1000) as server, H2Client(server.port) as client:
        sized = client.start_request(
            "/sized", "POST", headers=[(b"content-length", b"1001")], end_stream=False
        )
        unsized = client.start_request("/unsized", "POST", end_stream=False)
        client.send_body(unsized, b"a" * 600, end_stream=False)
        client.send_body(unsized, b"b" * 600, end_stream=False)
        small = client.request("/small", "POST", body=b"c" * 1000)
        refused_sized, refused_unsized = client.wait(sized), client.wait(unsized)
    assert (refused_sized.status, refused_unsized.status, small.status) == (413, 413, 200)
    assert small.body == b"c" * 1000
    assert not any(entry.startswith("/sized") for entry in seen), "its app ran"
    # Cut before its app started (the same read), or while it read: never a whole body.
    unsized_seen = [entry for entry in seen if entry.startswith("/unsized")]
    assert unsized_seen in (
        [],
        ["/unsized http.disconnect"],
        ["/unsized http.request", "/unsized http.disconnect"],
    )
