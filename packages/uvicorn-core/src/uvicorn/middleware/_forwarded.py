"""Reading what proxies say about the original request: RFC 7239 ``Forwarded`` elements,
``Host``-style values and ports. Everything here refuses what it cannot read exactly:
a value that does not parse is ignored, never trusted."""

from __future__ import annotations

import ipaddress
import re
from typing import Final, NamedTuple

# RFC 7230 token and quoted-string, as RFC 7239 uses them for parameter values.
_PAIR: Final = re.compile(
    r"""\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)=("(?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\[\t\x20-\x7e])*"|[!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*"""
)
_QUOTED_PAIR: Final = re.compile(r"\\(.)")
# A host as a URL authority has it (RFC 3986): a name or IPv4 address, or an IPv6
# literal in brackets; then an optional port.
_HOST: Final = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252})?|\[[0-9A-Fa-f:.]+\])(?::(?P<port>[0-9]{1,5}))?"
)
DEFAULT_PORTS: Final = {"http": 80, "ws": 80, "https": 443, "wss": 443}


class Element(NamedTuple):
    """One proxy's ``Forwarded`` element: the parameters it gave, names lower-cased."""

    params: dict[str, str]
    valid: bool  # False when the element did not parse: nothing of it is used


def parse_forwarded(value: str) -> list[Element]:
    """The elements of a ``Forwarded`` field value (all its lines joined with commas).

    Empty list elements are skipped, as RFC 9110 5.6.1 asks of a recipient; an element
    that does not parse is kept as invalid, so that it still counts as a hop.
    """
    elements: list[Element] = []
    position = 0
    length = len(value)
    while position < length:
        if value[position] in " \t,":
            position += 1
            continue
        params: dict[str, str] = {}
        valid = True
        while True:
            match = _PAIR.match(value, position)
            if match is None:
                valid = False
                break
            name = match.group(1).lower()
            raw = match.group(2)
            if name in params:
                valid = False  # a parameter given twice in one element (RFC 7239 4)
            params[name] = _QUOTED_PAIR.sub(r"\1", raw[1:-1]) if raw.startswith('"') else raw
            position = match.end()
            if position < length and value[position] == ";":
                position += 1
                continue
            break
        if valid and position < length and value[position] != ",":
            valid = False
        if not valid:
            position = _end_of_element(value, position)
        elements.append(Element(params, valid))
    return elements


def _end_of_element(value: str, position: int) -> int:
    """Where the element that ``position`` lies in ends: its comma outside quotes."""
    quoted = False
    escaped = False
    for index in range(position, len(value)):
        char = value[index]
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            return index
    return len(value)


def parse_node(node: str) -> tuple[str, int] | None:
    """A ``for``/``by`` node as (address, port): an IP address, an IPv6 one in brackets,
    with an optional port. ``unknown``, obfuscated names and anything else: None."""
    if node.startswith("["):
        address, bracket, rest = node[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:]
    else:
        address, _, port_text = node.partition(":")
    port = 0
    if port_text:
        if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
            return None
        port = int(port_text)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) != node.startswith("["):
        return None  # an IPv6 node must be bracketed, an IPv4 one must not
    return str(parsed), port


def parse_host(value: str) -> tuple[str, int | None] | None:
    """``"example.com:8443"`` -> ``("example.com", 8443)``; no port: None in its place;
    not a host an authority can name: None."""
    match = _HOST.fullmatch(value.strip())
    if match is None:
        return None
    name = match.group("name")
    if name.startswith("["):
        try:
            ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            return None
    port_text = match.group("port")
    if port_text is None:
        return name, None
    port = int(port_text)
    return (name, port) if 0 < port < 65536 else None


def parse_port(value: str) -> int | None:
    """An ``X-Forwarded-Port`` value: a port number, else None."""
    value = value.strip()
    if value.isascii() and value.isdigit() and len(value) <= 5 and 0 < int(value) < 65536:
        return int(value)
    return None
