import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from fulfilment.models import RunPickup
from shop.institutions.models import Institution, InstitutionOrder
from shop.payment.methods import BANK_TRANSFER
from tests.fulfilment.conftest import coordinator, households  # noqa: F401
from tests.fulfilment.factories import PickupPointFactory
from tests.order.factories import make_order
from tests.partner.factories import UserFactory

Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")


@pytest.fixture
def canteen(team, run):
    """The hospital canteen's door: a pickup point on the open run, 11:00–12:00."""
    point = PickupPointFactory(team=team, name="县人民医院职工食堂后门")
    RunPickup.objects.create(
        run=run, point=point, window_start=datetime.time(11, 0), window_end=datetime.time(12, 0)
    )
    return point


@pytest.fixture
def staff_member(db):
    return UserFactory(username="nurse", email="nurse@example.cn")


@pytest.fixture
def hospital(canteen, staff_member):
    institution = Institution.objects.create(
        name="县人民医院工会",
        kind=Institution.Kind.UNION,
        tax_number="12410000MB0123456X",
        invoice_title="县人民医院工会委员会",
        invoice_bank="农业银行县支行",
        invoice_account="1234567890",
        yearly_target=D("100.00"),
        drop_off=canteen,
    )
    institution.members.add(staff_member)
    return institution


@pytest.fixture
def agency(db):
    return Institution.objects.create(
        name="县水利局",
        kind=Institution.Kind.AGENCY,
        tax_number="11410000MB7654321A",
        invoice_title="县水利局",
    )


def institution_order(run, items, institution, user, *, transfer=True, placed=None, **kwargs):
    """An order placed as checkout does, under ``institution`` and paid by monthly
    transfer (or on pickup)."""
    order = make_order(run, items, placed=placed, **kwargs)
    if transfer:
        kind, _ = SourceType.objects.get_or_create(code=BANK_TRANSFER, defaults={"name": "对公"})
        Source.objects.filter(order=order).update(source_type=kind)
    InstitutionOrder.objects.create(order=order, institution=institution, placed_by=user)
    return order


def this_month_at(day, hour=10):
    today = timezone.localdate()
    return timezone.make_aware(datetime.datetime(today.year, today.month, day, hour))
