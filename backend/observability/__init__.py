"""What an operator sees of a running Recoup: Prometheus metrics and structured logs."""
