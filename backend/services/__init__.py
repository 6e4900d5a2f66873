"""Use cases: one function per thing that can happen, each in one unit of work."""
