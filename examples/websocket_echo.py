"""A WebSocket echo app with a page that talks to it: ``uvicorn examples.websocket_echo:app``.

Open http://127.0.0.1:8000/ in a browser; the page connects to ``/ws``, sends a message
and shows what comes back. Every installed WebSocket plugin serves it (``--ws NAME``).
"""

from __future__ import annotations

from typing import Any

PAGE = b"""<!doctype html>
<title>uvicorn WebSocket echo</title>
<pre id="log"></pre>
<script>
  const log = (line) => { document.getElementById("log").textContent += line + "\\n"; };
  const socket = new WebSocket(`ws://${location.host}/ws?from=page`, ["echo"]);
  socket.onopen = () => { log("open " + socket.protocol); socket.send("hello from the page"); };
  socket.onmessage = (event) => { log("message " + event.data); socket.close(1000, "done"); };
  socket.onclose = (event) => { log("close " + event.code); document.title = "closed"; };
</script>
"""


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        headers = [(b"content-type", b"text/html; charset=utf-8")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": PAGE})
    elif scope["type"] == "websocket":
        await receive()  # websocket.connect
        offered = scope["subprotocols"]
        await send({"type": "websocket.accept", "subprotocol": offered[0] if offered else None})
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is not None:
                await send({"type": "websocket.send", "text": "echo: " + message["text"]})
            else:
                await send({"type": "websocket.send", "bytes": message["bytes"]})
