"""Which use case runs each kind of job: a new kind of work is one entry here."""

from __future__ import annotations

from backend.jobs.kinds import JobKind
from backend.jobs.runner import JobHandler
from backend.services.end_of_dunning import cancel_subscription_later, end_dunning
from backend.services.first_assessment import assess_failure
from backend.services.invoice_tags import restore_collection, tag_invoice
from backend.services.outreach_sending import send_message
from backend.services.overdue_chase import chase_overdue
from backend.services.queued_events import apply_event
from backend.services.retry_payment import pay_invoice
from backend.services.takeover import take_over

JOB_HANDLERS: dict[str, JobHandler] = {
    JobKind.APPLY_EVENT: apply_event,
    JobKind.ASSESS_FAILURE: assess_failure,
    JobKind.TAG_INVOICE: tag_invoice,
    JobKind.PAY_INVOICE: pay_invoice,
    JobKind.END_DUNNING: end_dunning,
    JobKind.CHASE_OVERDUE: chase_overdue,
    JobKind.RESTORE_COLLECTION: restore_collection,
    JobKind.CANCEL_SUBSCRIPTION: cancel_subscription_later,
    JobKind.SEND_MESSAGE: send_message,
    JobKind.TAKE_OVER: take_over,
}
