"""Benchmarks: speed and memory figures of the engine and the server, printed (never asserted by a test)."""
