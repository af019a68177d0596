"""Benchmarks: `make bench` → `python -m benchmarks.run`; results append to RESULTS.md.

Not part of `make test`. Each benchmark prints a table and returns rows for RESULTS.md:
engine overhead, politeness bound, parse cost, memory at 3,000 portals, scaling.
"""
