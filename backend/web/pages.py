"""The customer's pages: card update (GET /r/<token>), tracking, unsubscribe. Branded, signed, no leaks."""

from __future__ import annotations

import functools
import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from backend.adapters.messages.catalogues import choose_locale
from backend.adapters.messages.templates import render
from backend.adapters.stripe.ids import is_stripe_id
from backend.domain.settings import RecoverySettings
from backend.services import card_update
from backend.services.audit_records import Cause, acting_for
from backend.services.card_update import PageProblem, Payable
from backend.services.money_format import money
from backend.services.outreach_links import OutreachLinks
from backend.services.outreach_ports import ExpiredLink, InvalidLink, LinkPurpose
from backend.services.ports import StripeRequestRejected, StripeUnavailable
from backend.web.context import AppContext, context_of

CSRF_COOKIE = "recoup_csrf"
CSRF_PURPOSE = "csrf"
CSRF_LIFETIME = timedelta(hours=2)
_PIXEL = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
_STATUS = {"invalid": 404, "forbidden": 403, "expired": 410, "paid": 410, "closed": 410, "not_completed": 409,
           "unavailable": 503}
# The id in an SMS short link: exactly what `outreach_records.message_id` makes, nothing around it.
_MESSAGE_ID = re.compile(r"msg_[0-9a-f]{24}")
_Page = Callable[[Request], Awaitable[Response]]


def branded(page: _Page) -> _Page:
    """A customer never sees a stack trace: Stripe refusing or unreachable gets a branded page."""

    @functools.wraps(page)
    async def answer(request: Request) -> Response:
        try:
            return await page(request)
        except StripeUnavailable:
            return _problem(request, "unavailable")
        except StripeRequestRejected:
            return _problem(request, "invalid")

    return answer
SECURITY_HEADERS = {
    # Only our own inline styles; forms post to us, and Checkout is reached by our redirect.
    "Content-Security-Policy": ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                                "form-action 'self' https://checkout.stripe.com; base-uri 'none'; "
                                "frame-ancestors 'none'"),
    "Referrer-Policy": "no-referrer",  # the token in the URL must not reach Stripe or anyone else
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _links(request: Request) -> OutreachLinks:
    links: OutreachLinks = request.app.state.outreach.links
    return links


def _locale(request: Request) -> str:
    header = request.headers.get("accept-language", "")
    preferred = tuple(part.split(";")[0].strip() for part in header.split(",") if part.strip())
    return choose_locale(preferred)


def _page(request: Request, template: str, settings: RecoverySettings | None, status: int = 200,
          **context: Any) -> HTMLResponse:
    html = render(template, _locale(request), html=True,
                  brand_name=(settings.brand_name if settings and settings.brand_name else ""),
                  brand_color=settings.brand_color if settings else "#425466", locale=_locale(request), **context)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def _problem(request: Request, kind: str, settings: RecoverySettings | None = None) -> HTMLResponse:
    return _page(request, "pages/problem.html", settings, _STATUS[kind], problem=kind)


async def _read(request: Request, purpose: str) -> str | HTMLResponse:
    """The token's subject, or the branded page that explains why the link cannot be used."""
    context = context_of(request)
    try:
        return _links(request).signer.read(purpose, str(request.path_params["token"]), context.clock.now())
    except InvalidLink:
        return _problem(request, "invalid")
    except ExpiredLink as expired:
        subject = expired.subject.split(":")[0]
        settings = await card_update.recovery_settings(context.uow_factory, subject) \
            if purpose in (LinkPurpose.CARD_UPDATE, LinkPurpose.UNSUBSCRIBE) else None
        return _problem(request, "expired", settings)


def _csrf(request: Request, context: AppContext, recovery_id: str) -> tuple[str, str]:
    """A fresh double-submit pair: a random cookie value and a signed form field naming it."""
    nonce = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(16)
    field = _links(request).signer.sign(CSRF_PURPOSE, f"{nonce}:{recovery_id}", context.clock.now() + CSRF_LIFETIME)
    return nonce, field


