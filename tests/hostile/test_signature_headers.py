"""Generated Stripe-Signature headers: accepted exactly when one fresh timestamp carries a valid HMAC."""

from __future__ import annotations

import json

import stripe
from hypothesis import event, given
from hypothesis import strategies as st

from tests.builders import install_event
from tests.conftest import APP_SECRET, START, WEBHOOK_SECRET
from tests.hostile.conftest import HOSTILE
from tests.hostile.support import ACCOUNT, USER, assert_client_error, install_and_enable, snapshot

NOW = int(START.timestamp())
TIMES = {"now": NOW, "old": NOW - 86_400, "soon": NOW + 120, "late": NOW + 301}
# Elements that are not `key=value` without spaces: each one alone makes the header malformed.
MALFORMED = ["x", f" t={NOW}", f"t ={NOW}", "", "t=", "=abc", "v1", f"t={NOW} ", "t=-5", "t=1e9", f"t={NOW}\t"]


def _v1(payload: str, secret: str, timestamp: int) -> str:
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp).split(",v1=")[1]


@st.composite
def headers(draw: st.DrawFn, payload: str, secret: str) -> tuple[str, bool]:
    """A header built from good and bad elements, and whether Stripe's rule says it should pass."""
    # Start from nothing, a good header or a stale one, add up to three elements, shuffle.
    base = draw(st.sampled_from([[], ["t_now", "v1_now"], ["t_soon", "v1_soon"], ["t_old", "v1_old"]]))
    extra = draw(st.lists(st.sampled_from(["t_now", "t_old", "t_soon", "t_late", "v1_now", "v1_old", "v1_soon",
                                           "v1_late", "v1_wrong_secret", "v1_garbage", "v0", "malformed"]),
                          min_size=0 if base else 1, max_size=3))
    kinds = draw(st.permutations(base + extra))
    separator = draw(st.sampled_from([",", ",", ",", ", "]))
    elements = []
    for kind in kinds:
        name, _, when = kind.partition("_")
        if name == "t":
            elements.append(f"t={TIMES[when]}")
        elif kind == "v1_wrong_secret":
            elements.append(f"v1={_v1(payload, 'whsec_not_ours', NOW)}")
        elif kind == "v1_garbage":
            elements.append(f"v1={draw(st.text(alphabet='0123456789abcdef', min_size=1, max_size=70))}")
        elif name == "v1":
            elements.append(f"v1={_v1(payload, secret, TIMES[when])}")
        elif kind == "v0":
            elements.append(f"v0={'0' * 64}")
        else:
            elements.append(draw(st.sampled_from(MALFORMED)))
    timestamps = [k for k in kinds if k.startswith("t_")]
    only = timestamps[0].partition("_")[2] if len(timestamps) == 1 else None
    garbage_ok = all(len(e.split("=", 1)[1]) == 64 for e in elements if e.startswith("v1="))
    accepted = (separator == "," and "malformed" not in kinds and only in ("now", "soon")
                and f"v1_{only}" in kinds and garbage_ok)
    return separator.join(elements), accepted


@HOSTILE
@given(case=headers(json.dumps({"user_id": USER, "account_id": ACCOUNT}, separators=(",", ":")), APP_SECRET))
async def test_a_dashboard_request_passes_only_with_one_fresh_signed_timestamp(client, engine, case):
    if not (await snapshot(engine))["account"]:
        await install_and_enable(client)
    header, accepted = case

    response = await client.get("/api/v1/settings", params={"user_id": USER, "account_id": ACCOUNT},
                                headers={"Stripe-Signature": header})

    event("accepted" if accepted else "refused")
    if accepted:
        assert response.status_code == 200, (header, response.text)
    else:
        assert assert_client_error(response, 401)["code"] == "invalid_signature", header


WEBHOOK_BODY = json.dumps(install_event(ACCOUNT, created=START, event_id="evt_1SignedOnce"))


@HOSTILE
@given(case=headers(WEBHOOK_BODY, WEBHOOK_SECRET))
async def test_a_webhook_passes_only_with_one_fresh_signed_timestamp(client, engine, case):
    header, accepted = case
    before = await snapshot(engine)

    response = await client.post("/webhooks/stripe", content=WEBHOOK_BODY, headers={"Stripe-Signature": header})

    event("accepted" if accepted else "refused")
    if accepted:
        assert response.status_code == 200, (header, response.text)
    else:
        assert assert_client_error(response, 400)["code"] == "invalid_signature", header
        assert await snapshot(engine) == before
