"""The HTTP edge: routes, signature checks, request parsing, error-to-status mapping."""
