"""Benchmarks (not tests): figures printed and written as JSON to bench/results/."""
