"""Fuzz stage (issue 17): every form the shop serves, posted with bad values by each role.

The URL resolver gives every page under /shop/ and /search/ (and their /en/ twins);
each is opened as a visitor, a buyer, a team member and a coordinator, and every form
found in the HTML is posted (or, for a search form, sent as a query) with values
Hypothesis draws from ``tests.fuzz.forms``: empty, huge, control characters, NUL,
wrong types, fields sent twice, missing management fields, broken files. No answer may
be a 500, and a form shown again must not have written anything: the main tables keep
their row counts. Each form is posted by the least privileged role that sees it, inside
a savepoint that is rolled back afterwards, so one form's success cannot starve the next.

``FUZZ_EXAMPLES`` (default 10) sets the examples per form; the module stays well under
three minutes on SQLite with the default.
"""

import json
import os
import re
import time

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from shop.speed import request_cache
from tests.catalogue.factories import Category
from tests.fulfilment.factories import DeliveryZoneFactory, PickupPointFactory
from tests.fuzz import forms as fuzz
from tests.order.factories import make_order

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
HUGE_INTEGERS = connection.vendor != "sqlite"  # see tests.fuzz.forms.value_strategy
ROLES = ("anonymous", "buyer", "member", "coordinator")
COUNTED = [
    "auth.User",
    "address.UserAddress",
    "catalogue.Product",
    "catalogue.ProductImage",
    "catalogue.Category",
    "catalogue.ProductClass",
    "catalogue.Option",
    "catalogue.AttributeOptionGroup",
    "catalogue.Household",
    "catalogue.Village",
    "partner.Partner",
    "partner.StockRecord",
    "order.Order",
    "order.Line",
    "order.OrderNote",
    "basket.Line",
    "fulfilment.PickupPoint",
    "fulfilment.DeliveryZone",
    "fulfilment.DeliveryRun",
    "fulfilment.RunPickup",
    "fulfilment.SupplyCommitment",
    "fulfilment.Shortfall",
    "fulfilment.DriverTap",
    "fulfilment.Payout",
    "desk.ReportExport",
    "offer.ConditionalOffer",
    "offer.Range",
    "voucher.Voucher",
    "voucher.VoucherSet",
    "shipping.WeightBased",
    "wishlists.WishList",
    "standing.StandingOrder",
    "standing.StandingLine",
    "standing.StandingRun",
]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI is not a lottery
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    report_multiple_bugs=False,
    suppress_health_check=list(HealthCheck),
)


def row_counts():
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


@pytest.fixture
def shop_world(world, run, pickup_point):
    """``world`` (two teams, their products, households, runs and orders, one user per
    role) plus a pickup point with an open run, a zone, a category and a buyer's
    address and order: enough for every page's parameters."""
    a = world["a"]
    buyer = world["customer"]
    buyer.email = "buyer@example.cn"
    buyer.save()
    order = make_order(None, [(a.product, 2)], user=buyer)
    category = Category.add_root(name="鸡蛋", slug="eggs")
    a.product.categories.add(category)
    address = apps.get_model("address", "UserAddress").objects.create(
        user=buyer,
        first_name="林小满",
        line1="人民路 88 号",
        line4="南山县",
        country_id="CN",
        phone_number="+8613900001111",
    )
    from shop.standing import schedule

    standing = schedule.start(
        buyer,
        [(a.product, a.product.order_step or 1)],
        "weekly",
        PickupPointFactory(team=a.team),
        "林小满",
        "13900001111",
        "zh-hans",
    )
    objects = {
        "standing": standing,
        "product": a.product,
        "category": category,
        "household": a.household,
        "village": a.household.village,
        "team": a.team,
        "run": run,
        "point": pickup_point,
        "zone": DeliveryZoneFactory(team=a.team),
        "order": order,
        "order_line": order.lines.get(),
        "address": address,
        "buyer": buyer,
        "member": a.member,
    }
    users = {
        "anonymous": None,
        "buyer": buyer,
        "member": a.member,
        "coordinator": world["coordinator"],
    }
    return objects, users


def prepared_client(user, product):
    """A browser for the role: signed in, with something in the basket, and a visitor
    past checkout's first step, so the basket and checkout pages show their forms."""
    client = Client()
    if user is not None:
        client.force_login(user)
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    if user is None:
        client.post(
            reverse("checkout:index"), {"username": "guest@example.cn", "options": "anonymous"}
        )
    return client


