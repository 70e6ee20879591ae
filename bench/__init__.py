"""Benchmarks and the offline demo."""
