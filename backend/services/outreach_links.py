"""The signed links a customer message carries, and what each one is for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.services.outreach_ports import LinkPurpose, LinkSigner

# The card-update link keeps working a few days past the deadline: a customer reading the final
# notice late can still pay while the invoice is open.
CARD_UPDATE_GRACE = timedelta(days=5)
TRACKING_LIFETIME = timedelta(days=90)
UNSUBSCRIBE_LIFETIME = timedelta(days=365)
CLICK_TARGETS = ("update", "invoice")


@dataclass(frozen=True)
class MessageLinks:
    click_update: str  # counts the click, then opens the card-update page
    click_invoice: str  # counts the click, then opens the invoice's hosted payment page
    unsubscribe: str
    pixel: str


class OutreachLinks:
    def __init__(self, signer: LinkSigner) -> None:
        self.signer = signer

    def card_update_token(self, recovery_id: str, deadline: datetime) -> str:
        return self.signer.sign(LinkPurpose.CARD_UPDATE, recovery_id, deadline + CARD_UPDATE_GRACE)

    def card_update_url(self, recovery_id: str, deadline: datetime) -> str:
        return self.signer.url(f"/r/{self.card_update_token(recovery_id, deadline)}")

    def for_message(self, message_id: str, recovery_id: str, deadline: datetime) -> MessageLinks:
        tracked_until = deadline + TRACKING_LIFETIME
        click = {target: self.signer.sign(LinkPurpose.CLICK, f"{message_id}:{target}", tracked_until)
                 for target in CLICK_TARGETS}
        pixel = self.signer.sign(LinkPurpose.OPEN, message_id, tracked_until)
        unsubscribe = self.signer.sign(LinkPurpose.UNSUBSCRIBE, recovery_id, deadline + UNSUBSCRIBE_LIFETIME)
        return MessageLinks(click_update=self.signer.url(f"/t/c/{click['update']}"),
                            click_invoice=self.signer.url(f"/t/c/{click['invoice']}"),
                            unsubscribe=self.signer.url(f"/u/{unsubscribe}"),
                            pixel=self.signer.url(f"/t/o/{pixel}.gif"))
