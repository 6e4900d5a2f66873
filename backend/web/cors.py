"""CORS for the Dashboard API only, through Starlette's own middleware.

The UI extension runs in a sandboxed iframe whose origin is `null`, so `/api/v1` allows any
origin; that is safe because every route there needs a Stripe signature. Other paths (webhooks,
health) get no CORS headers at all.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

API_PREFIX = "/api/v1/"


class DashboardCors:
    """Send /api/v1 requests (and their error answers) through CORSMiddleware, the rest straight on."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app
        self._cors = CORSMiddleware(app, allow_origins=["*"], allow_methods=["GET", "POST", "PUT"],
                                    allow_headers=["Content-Type", "Stripe-Signature"], max_age=600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope["path"]).startswith(API_PREFIX):
            await self._cors(scope, receive, send)
        else:
            await self._app(scope, receive, send)
