"""A Flask application, served through ``uvicorn --interface wsgi``."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask, Response, jsonify, request, stream_with_context

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return f"Hello from Flask at {request.path}"


@app.post("/form")
def form() -> Response:
    return jsonify(name=request.form["name"], tags=request.form.getlist("tag"))


@app.post("/json")
def json_body() -> tuple[Response, int]:
    data = request.get_json()
    return jsonify(received=data, method=request.method), 201


@app.get("/stream")
def stream() -> Response:
    def lines() -> Iterator[str]:
        for number in range(3):
            yield f"line {number} of {request.args['name']}\n"

    # The generator runs after the view returns: keep the request context for it.
    return Response(stream_with_context(lines()), mimetype="text/plain")
