"""Planner analysis: cross-layer queries and statistics per zone, on any FeatureStore.

Plain functions over the store interface (no HTTP): the processes API and the workspace
call them, and tests call them directly.
"""
