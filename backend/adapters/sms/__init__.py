"""SMS delivery through the merchant's own Twilio account."""

from backend.adapters.sms.twilio import TwilioSms

__all__ = ["TwilioSms"]
