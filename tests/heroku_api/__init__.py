"""The Heroku Platform API stood in for locally, and the real Heroku CLI pointed at it."""

from .cli import MISSING, environment, find, opened
from .server import StandIn, World, wait_for

__all__ = ["MISSING", "StandIn", "World", "environment", "find", "opened", "wait_for"]
