"""An example third-party lifespan plugin for uvicorn: startup and shutdown, timed."""

from uvicorn.importer import lazy_attributes

__getattr__ = lazy_attributes(__name__, {"TimedLifespan": "uvicorn_lifespan_timing._lifespan"})
