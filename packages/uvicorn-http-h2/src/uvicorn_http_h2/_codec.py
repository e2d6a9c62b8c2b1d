"""The h2 adapter: h2's events in, the core's stream events out; the core's sends to frames.

h2 validates what it parses (frame layout, HPACK, pseudo-header order, flow control,
stream states) and answers pings and settings itself; the core validates each request
head again as it does HTTP/1.1's, and decides everything about streams and windows.
"""

from __future__ import annotations

from typing import Final

import h2.config
import h2.connection
import h2.events
import h2.exceptions
import h2.settings
import hyperframe.frame

from uvicorn.protocols.http.codec import CodecOptions, StreamError, StreamEvents

_DEFAULT_WINDOW: Final = 65535
# HPACK counts 32 bytes per field beyond name and value; the core's own limit (431) is
# reached first for a head near the limit, h2's connection error only far beyond it.
_DECODER_ALLOWANCE: Final = 2


class H2Codec:
    """One h2 server connection, driven by the core."""

    __slots__ = ("conn", "events", "options", "queued")

    def __init__(self, events: StreamEvents, options: CodecOptions) -> None:
        self.events = events
        self.options = options
        self.queued = b""  # frames written beside h2 (a graceful GOAWAY), after h2's own
        # The core checks request fields itself (read_stream_head), so that a malformed
        # request is the stream error RFC 9113 8.1.1 asks for (h2 would end the whole
        # connection); and it lower-cases and checks response fields before they come
        # here (Stream.encode_head): h2 need not do either again.
        config = h2.config.H2Configuration(
            client_side=False,
            header_encoding=None,
            validate_inbound_headers=False,
            validate_outbound_headers=False,
            normalize_outbound_headers=False,
        )
        self.conn = h2.connection.H2Connection(config=config)
        self.conn.local_settings = h2.settings.Settings(
            client=False,
            initial_values={
                h2.settings.SettingCodes.MAX_HEADER_LIST_SIZE: (
                    options.max_header_list_size * _DECODER_ALLOWANCE
                ),
            },
        )

    def start(self) -> None:
        self.conn.initiate_connection()
        # Sent as a change, so h2 enforces it (as a connection error) only once the peer
        # acknowledged it; before, the core refuses extra streams with REFUSED_STREAM.
        self.conn.update_settings(
            {h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: self.options.max_concurrent_streams}
        )
        increment = self.options.connection_window - _DEFAULT_WINDOW
        if increment > 0:
            self.conn.increment_flow_control_window(increment)

    def feed_data(self, data: bytes) -> None:
        try:
            received = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError as exc:  # h2 queued its GOAWAY
            self.events.on_protocol_error(f"{type(exc).__name__}: {exc}")
            return
        events = self.events
        for event in received:
            event_type = type(event)
            if event_type is h2.events.DataReceived:
                data_event: h2.events.DataReceived = event  # type: ignore[assignment]  # narrowed by type
                events.on_body(
                    data_event.stream_id, data_event.data, data_event.flow_controlled_length
                )
            elif event_type is h2.events.RequestReceived:
                request: h2.events.RequestReceived = event  # type: ignore[assignment]  # narrowed by type
                fields: list[tuple[bytes, bytes]] = [
                    (bytes(name), bytes(value)) for name, value in request.headers
                ]
                events.on_request_head(request.stream_id, fields, request.stream_ended is not None)
            elif event_type is h2.events.StreamEnded:
                events.on_request_end(event.stream_id)  # type: ignore[attr-defined]  # narrowed
            elif event_type is h2.events.StreamReset:
                events.on_stream_reset(event.stream_id)  # type: ignore[attr-defined]  # narrowed
            elif event_type in (h2.events.WindowUpdated, h2.events.RemoteSettingsChanged):
                events.on_window_opened()
            elif event_type is h2.events.ConnectionTerminated:
                events.on_peer_closing()
            # Pings and settings are answered by h2; priorities, request trailers and
            # unknown frames mean nothing to an ASGI app.

    def send_head(
        self, stream_id: int, status: int, headers: list[tuple[bytes, bytes]], end_stream: bool
    ) -> None:
        fields = [(b":status", b"%d" % status), *headers]
        try:
            self.conn.send_headers(stream_id, fields, end_stream=end_stream)
        except h2.exceptions.ProtocolError:
            pass  # the peer reset the stream or ended the connection: the core hears of it

    def send_data(self, stream_id: int, data: bytes, end_stream: bool) -> None:
        try:
            self.conn.send_data(stream_id, data, end_stream=end_stream)
        except h2.exceptions.ProtocolError:
            pass  # as in send_head

    def send_trailers(self, stream_id: int, headers: list[tuple[bytes, bytes]]) -> None:
        try:
            self.conn.send_headers(stream_id, headers, end_stream=True)
        except h2.exceptions.ProtocolError:
            pass  # as in send_head

    def reset_stream(self, stream_id: int, error: StreamError) -> None:
        try:
            self.conn.reset_stream(stream_id, error_code=int(error))
        except h2.exceptions.ProtocolError:
            pass  # as in send_head

    def acknowledge(self, stream_id: int, size: int) -> None:
        try:
            self.conn.acknowledge_received_data(size, stream_id)
        except h2.exceptions.ProtocolError:
            pass  # the connection ended: nothing more is received

    def send_window(self, stream_id: int) -> int:
        try:
            return self.conn.local_flow_control_window(stream_id)
        except h2.exceptions.ProtocolError:
            return 0

    def max_frame_size(self) -> int:
        return self.conn.max_outbound_frame_size

    def close(self, error: StreamError) -> None:
        if error is not StreamError.NO_ERROR:
            self.conn.close_connection(error_code=int(error))
            return
        # h2's close_connection() also refuses to send anything more, which would cut the
        # streams in progress: a graceful GOAWAY is framed here, and h2 stays open for them.
        goaway = hyperframe.frame.GoAwayFrame(0)
        goaway.last_stream_id = self.conn.highest_inbound_stream_id
        goaway.error_code = int(error)
        self.queued += self.conn.data_to_send() + goaway.serialize()

    def release(self) -> None:
        del self.events

    def bytes_to_send(self) -> bytes:
        if self.queued:
            queued, self.queued = self.queued, b""
            return queued + self.conn.data_to_send()
        return self.conn.data_to_send()
