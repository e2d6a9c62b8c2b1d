"""A read buffer for websockets' parser that hands out payloads without copying them.

websockets' ``StreamReader`` keeps unread bytes in a ``bytearray``: every chunk is
appended (a copy), every read slices a copy out of it, and deleting what was read moves
the rest to the front. For a 64 KiB message that is three passes over the payload before
websockets unmasks it (the fourth, which it must do). :class:`ChunkBuffer` implements the
few ``bytearray`` operations the reader uses over the received chunks themselves: a read
that falls inside one chunk is a view of it, and only a read that spans chunks is joined.

The parser still reads and checks every byte; only where its bytes are kept changes.
Per call this costs more Python than a ``bytearray`` does, so the adapter switches to it
only while large chunks arrive (see ``_base``), together with :func:`read_exact_for`, a
``reader.read_exact`` that takes each read from it in one call.

Chunks may be borrowed: views of a read buffer the transport fills again on its next read.
The adapter calls :meth:`ChunkBuffer.detach` before that, which copies what is left unread
(a frame still incomplete); reads that could outlive the chunk (a frame's mask, kept while
its payload arrives) are always copies.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Final, Protocol

ReadExact = Callable[[int], Generator[None, None, "bytes | bytearray | memoryview"]]

# Reads shorter than this (frame headers, masks, small payloads) are copied: a short
# copy is cheaper than a view, it does not keep a whole chunk alive, and it stays valid
# when a borrowed chunk is refilled.
_VIEW_MIN: Final = 1024


class ChunkBuffer:
    """Unread bytes as a list of chunks; supports what ``StreamReader`` does to its buffer.

    That is ``buffer += chunk``, ``len(buffer)``, ``buffer[:n]``, ``buffer[:]``,
    ``del buffer[:n]``, ``del buffer[:]`` and ``buffer.find(sub, start)``.
    """

    __slots__ = ("head", "pos", "rest", "size")

    def __init__(self, data: bytes = b"") -> None:
        self.head: bytes | memoryview = data  # the first chunk not read to its end
        self.pos = 0  # how much of ``head`` was read
        self.rest: list[bytes | memoryview] = []  # the chunks after ``head``
        self.size = len(data)  # unread bytes in all chunks

    def __iadd__(self, data: bytes | bytearray | memoryview) -> ChunkBuffer:
        # A memoryview is a borrowed chunk: detach() copies what is left of it.
        chunk = bytes(data) if isinstance(data, bytearray) else data  # its owner may change it
        if not chunk:
            return self
        if self.size:
            self.rest.append(chunk)
        else:
            self.head, self.pos = chunk, 0
        self.size += len(chunk)
        return self

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: slice) -> bytes | memoryview:
        # Only ``[:n]`` and ``[:]`` are used; like a bytearray, a slice past the end
        # gives what there is.
        count = index.stop
        if count is None:
            count = self.size
        start = self.pos
        stop = start + count
        head = self.head
        if stop <= len(head):  # within one chunk: most reads
            if count < _VIEW_MIN:
                return bytes(head[start:stop]) if type(head) is memoryview else head[start:stop]
            return memoryview(head)[start:stop]
        pieces: list[bytes | memoryview] = [memoryview(head)[start:]]
        missing = stop - len(head)
        for chunk in self.rest:
            if missing <= len(chunk):
                pieces.append(memoryview(chunk)[:missing])
                break
            pieces.append(chunk)
            missing -= len(chunk)
        return b"".join(pieces)

    def __delitem__(self, index: slice) -> None:
        count = index.stop
        if count is None or count >= self.size:
            self.head, self.pos, self.size = b"", 0, 0
            self.rest.clear()
            return
        self.size -= count
        pos = self.pos + count
        head = self.head
        if pos < len(head):  # still within the first chunk: most reads
            self.pos = pos
            return
        rest = self.rest
        while pos >= len(head):
            pos -= len(head)
            head = rest.pop(0)
        self.head, self.pos = head, pos

    def take(self, count: int) -> bytes | memoryview:
        """``buffer[:count]`` then ``del buffer[:count]``, in one call; ``count <= len(self)``."""
        start = self.pos
        stop = start + count
        head = self.head
        if stop < len(head):  # within the first chunk, which is not read to its end: most reads
            self.pos = stop
            self.size -= count
            if count < _VIEW_MIN:
                return bytes(head[start:stop]) if type(head) is memoryview else head[start:stop]
            return memoryview(head)[start:stop]
        data = self[:count]
        del self[:count]
        return data

    def find(self, sub: bytes, start: int = 0) -> int:
        """Like ``bytes.find``; joins the chunks first (used for handshake lines only)."""
        if self.rest or self.pos or type(self.head) is not bytes:
            self.detach()
        return bytes(self.head).find(sub, start)

    def detach(self) -> None:
        """Keep what is unread in memory of its own: borrowed chunks may be refilled."""
        if self.size:
            self.head = b"".join([memoryview(self.head)[self.pos :], *self.rest])
        else:
            self.head = b""
        self.pos = 0
        self.rest.clear()


class _Reader(Protocol):
    """What ``read_exact`` reads of websockets' ``StreamReader``."""

    @property
    def buffer(self) -> bytearray | ChunkBuffer: ...

    @property
    def eof(self) -> bool: ...


def read_exact_for(reader: _Reader) -> ReadExact:
    """``reader.read_exact`` as websockets defines it, in one call per read from a ChunkBuffer.

    websockets' own reads a buffer as ``len``, a slice, then a ``del``: three Python calls
    on a ChunkBuffer. This one takes what is there with :meth:`ChunkBuffer.take` and reads
    a bytearray as websockets does. It looks ``reader.buffer`` up on every read: a frame
    parse in progress keeps this function while the adapter swaps buffers under it.
    """

    def read_exact(count: int) -> Generator[None, None, bytes | bytearray | memoryview]:
        buffer = reader.buffer
        if type(buffer) is ChunkBuffer and buffer.size >= count:
            return buffer.take(count)
        while len(buffer) < count:
            if reader.eof:
                raise EOFError(f"stream ends after {len(buffer)} bytes, expected {count} bytes")
            yield
            buffer = reader.buffer
        if type(buffer) is ChunkBuffer:
            return buffer.take(count)
        data = buffer[:count]
        del buffer[:count]
        return data

    return read_exact
