"""uvicorn.logging: the TRACE level, level prefixes, colours and access-line fields."""

from __future__ import annotations

import io
import logging
import sys

import pytest

from uvicorn.logging import (
    TRACE_LOG_LEVEL,
    AccessFormatter,
    ColourizedFormatter,
    DefaultFormatter,
)

pytestmark = pytest.mark.timeout(10)

PREFIX_FORMAT = "%(levelprefix)s %(message)s"
ACCESS_FORMAT = '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s'


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def record(level: int, msg: str, *args: object, name: str = "uvicorn.error") -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args or None, None)


def access_record(status: int, path: str = "/items?page=2") -> logging.LogRecord:
    return record(
        logging.INFO,
        '%s - "%s %s HTTP/%s" %d',
        "10.0.0.7:51234",
        "GET",
        path,
        "1.1",
        status,
        name="uvicorn.access",
    )


def test_trace_level_is_registered_at_import() -> None:
    assert TRACE_LOG_LEVEL == 5
    assert logging.getLevelName(TRACE_LOG_LEVEL) == "TRACE"
    assert logging.getLevelName("TRACE") == TRACE_LOG_LEVEL


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (TRACE_LOG_LEVEL, "TRACE:    ready"),
        (logging.DEBUG, "DEBUG:    ready"),
        (logging.INFO, "INFO:     ready"),
        (logging.WARNING, "WARNING:  ready"),
        (logging.ERROR, "ERROR:    ready"),
        (logging.CRITICAL, "CRITICAL: ready"),
    ],
)
def test_levelprefix_is_padded_to_nine_columns_without_colours(level: int, expected: str) -> None:
    formatter = ColourizedFormatter(PREFIX_FORMAT, use_colors=False)
    assert formatter.format(record(level, "ready")) == expected


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (TRACE_LOG_LEVEL, "\x1b[34mTRACE\x1b[0m:    ready"),
        (logging.DEBUG, "\x1b[36mDEBUG\x1b[0m:    ready"),
        (logging.INFO, "\x1b[32mINFO\x1b[0m:     ready"),
        (logging.WARNING, "\x1b[33mWARNING\x1b[0m:  ready"),
        (logging.ERROR, "\x1b[31mERROR\x1b[0m:    ready"),
        (logging.CRITICAL, "\x1b[91mCRITICAL\x1b[0m: ready"),
    ],
)
def test_levelprefix_colours_only_the_level_name_with_colours(level: int, expected: str) -> None:
    formatter = ColourizedFormatter(PREFIX_FORMAT, use_colors=True)
    assert formatter.format(record(level, "ready")) == expected


def test_levelprefix_of_a_custom_level_is_left_uncoloured() -> None:
    logging.addLevelName(25, "NOTICE")
    try:
        formatted = ColourizedFormatter(PREFIX_FORMAT, use_colors=True).format(record(25, "hi"))
    finally:
        logging.addLevelName(25, "Level 25")
    assert formatted == "NOTICE:   hi"


def test_levelprefix_works_with_brace_style_format() -> None:
    formatter = ColourizedFormatter("{levelprefix} {message}", style="{", use_colors=False)
    assert formatter.format(record(logging.INFO, "from %s", "braces")) == "INFO:     from braces"


def test_color_level_name_wraps_known_levels_in_ansi_codes() -> None:
    formatter = ColourizedFormatter(use_colors=True)
    assert formatter.color_level_name("INFO", logging.INFO) == "\x1b[32mINFO\x1b[0m"
    assert formatter.color_level_name("ODD", 42) == "ODD"


def test_color_message_replaces_message_when_colours_are_on() -> None:
    log_record = record(logging.INFO, "Started %s", "server")
    log_record.color_message = "Started \x1b[1m%s\x1b[0m"
    coloured = ColourizedFormatter("%(message)s", use_colors=True).format(log_record)
    plain = ColourizedFormatter("%(message)s", use_colors=False).format(log_record)
    assert coloured == "Started \x1b[1mserver\x1b[0m"
    assert plain == "Started server"


