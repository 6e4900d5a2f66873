"""Which use case runs each kind of job."""

from __future__ import annotations

from backend.services.assess import assess_failure
from backend.services.daily import chase_overdue
from backend.services.end_dunning import end_dunning
from backend.services.job_kinds import JobKind
from backend.services.job_runner import JobHandler
from backend.services.retry_payment import pay_invoice
from backend.services.tagging import tag_invoice

JOB_HANDLERS: dict[str, JobHandler] = {
    JobKind.ASSESS_FAILURE: assess_failure,
    JobKind.TAG_INVOICE: tag_invoice,
    JobKind.PAY_INVOICE: pay_invoice,
    JobKind.END_DUNNING: end_dunning,
    JobKind.CHASE_OVERDUE: chase_overdue,
}
