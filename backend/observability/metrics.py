"""The Prometheus instruments of one Recoup process, on a registry of its own.

A registry per app (not the library's global one) lets tests and benchmarks build many apps in
one process; in production each process serves its own `/metrics` and Prometheus adds them up.
Labels are bounded sets (route templates, job kinds, gateway operations, outcomes): never
account, invoice or recovery ids, which would grow the series without limit.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# From a fast in-process call to a Stripe request that waits out its rate limit.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.http_requests = Counter("recoup_http_requests", "HTTP requests answered, by route and status",
                                     ["route", "method", "status"], registry=registry)
        self.http_seconds = Histogram("recoup_http_request_seconds", "Time to answer an HTTP request",
                                      ["route"], buckets=_LATENCY_BUCKETS, registry=registry)
        self.webhooks = Counter("recoup_webhooks", "Stripe webhook deliveries answered, by HTTP status",
                                ["status"], registry=registry)
        self.webhook_seconds = Histogram("recoup_webhook_seconds", "Time to verify, record and answer a webhook",
                                         buckets=_LATENCY_BUCKETS, registry=registry)
        self.jobs = Counter("recoup_jobs",
                            "Job runs, by kind and result (done, retry_later, failed, parked, or the error raised)",
                            ["kind", "result"], registry=registry)
        self.job_seconds = Histogram("recoup_job_seconds", "Time one job execution took", ["kind"],
                                     buckets=_LATENCY_BUCKETS, registry=registry)
        self.stripe_calls = Counter("recoup_stripe_calls", "Calls to Stripe, by gateway operation and result",
                                    ["operation", "status"], registry=registry)
        self.stripe_seconds = Histogram("recoup_stripe_call_seconds",
                                        "Time a Stripe call took, rate-limit waits and SDK retries included",
                                        ["operation"], buckets=_LATENCY_BUCKETS, registry=registry)
        self.charges = Counter("recoup_charges", "Invoice payments Recoup attempted, by result", ["result"],
                               registry=registry)
        self.messages = Counter("recoup_messages", "Customer messages handed to the mail server or Twilio, by result",
                                ["channel", "result"], registry=registry)
        self.jobs_due = Gauge("recoup_jobs_due", "Jobs whose time has come and that nobody has claimed yet",
                              registry=registry)
        self.jobs_leased = Gauge("recoup_jobs_leased", "Jobs a worker holds a lease on right now", registry=registry)
        self.jobs_failing = Gauge("recoup_jobs_failing", "Queued jobs whose last run failed and that will be retried",
                                  registry=registry)
        self.jobs_failed = Gauge("recoup_jobs_failed", "Jobs given up for good (they need an operator)",
                                 registry=registry)
