"""A local stand-in of Render's public REST API (see server.py)."""

from .server import StandIn, World

__all__ = ["StandIn", "World"]
