"""The planner workspace: map page, coordinate conversion and print (see views.py)."""

from app.workspace.views import bp

__all__ = ["bp"]
