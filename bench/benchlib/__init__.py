"""Helpers of bench/run (the pgfront benchmark suite). Stdlib only, except idle.py and the
runner, which use the test harness (tests/harness) and psycopg from Debian's /usr/bin/python3."""
