"""Log formatters: coloured level prefixes, and access lines with status phrases."""

from __future__ import annotations

import copy
import http
import logging
import sys
from typing import Final, Literal, TextIO

TRACE_LOG_LEVEL: Final = 5
logging.addLevelName(TRACE_LOG_LEVEL, "TRACE")

_RESET: Final = "\x1b[0m"
_BOLD: Final = "\x1b[1m"
_LEVEL_COLOURS: Final[dict[int, str]] = {
    TRACE_LOG_LEVEL: "\x1b[34m",  # blue
    logging.DEBUG: "\x1b[36m",  # cyan
    logging.INFO: "\x1b[32m",  # green
    logging.WARNING: "\x1b[33m",  # yellow
    logging.ERROR: "\x1b[31m",  # red
    logging.CRITICAL: "\x1b[91m",  # bright red
}
_STATUS_COLOURS: Final[dict[int, str]] = {  # by status class (status // 100)
    1: "\x1b[97m",  # informational: bright white
    2: "\x1b[32m",  # success: green
    3: "\x1b[33m",  # redirect: yellow
    4: "\x1b[31m",  # client error: red
    5: "\x1b[91m",  # server error: bright red
}
_PHRASES: Final[dict[int, str]] = {status.value: status.phrase for status in http.HTTPStatus}
_LEVEL_NAME_WIDTH: Final = 8  # "CRITICAL" is the longest


def _paint(text: str, colour: str | None) -> str:
    return f"{colour}{text}{_RESET}" if colour else text


def _is_terminal(stream: TextIO | None) -> bool:
    """Looked up on every call: the stream may have been replaced (or closed) since import."""
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):
        return False


class ColourizedFormatter(logging.Formatter):
    """Adds ``%(levelprefix)s``: the level name and a colon, padded, coloured on a terminal.

    ``use_colors=None`` colours only when ``should_use_colors()`` says the output is a
    terminal (``sys.stdout`` for this class). A record may carry ``color_message``, a
    variant of its format string with colour codes, used instead of ``msg`` when colours
    are on.
    """

    def __init__(
        self,
        fmt: str | None = None,
        datefmt: str | None = None,
        style: Literal["%", "{", "$"] = "%",
        use_colors: bool | None = None,
    ) -> None:
        self.use_colors = self.should_use_colors() if use_colors is None else use_colors
        super().__init__(fmt=fmt, datefmt=datefmt, style=style)

    def should_use_colors(self) -> bool:
        """Whether the output is a terminal: what ``use_colors=None`` decides with."""
        return _is_terminal(sys.stdout)

    def color_level_name(self, level_name: str, level_no: int) -> str:
        return _paint(level_name, _LEVEL_COLOURS.get(level_no))

    def formatMessage(self, record: logging.LogRecord) -> str:
        record = copy.copy(record)  # other handlers must not see our fields
        self.add_record_fields(record)
        return super().formatMessage(record)

    def add_record_fields(self, record: logging.LogRecord) -> None:
        """Set the attributes this formatter's format string may use, on a private copy."""
        level_name = record.levelname
        padding = " " * max(_LEVEL_NAME_WIDTH - len(level_name), 0)
        if self.use_colors:
            level_name = self.color_level_name(level_name, record.levelno)
            color_message = record.__dict__.get("color_message")
            if color_message:
                record.message = color_message % record.args if record.args else color_message
        record.__dict__["levelprefix"] = f"{level_name}:{padding}"


class DefaultFormatter(ColourizedFormatter):
    """The server's own messages, written to stderr: colour decided for stderr."""

    def should_use_colors(self) -> bool:
        return _is_terminal(sys.stderr)


class AccessFormatter(ColourizedFormatter):
    """Access lines: ``client_addr``, ``request_line`` and ``status_code`` ("200 OK").

    The record must be logged as
    ``logger.info('%s - "%s %s HTTP/%s" %d', client_addr, method, path, http_version, status)``.
    """

    def get_status_code(self, status_code: int) -> str:
        # An unknown code keeps the separating space, as uvicorn's access lines always have.
        text = f"{status_code} {_PHRASES.get(status_code, '')}"
        if self.use_colors:
            return _paint(text, _STATUS_COLOURS.get(status_code // 100))
        return text

    def add_record_fields(self, record: logging.LogRecord) -> None:
        super().add_record_fields(record)
        args = record.args
        if not (isinstance(args, tuple) and len(args) == 5):
            return
        client_addr, method, full_path, http_version, status_code = args
        request_line = f"{method} {full_path} HTTP/{http_version}"
        if self.use_colors:
            request_line = f"{_BOLD}{request_line}{_RESET}"
        status = (
            self.get_status_code(status_code) if isinstance(status_code, int) else str(status_code)
        )
        record.__dict__.update(
            client_addr=client_addr, request_line=request_line, status_code=status
        )