def _with_cookie(response: Response, request: Request, nonce: str) -> Response:
    response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict", path="/",
                        secure=request.url.scheme == "https", max_age=int(CSRF_LIFETIME.total_seconds()))
    return response


async def _csrf_ok(request: Request, recovery_id: str) -> str | None:
    """The nonce when the form carries a valid token matching the cookie; else None."""
    form = await request.form()
    field, cookie = str(form.get("csrf_token") or ""), request.cookies.get(CSRF_COOKIE)
    try:
        subject = _links(request).signer.read(CSRF_PURPOSE, field, context_of(request).clock.now())
    except (InvalidLink, ExpiredLink):
        return None
    nonce, _, bound = subject.partition(":")
    return nonce if cookie and secrets.compare_digest(nonce, cookie) and bound == recovery_id else None


def _page_context(request: Request, page: Payable, locale: str) -> dict[str, Any]:
    return {"amount": money(page.invoice.amount_remaining, page.invoice.currency, locale),
            "invoice_number": page.invoice.number or page.invoice.id, "path": page.path.value,
            "next_retry": None, "alternative_url": page.invoice.hosted_invoice_url}


@branded
async def card_update_page(request: Request) -> Response:
    recovery_id = await _read(request, LinkPurpose.CARD_UPDATE)
    if isinstance(recovery_id, Response):
        return recovery_id
    context = context_of(request)
    try:
        page = await card_update.payable(context.uow_factory, context.gateway, recovery_id)
    except PageProblem as problem:
        return _problem(request, problem.kind, problem.settings)
    nonce, field = _csrf(request, context, recovery_id)
    response = _page(request, "pages/card_update.html", page.settings, csrf_token=field,
                     checkout_action=f"/r/{request.path_params['token']}/checkout",
                     **_page_context(request, page, _locale(request)))
    return _with_cookie(response, request, nonce)


@branded
async def start_checkout(request: Request) -> Response:
    recovery_id = await _read(request, LinkPurpose.CARD_UPDATE)
    if isinstance(recovery_id, Response):
        return recovery_id
    nonce = await _csrf_ok(request, recovery_id)
    if nonce is None:
        return _problem(request, "forbidden")
    context = context_of(request)
    try:
        page = await card_update.payable(context.uow_factory, context.gateway, recovery_id)
    except PageProblem as problem:
        return _problem(request, problem.kind, problem.settings)
    if page.path.value == "needs_authentication" and page.invoice.hosted_invoice_url:
        return RedirectResponse(page.invoice.hosted_invoice_url, 303, headers=SECURITY_HEADERS)
    token = request.path_params["token"]
    links = _links(request)
    # The audit trail records the Checkout Session as created for the customer, on this recovery.
    with acting_for(Cause("customer_page", recovery_id)):
        session = await card_update.start_checkout(
            context.gateway, page, success_url=links.signer.url(f"/r/{token}/done?session_id={{CHECKOUT_SESSION_ID}}"),
            cancel_url=links.signer.url(f"/r/{token}"), attempt=nonce)
    return RedirectResponse(session.url, 303, headers=SECURITY_HEADERS)


@branded
async def checkout_done(request: Request) -> Response:
    recovery_id = await _read(request, LinkPurpose.CARD_UPDATE)
    if isinstance(recovery_id, Response):
        return recovery_id
    context = context_of(request)
    session_id = request.query_params.get("session_id", "")
    if not is_stripe_id(session_id, "cs"):
        return _problem(request, "invalid")
    try:
        # Not `payable`: the webhook and the retry may have settled the invoice before the customer
        # is back, and they deserve the thank-you page all the same.
        with acting_for(Cause("customer_page", recovery_id)):
            recovery = await card_update.finish_checkout(context.uow_factory, context.gateway, context.clock,
                                                         recovery_id, session_id)
    except PageProblem as problem:
        return _problem(request, problem.kind, problem.settings)
    settings = await card_update.recovery_settings(context.uow_factory, recovery_id)
    return _page(request, "pages/done.html", settings,
                 amount=money(recovery.amount, recovery.currency, _locale(request)))


