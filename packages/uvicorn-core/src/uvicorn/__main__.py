"""``python -m uvicorn``: the same command as ``uvicorn``."""

from uvicorn.main import main

main()
