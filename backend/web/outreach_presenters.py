"""JSON shapes of customer outreach for the Dashboard (docs/api.md)."""

from __future__ import annotations

from typing import Any

from backend.services.outreach_records import Engagement
from backend.services.outreach_reporting import Outreach
from backend.web.presenters import iso


def outreach_json(outreach: Outreach | None) -> dict[str, Any]:
    if outreach is None:
        return {"messages": [], "customer_unsubscribed": False}
    return {
        "customer_unsubscribed": outreach.unsubscribed,
        "messages": [{"id": m.id, "channel": m.channel, "step": m.step, "status": m.status,
                      "send_at": iso(m.send_at), "sent_at": iso(m.sent_at), "opened_at": iso(m.opened_at),
                      "clicked_at": iso(m.clicked_at), "to": m.to_address, "error": m.error}
                     for m in outreach.messages],
    }


def engagement_json(engagement: Engagement) -> dict[str, int]:
    return {"sent": engagement.sent, "opened": engagement.opened, "clicked": engagement.clicked,
            "failed": engagement.failed}
