"""Geospatial helpers: all vector I/O in `io`, all CRS logic in `crs`."""