@branded
async def open_pixel(request: Request) -> Response:
    token = str(request.path_params["token"]).removesuffix(".gif")
    context = context_of(request)
    try:
        message_id = _links(request).signer.read(LinkPurpose.OPEN, token, context.clock.now())
    except (InvalidLink, ExpiredLink):
        message_id = None
    if message_id:
        await card_update.count_open(context.uow_factory, message_id, context.clock.now())
    # Always the image: a mail client showing a broken picture helps nobody.
    return Response(_PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store",
                                                             "Referrer-Policy": "no-referrer"})


@branded
async def tracked_click(request: Request) -> Response:
    subject = await _read(request, LinkPurpose.CLICK)
    if isinstance(subject, Response):
        return subject
    message_id, _, target = subject.partition(":")
    context = context_of(request)
    recovery = await card_update.count_click(context.uow_factory, message_id, context.clock.now())
    if recovery is None:
        return _problem(request, "invalid")
    if target == "invoice":
        invoice = await context.gateway.retrieve_invoice(recovery.account, recovery.invoice_id)
        if invoice.hosted_invoice_url:
            return RedirectResponse(invoice.hosted_invoice_url, 303, headers=SECURITY_HEADERS)
    return RedirectResponse(_links(request).card_update_url(recovery.id, recovery.deadline), 303,
                            headers=SECURITY_HEADERS)


@branded
async def short_link(request: Request) -> Response:
    """The short link of an SMS: the message id is the (unguessable) key; counts the click."""
    message_id = str(request.path_params["message_id"])
    context = context_of(request)
    recovery = await card_update.count_click(context.uow_factory, message_id, context.clock.now()) \
        if _MESSAGE_ID.fullmatch(message_id) else None
    if recovery is None:
        return _problem(request, "invalid")
    return RedirectResponse(_links(request).card_update_url(recovery.id, recovery.deadline), 303,
                            headers=SECURITY_HEADERS)


@branded
async def unsubscribe_page(request: Request) -> Response:
    recovery_id = await _read(request, LinkPurpose.UNSUBSCRIBE)
    if isinstance(recovery_id, Response):
        return recovery_id
    context = context_of(request)
    settings = await card_update.recovery_settings(context.uow_factory, recovery_id)
    if settings is None:
        return _problem(request, "invalid")
    nonce, field = _csrf(request, context, recovery_id)
    response = _page(request, "pages/unsubscribe.html", settings, done=False, csrf_token=field,
                     form_action=f"/u/{request.path_params['token']}")
    return _with_cookie(response, request, nonce)


@branded
async def unsubscribe(request: Request) -> Response:
    recovery_id = await _read(request, LinkPurpose.UNSUBSCRIBE)
    if isinstance(recovery_id, Response):
        return recovery_id
    form = await request.form()
    # RFC 8058 one-click unsubscribe comes from the mailbox provider, which holds no cookie.
    one_click = form.get("List-Unsubscribe") == "One-Click"
    if not one_click and await _csrf_ok(request, recovery_id) is None:
        return _problem(request, "forbidden")
    context = context_of(request)
    try:
        settings = await card_update.unsubscribe(context.uow_factory, recovery_id, context.clock.now())
    except PageProblem as problem:
        return _problem(request, problem.kind)
    return _page(request, "pages/unsubscribe.html", settings, done=True)


ROUTES = [
    Route("/r/{token}", card_update_page, methods=["GET"]),
    Route("/r/{token}/checkout", start_checkout, methods=["POST"]),
    Route("/r/{token}/done", checkout_done, methods=["GET"]),
    Route("/t/o/{token}", open_pixel, methods=["GET"]),
    Route("/t/c/{token}", tracked_click, methods=["GET"]),
    Route("/s/{message_id}", short_link, methods=["GET"]),
    Route("/u/{token}", unsubscribe_page, methods=["GET"]),
    Route("/u/{token}", unsubscribe, methods=["POST"]),
]
