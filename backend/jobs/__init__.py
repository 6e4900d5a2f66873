"""Durable jobs: their kinds and keys, the handler registry, the runner and its back-off."""
