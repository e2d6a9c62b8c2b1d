"""``python -m uvicorn``: the same command as ``uvicorn``."""

from uvicorn.main import main

if __name__ == "__main__":  # not when a spawned worker re-imports this module
    main()
