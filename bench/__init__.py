"""The hot-path benchmark: ``python -m bench`` (see docs/benchmarks.md)."""