def test_formatting_leaves_the_record_untouched_for_other_handlers() -> None:
    log_record = access_record(200)
    AccessFormatter(ACCESS_FORMAT, use_colors=True).format(log_record)
    for attribute in ("levelprefix", "client_addr", "request_line", "status_code"):
        assert not hasattr(log_record, attribute)
    assert logging.Formatter("%(message)s").format(log_record) == (
        '10.0.0.7:51234 - "GET /items?page=2 HTTP/1.1" 200'
    )


def test_use_colors_none_follows_stdout_being_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert ColourizedFormatter().use_colors is True
    assert AccessFormatter().use_colors is True
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    assert ColourizedFormatter().use_colors is False
    assert AccessFormatter().use_colors is False


def test_default_formatter_use_colors_none_follows_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert DefaultFormatter().use_colors is True
    assert DefaultFormatter(use_colors=False).should_use_colors() is True
    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert DefaultFormatter().use_colors is False


def test_should_use_colors_is_false_without_a_usable_stream(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed = io.StringIO()
    closed.close()
    monkeypatch.setattr(sys, "stdout", closed)
    monkeypatch.setattr(sys, "stderr", None)
    assert ColourizedFormatter().use_colors is False
    assert DefaultFormatter().use_colors is False


def test_explicit_use_colors_wins_over_detection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdout", Terminal())
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert DefaultFormatter(use_colors=False).use_colors is False
    assert AccessFormatter(use_colors=False).use_colors is False
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert DefaultFormatter(use_colors=True).use_colors is True


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (101, "101 Switching Protocols"),
        (200, "200 OK"),
        (304, "304 Not Modified"),
        (404, "404 Not Found"),
        (503, "503 Service Unavailable"),
    ],
)
def test_access_line_has_status_phrase_without_colours(status: int, text: str) -> None:
    line = AccessFormatter(ACCESS_FORMAT, use_colors=False).format(access_record(status))
    assert line == f'INFO:     10.0.0.7:51234 - "GET /items?page=2 HTTP/1.1" {text}'


def test_access_line_of_unknown_status_keeps_the_trailing_space() -> None:
    formatter = AccessFormatter(ACCESS_FORMAT, use_colors=False)
    assert formatter.format(access_record(599)).endswith('HTTP/1.1" 599 ')
    assert formatter.get_status_code(799) == "799 "


@pytest.mark.parametrize(
    ("status", "colour"),
    [
        (101, "\x1b[97m"),
        (200, "\x1b[32m"),
        (302, "\x1b[33m"),
        (404, "\x1b[31m"),
        (500, "\x1b[91m"),
    ],
)
def test_access_status_is_coloured_by_class_with_colours(status: int, colour: str) -> None:
    formatter = AccessFormatter(use_colors=True)
    phrase = formatter.get_status_code(status)
    assert phrase.startswith(colour)
    assert phrase.endswith("\x1b[0m")
    assert str(status) in phrase


def test_access_status_outside_known_classes_is_not_coloured() -> None:
    assert AccessFormatter(use_colors=True).get_status_code(999) == "999 "


def test_access_line_with_colours_bolds_the_request_line() -> None:
    line = AccessFormatter(ACCESS_FORMAT, use_colors=True).format(access_record(201, "/new"))
    assert line == (
        '\x1b[32mINFO\x1b[0m:     10.0.0.7:51234 - "\x1b[1mGET /new HTTP/1.1\x1b[0m" '
        "\x1b[32m201 Created\x1b[0m"
    )


def test_access_formatter_message_is_the_plain_access_line() -> None:
    line = AccessFormatter(PREFIX_FORMAT, use_colors=True).format(access_record(200, "/"))
    assert line == '\x1b[32mINFO\x1b[0m:     10.0.0.7:51234 - "GET / HTTP/1.1" 200'


def test_formatters_work_through_a_logging_handler() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AccessFormatter(ACCESS_FORMAT, use_colors=False))
    logger = logging.getLogger("tests.core.test_logging.access")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        logger.info('%s - "%s %s HTTP/%s" %d', "1.2.3.4:5", "POST", "/submit", "2", 409)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == ('INFO:     1.2.3.4:5 - "POST /submit HTTP/2" 409 Conflict\n')
