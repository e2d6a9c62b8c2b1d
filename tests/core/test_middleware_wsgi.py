"""WSGIMiddleware at the ASGI level: the PEP 3333 environ, the body, streaming, errors.

Serving a WSGI app over a real socket is covered in test_middleware.py; these call the
middleware with a hand-built scope and in-memory receive/send.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from uvicorn.middleware.wsgi import WSGIMiddleware, build_environ

pytestmark = pytest.mark.timeout(10)


def http_scope(**overrides: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("192.0.2.10", 51000),
        "server": ("127.0.0.1", 8000),
    }
    scope.update(overrides)
    return scope


def call(
    app: Any, scope: dict[str, Any], body_chunks: list[bytes] | None = None
) -> list[dict[str, Any]]:
    """Run the middleware once; returns every message the app sent."""
    chunks = [b""] if body_chunks is None else body_chunks
    incoming = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def main() -> None:
        middleware: Any = WSGIMiddleware(app)
        await middleware(scope, receive, send)

    asyncio.run(main())
    return sent


class EnvironRecorder:
    """A WSGI app that keeps the environ and the body it read, and answers 200."""

    def __init__(self) -> None:
        self.environ: dict[str, Any] = {}
        self.body = b""

    def __call__(self, environ: Any, start_response: Any) -> list[bytes]:
        self.environ = environ
        self.body = environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def environ_for(scope: dict[str, Any], body_chunks: list[bytes] | None = None) -> dict[str, Any]:
    app = EnvironRecorder()
    call(app, scope, body_chunks)
    return app.environ


def test_environ_has_request_line_fields() -> None:
    environ = environ_for(
        http_scope(method="POST", path="/items/7", query_string=b"a=1&b=%20", http_version="1.0")
    )
    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["SCRIPT_NAME"] == ""
    assert environ["PATH_INFO"] == "/items/7"
    assert environ["QUERY_STRING"] == "a=1&b=%20"
    assert environ["SERVER_PROTOCOL"] == "HTTP/1.0"


def test_environ_has_wsgi_keys() -> None:
    environ = environ_for(http_scope(scheme="https"))
    assert environ["wsgi.version"] == (1, 0)
    assert environ["wsgi.url_scheme"] == "https"
    assert environ["wsgi.errors"] is sys.stdout
    assert environ["wsgi.multithread"] is True
    assert environ["wsgi.multiprocess"] is True
    assert environ["wsgi.run_once"] is False


def test_environ_has_server_and_remote_address_as_strings() -> None:
    environ = environ_for(http_scope())
    assert environ["SERVER_NAME"] == "127.0.0.1"
    assert environ["SERVER_PORT"] == "8000"
    assert environ["REMOTE_ADDR"] == "192.0.2.10"
    assert environ["REMOTE_PORT"] == "51000"


def test_environ_without_server_or_client_uses_defaults() -> None:
    environ = environ_for(http_scope(server=None, client=None))
    assert (environ["SERVER_NAME"], environ["SERVER_PORT"]) == ("localhost", "80")
    assert "REMOTE_ADDR" not in environ


def test_environ_server_port_of_unix_socket_is_scheme_default() -> None:
    plain = environ_for(http_scope(server=("/run/app.sock", None)))
    secure = environ_for(http_scope(server=("/run/app.sock", None), scheme="https"))
    assert plain["SERVER_PORT"] == "80"
    assert secure["SERVER_PORT"] == "443"


def test_environ_splits_root_path_into_script_name() -> None:
    environ = environ_for(http_scope(path="/mount/api/users", root_path="/mount"))
    assert environ["SCRIPT_NAME"] == "/mount"
    assert environ["PATH_INFO"] == "/api/users"


def test_environ_path_outside_root_path_is_kept_whole() -> None:
    environ = environ_for(http_scope(path="/elsewhere", root_path="/mount"))
    assert environ["SCRIPT_NAME"] == "/mount"
    assert environ["PATH_INFO"] == "/elsewhere"


def test_environ_path_is_a_latin1_native_string_of_utf8_bytes() -> None:
    environ = environ_for(http_scope(path="/café"))
    assert environ["PATH_INFO"] == "/caf\xc3\xa9"
    assert environ["PATH_INFO"].encode("latin1").decode("utf-8") == "/café"


def test_environ_content_headers_have_no_http_prefix() -> None:
    environ = environ_for(
        http_scope(headers=[(b"content-type", b"application/json"), (b"content-length", b"2")]),
        [b"{}"],
    )
    assert environ["CONTENT_TYPE"] == "application/json"
    assert environ["CONTENT_LENGTH"] == "2"
    assert "HTTP_CONTENT_TYPE" not in environ
    assert "HTTP_CONTENT_LENGTH" not in environ


def test_environ_headers_become_http_variables() -> None:
    environ = environ_for(
        http_scope(headers=[(b"host", b"example.org"), (b"x-request-id", b"abc-123")])
    )
    assert environ["HTTP_HOST"] == "example.org"
    assert environ["HTTP_X_REQUEST_ID"] == "abc-123"


def test_environ_repeated_headers_are_joined_with_commas() -> None:
    environ = environ_for(
        http_scope(headers=[(b"accept", b"text/html"), (b"x-tag", b"a"), (b"accept", b"*/*")])
    )
    assert environ["HTTP_ACCEPT"] == "text/html,*/*"
    assert environ["HTTP_X_TAG"] == "a"


def test_environ_header_values_are_latin1_decoded() -> None:
    environ = environ_for(http_scope(headers=[(b"x-name", "Jos\xe9".encode("latin1"))]))
    assert environ["HTTP_X_NAME"] == "Jos\xe9"


def test_build_environ_input_holds_the_given_body() -> None:
    environ = build_environ(http_scope(), b"payload")  # type: ignore[arg-type]  # plain dict
    assert environ["wsgi.input"].read() == b"payload"


def test_request_body_is_read_whole_before_the_app_runs() -> None:
    app = EnvironRecorder()
    call(app, http_scope(method="PUT"), [b"first,", b"", b"second,", b"third"])
    assert app.body == b"first,second,third"


def test_client_gone_before_body_ends_does_not_run_the_app() -> None:
    app = EnvironRecorder()
    scope = http_scope(method="POST")
    sent: list[Any] = []
    incoming = [{"type": "http.request", "body": b"part", "more_body": True}]

    async def receive() -> dict[str, Any]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        sent.append(message)

    async def main() -> None:
        middleware: Any = WSGIMiddleware(app)
        await middleware(scope, receive, send)

    asyncio.run(main())
    assert app.environ == {}
    assert sent == []


def test_response_head_and_body_chunks_are_sent_in_order() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("201 Created", [("Content-Type", "text/plain"), ("X-Trace", " t1 ")])
        return [b"hello, ", b"", b"world"]

    assert call(app, http_scope()) == [
        {
            "type": "http.response.start",
            "status": 201,
            "headers": [(b"content-type", b"text/plain"), (b"x-trace", b"t1")],
        },
        {"type": "http.response.body", "body": b"hello, ", "more_body": True},
        {"type": "http.response.body", "body": b"world", "more_body": True},
        {"type": "http.response.body", "body": b"", "more_body": False},
    ]


def test_empty_response_still_sends_head_and_end() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("204 No Content", [])
        return []

    assert call(app, http_scope()) == [
        {"type": "http.response.start", "status": 204, "headers": []},
        {"type": "http.response.body", "body": b"", "more_body": False},
    ]


def test_response_is_streamed_while_the_app_is_still_producing() -> None:
    first_chunk_sent = threading.Event()
    app_saw_first_chunk_sent: list[bool] = []

    def app(environ: Any, start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [])
        yield b"first"
        # Only streaming gets the first chunk out before the generator is resumed.
        app_saw_first_chunk_sent.append(first_chunk_sent.wait(timeout=5))
        yield b"second"

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)
        if message.get("body") == b"first":
            first_chunk_sent.set()

    async def main() -> None:
        middleware: Any = WSGIMiddleware(app)
        await middleware(http_scope(), receive, send)

    asyncio.run(main())
    assert app_saw_first_chunk_sent == [True]
    assert [message.get("body") for message in sent[1:]] == [b"first", b"second", b""]


def test_write_callable_sends_body_before_the_iterable() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        write = start_response("200 OK", [])
        write(b"written ")
        return [b"returned"]

    bodies = [message.get("body") for message in call(app, http_scope())[1:]]
    assert bodies == [b"written ", b"returned", b""]


def test_iterable_close_is_called_after_the_response() -> None:
    events: list[str] = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            events.append("iterated")
            yield b"x"

        def close(self) -> None:
            events.append("closed")

    def app(environ: Any, start_response: Any) -> Body:
        start_response("200 OK", [])
        return Body()

    call(app, http_scope())
    assert events == ["iterated", "closed"]


def test_app_runs_in_a_worker_thread() -> None:
    threads: list[threading.Thread] = []

    def app(environ: Any, start_response: Any) -> list[bytes]:
        threads.append(threading.current_thread())
        start_response("200 OK", [])
        return []

    call(app, http_scope())
    assert threads
    assert threads[0] is not threading.main_thread()


def test_exception_before_start_response_propagates() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        raise ValueError("broken app")

    with pytest.raises(ValueError, match="broken app") as info:
        call(app, http_scope())
    assert any(entry.name == "app" for entry in info.traceback)


def test_exception_while_streaming_propagates_after_sent_chunks() -> None:
    sent: list[dict[str, Any]] = []

    def app(environ: Any, start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [])
        yield b"partial"
        raise RuntimeError("mid-stream")

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def main() -> None:
        middleware: Any = WSGIMiddleware(app)
        await middleware(http_scope(), receive, send)

    with pytest.raises(RuntimeError, match="mid-stream"):
        asyncio.run(main())
    assert [message["type"] for message in sent] == ["http.response.start", "http.response.body"]
    assert sent[-1]["more_body"] is True


def test_exc_info_response_is_sent_then_the_error_is_raised() -> None:
    sent: list[dict[str, Any]] = []

    def app(environ: Any, start_response: Any) -> list[bytes]:
        try:
            raise KeyError("lookup failed")
        except KeyError:
            start_response(
                "500 Internal Server Error", [("content-type", "text/plain")], sys.exc_info()
            )
        return [b"sorry"]

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def main() -> None:
        middleware: Any = WSGIMiddleware(app)
        await middleware(http_scope(), receive, send)

    with pytest.raises(KeyError, match="lookup failed"):
        asyncio.run(main())
    assert sent[0]["status"] == 500
    assert sent[1]["body"] == b"sorry"
    assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


def test_exc_info_after_headers_were_sent_reraises_in_the_app() -> None:
    outcome: list[str] = []

    def app(environ: Any, start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [])
        yield b"already out"
        try:
            raise OSError("disk gone")
        except OSError:
            try:
                start_response("500 Internal Server Error", [], sys.exc_info())
            except OSError:
                outcome.append("reraised")
                raise

    with pytest.raises(OSError, match="disk gone"):
        call(app, http_scope())
    assert outcome == ["reraised"]


def test_second_start_response_without_exc_info_is_an_error() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        start_response("404 Not Found", [])
        return []

    with pytest.raises(RuntimeError, match="twice"):
        call(app, http_scope())


def test_body_without_start_response_is_an_error() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        return [b"headless"]

    with pytest.raises(RuntimeError, match="start_response"):
        call(app, http_scope())


@pytest.mark.parametrize("scope_type", ["lifespan", "websocket"])
def test_non_http_scope_is_refused(scope_type: str) -> None:
    app = EnvironRecorder()
    with pytest.raises(RuntimeError, match="HTTP only"):
        call(app, {"type": scope_type, "asgi": {"version": "3.0"}})
    assert app.environ == {}
