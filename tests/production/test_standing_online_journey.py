"""A standing order paid online per order, against the shop as it runs in production: a
buyer sets it up on the form over HTTP choosing online payment, the worker places it
before a run's cut-off (the beat task, also sent through the broker), the e-mail's pay link
takes her to a Stripe Checkout for exactly the amount (the stand-in for Stripe's API on
loopback, ``fake_stripe_server``), she pays, and Stripe's signed webhook records it once;
her standing-order page then says it is paid online."""

import json
import re
import subprocess
import sys
import time
import uuid
from decimal import Decimal

import pytest
import requests
import stripe

from tests.production.conftest import (
    BASE_URL,
    ROOT,
    Visitor,
    production_env,
    require_running_shop,
    shop_shell,
    wait_for,
)
from tests.production.test_journeys import _mails_to

pytestmark = pytest.mark.production

PASSWORD = "pay-online-2026"


def _order_of(standing):
    return shop_shell(
        f"""
import json
from shop.order import money
from shop.standing.models import StandingRun
row = StandingRun.objects.filter(standing_id={standing}).exclude(order=None).first()
m = money.of(row.order) if row else None
print(json.dumps(row and {{"number": row.order.number, "method": m.method,
    "due": str(m.due), "still": str(m.still_to_pay), "paid_online": str(m.paid_online),
    "sessions": [[c.session_id, str(c.amount), c.purpose, c.status]
                 for c in row.order.stripe_checkouts.order_by("pk")]}}))
"""
    )


def _signed_webhook(session):
    event = {
        "id": f"evt_stage_{uuid.uuid4().hex[:12]}",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": session},
    }
    payload = json.dumps(event)
    secret = production_env()["STRIPE_WEBHOOK_SECRET"]
    stamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{stamp}.{payload}", secret)
    return requests.post(
        f"{BASE_URL}/stripe/webhook/",
        data=payload,
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": f"t={stamp},v1={signature}",
        },
        timeout=30,
    )


def test_a_standing_order_paid_online_is_placed_by_the_worker_and_paid_through_stripe():
    require_running_shop()
    email = f"standing-{uuid.uuid4().hex[:8]}@example.cn"
    # A buyer, and the demo's eggs with a run of their team, at a pickup point of its own,
    # whose cut-off is 12 minutes away.
    setup = shop_shell(
        f"""
import datetime, json
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.core.loading import get_model
from fulfilment import supply
from fulfilment.models import DeliveryRun, PickupPoint, RunPickup
from shop.standing import schedule
eggs = get_model("catalogue", "Product").objects.get(title="散养土鸡蛋")
team = schedule.team_of(eggs)
first = team.pickup_points.filter(is_active=True).order_by("pk").first()
# A point of its own: the week's first run there is this one (a weekly order's run).
point = PickupPoint.objects.create(
    team=team, name="prod stage 门诊楼", address=first.address, window="每晚 8:00–10:00",
    latitude=first.latitude, longitude=first.longitude,
)
get_user_model().objects.create_user(
    username="{email.split("@")[0]}", email="{email}", password="{PASSWORD}"
)
village = team.villages.order_by("pk").first()
run = DeliveryRun.objects.create(
    team=team, date=timezone.localdate(), departure_time=datetime.time(23, 30),
    cutoff=timezone.now() + datetime.timedelta(minutes=12), capacity_kg=Decimal("400"),
    start_label="prod stage", start_latitude=village.latitude,
    start_longitude=village.longitude, notes="prod stage: standing order paid online",
)
RunPickup.objects.create(
    run=run, point=point, window_start=datetime.time(8, 0), window_end=datetime.time(10, 0)
)
household = eggs.households.filter(team=team).first()
supply.SupplyCommitment.objects.create(run=run, household=household, product=eggs, quantity=200)
supply.sync_stock(team)
print(json.dumps({{"eggs": eggs.pk, "point": point.pk, "run": run.pk,
                   "step": eggs.order_step or 1}}))
"""
    )
    buyer = Visitor()
    buyer.login(email, PASSWORD)

    # The form, over HTTP: online payment is offered (Stripe is on in the stage).
    quantity = 2 * setup["step"]
    url = f"/shop/accounts/standing/new/?product={setup['eggs']}&quantity={quantity}"
    _, soup = buyer.page(url)
    form = soup.find("form", attrs={"data-testid": "standing-start-form"})
    assert form.find("input", attrs={"name": "payment", "value": "stripe"}) is not None
    response = buyer.submit(
        url,
        form,
        frequency="weekly",
        payment="stripe",
        point=str(setup["point"]),
        name="林小满",
        phone="13812345678",
        **{f"qty-{setup['eggs']}": str(quantity)},
    )
    assert "在线付款" in response.text, response.text[:2000]
    standing = int(re.search(r"/standing/(\d+)/$", response.url)[1])

    # Placed 10 minutes before the cut-off: made so now (as if set up an hour ago), and the
    # beat task sent through the broker too; the worker places it once either way.
    shop_shell(
        f"""
import datetime, json
from django.utils import timezone
from fulfilment.models import DeliveryRun
from shop.standing.models import StandingOrder
StandingOrder.objects.filter(pk={standing}).update(
    created=timezone.now() - datetime.timedelta(hours=1)
)
DeliveryRun.objects.filter(pk={setup["run"]}).update(
    cutoff=timezone.now() + datetime.timedelta(minutes=8)
)
print(json.dumps(1))
"""
    )
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "shop", "call"]
        + ["shop.standing.tasks.place_due_standing_orders"],
        cwd=ROOT,
        env=production_env(),
        check=True,
        capture_output=True,
        timeout=60,
    )
    placed = wait_for(lambda: _order_of(standing), 150, every=5, what="the worker to place it")
    assert placed["method"] == "stripe" and Decimal(placed["paid_online"]) == 0
    due = Decimal(placed["due"])
    assert due > 0 and Decimal(placed["still"]) == due

    # The e-mail's pay link opens a Stripe Checkout for exactly what is due.
    mails = wait_for(
        lambda: [body for body in _mails_to(email) if placed["number"] in body],
        60,
        what="the placement e-mail",
    )
    link = re.search(r"在线付款：(\S+)", mails[0])[1]
    assert link.startswith(BASE_URL)
    to_stripe = buyer.get(link.removeprefix(BASE_URL), expect=302, allow_redirects=False)
    sessions = _order_of(standing)["sessions"]
    assert len(sessions) == 1 and sessions[0][1:] == [str(due), "rest", "open"]
    session_id = sessions[0][0]
    assert session_id in to_stripe.headers["Location"]

    # She pays at Stripe; Stripe's webhook tells the shop, signed.
    api = production_env()["STRIPE_API_BASE"]
    session = requests.post(f"{api}/_stage/pay/{session_id}", timeout=30).json()
    assert session["amount_total"] == int(due * 100)
    answer = _signed_webhook(session)
    assert answer.status_code == 200 and answer.json() == {"outcome": "paid-rest"}
    again = _signed_webhook(session)  # the same news again: recorded once
    assert again.json() == {"outcome": "already-paid"}

    paid = _order_of(standing)
    assert Decimal(paid["paid_online"]) == due and Decimal(paid["still"]) == 0
    page = buyer.get(f"/shop/accounts/standing/{standing}/").text
    assert 'data-pay="paid"' in page and placed["number"] in page
