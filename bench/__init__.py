"""Benchmarks: each bench/bench_*.py prints ratios against a baseline measured in the same run."""
