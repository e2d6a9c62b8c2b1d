"""WebSocket support shared by every WebSocket plugin."""
