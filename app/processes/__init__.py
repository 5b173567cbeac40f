"""OGC API - Processes (synchronous execution) of the planner analyses, under /api/processes."""

from app.processes.views import bp

__all__ = ["bp"]
