"""Reliability checks of the geoportal: load during change, faults, hostile input.

Each module runs one class of check and returns a result with figures; `check_reliability.py`
(in `scripts/`) runs them all and prints the figures, and `tests/reliability/` runs short
versions of the same code in the test suite.

- `common`: a throw-away workspace (store, settings, a layer whose versions carry a marker),
  a live server (gunicorn if installed, else `flask run --with-threads`), store snapshots;
- `load`: concurrent clients on the read API and the viewer while a layer is re-published;
- `faults`: kill -9 mid-import and mid-publish, disk full, read-only store, bad store at start;
- `corpus`: 200+ broken and hostile input files, generated (nothing committed);
- `hostile`: the corpus through `flask layers import` and the admin upload form;
- `fuzz`: odd and hostile read-API parameters and download names;
- `login`: parallel logins against live workers, the per-account cap, a replayed cookie.
"""
