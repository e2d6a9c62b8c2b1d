"""The pluggy markers of the ``uvicorn`` hook namespace.

Plugins decorate their hook functions with :data:`hookimpl`; the core declares the
specifications in :mod:`uvicorn.hookspecs` with :data:`hookspec`.
"""

from __future__ import annotations

from typing import Final

import pluggy

PROJECT_NAME: Final = "uvicorn"

hookspec: Final = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl: Final = pluggy.HookimplMarker(PROJECT_NAME)