def discover(objects, users, failures):
    """Every distinct form, each with the least privileged role that is shown it."""
    paths = [p for p in fuzz.page_paths(fuzz.filler(objects)) if not p.startswith("/en/")]
    found = {}
    for role in ROLES:
        client = prepared_client(users[role], objects["product"])
        for path in paths:
            try:
                response = client.get(path)
            except Exception as error:  # the test client re-raises a view's exception
                failures.append(f"GET {path} as {role}: {error!r}")
                continue
            if response.status_code != 200 or not fuzz.is_html(response):
                continue
            for form in fuzz.forms_on(path, response.content.decode()):
                key = (form.method, re.sub(r"\d+", "N", form.action), form.key[2])
                found.setdefault(key, (role, form))
    return list(found.values())


def send(client, form, data, english):
    path = "/en" + form.action if english else form.action
    if form.method == "get":
        return client.get(path, {k: v for k, v in data.items() if not hasattr(v, "read")})
    return client.post(path, data)


def fuzz_form(role, user, form, product, failures):
    client = None

    @FUZZ_SETTINGS
    @given(data=fuzz.form_data(form, HUGE_INTEGERS), english=st.booleans())
    def post_bad_values(data, english):
        before = row_counts()
        response = send(client, form, data, english)
        assert response.status_code < 500, (role, form.action, data)
        if form.method == "post" and response.status_code == 200 and fuzz.is_html(response):
            assert row_counts() == before, ("half-saved", role, form.action, data)

    try:
        with transaction.atomic():
            client = prepared_client(user, product)
            post_bad_values()
            transaction.set_rollback(True)
    except Exception as error:
        notes = "\n".join(getattr(error, "__notes__", []))
        failures.append(f"{form.method.upper()} {form.action} as {role}: {error!r}\n{notes}")
    cache.clear()
    request_cache.clear_local()


def test_every_form_answers_bad_values_without_a_500_or_a_half_save(shop_world):
    objects, users = shop_world
    started = time.monotonic()
    failures = []
    targets = discover(objects, users, failures)
    actions = {form.action for _role, form in targets}
    # the crawl reached each role's forms: public, account, team and dashboard
    for expected in (
        reverse("customer:register"),
        reverse("basket:summary"),
        reverse("customer:address-create"),
        reverse("fulfilment:point-create"),
        reverse("fulfilment:product-create"),
        reverse("fulfilment:product-edit", args=[objects["product"].pk]),
        reverse("dashboard:catalogue-household-create"),
        reverse("dashboard:catalogue-product-import"),
        reverse("dashboard:partner-create"),
        reverse("standing:quantities", args=[objects["standing"].pk]),
    ):
        assert expected in actions, expected
    for role, form in targets:
        fuzz_form(role, users[role], form, objects["product"], failures)
    print(f"fuzzed {len(targets)} forms in {time.monotonic() - started:.0f} s")
    assert not failures, "\n\n".join(failures)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@FUZZ_SETTINGS
@given(
    event_type=st.sampled_from(
        [
            "checkout.session.completed",
            "checkout.session.async_payment_succeeded",
            "checkout.session.async_payment_failed",
            "checkout.session.expired",
            "payment_intent.payment_failed",
            "refund.updated",
            "charge.refund.updated",
        ]
    ),
    obj=st.dictionaries(
        st.sampled_from(
            [
                "id",
                "metadata",
                "payment_intent",
                "payment_status",
                "status",
                "amount",
                "amount_total",
                "last_payment_error",
                "charge",
                "client_reference_id",
            ]
        ),
        JSON,
    ),
)
def test_signed_webhooks_with_any_object_never_500(client, settings, event_type, obj):
    from tests.payment.conftest import WEBHOOK_SECRET, sign

    settings.STRIPE_SECRET_KEY = "sk_test_fake_nongzhu"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fake_nongzhu"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    body = json.dumps(
        {
            "id": f"evt_{hash(json.dumps(obj, sort_keys=True))}",
            "type": event_type,
            "data": {"object": obj},
        }
    )
    with transaction.atomic():
        response = client.post(
            reverse("stripe-webhook"),
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=sign(body),
        )
        assert response.status_code < 500, body
        transaction.set_rollback(True)
