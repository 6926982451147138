"""Who changed a price, stock, a run, an order or a line: recorded, and shown per team."""

from decimal import Decimal as D

from auditlog.models import LogEntry
from django.urls import reverse

from fulfilment import runs
from shop.desk import audit
from shop.desk.audit import acting_as


def logged(kind, **match):
    """The logged field changes of one kind (as the audit page reads them)."""
    rows = audit.changes(LogEntry.objects.order_by("-timestamp", "-pk"))
    return [r for r in rows if r.kind == kind and all(getattr(r, k) == v for k, v in match.items())]


def test_price_and_stock_changes_are_recorded_with_who_and_what(world):
    a = world["a"]
    record = a.product.stockrecords.get()
    with acting_as(a.member):
        record.price = D("2.50")
        record.num_in_stock = 40
        record.save()
    entries = {e.field: e for e in logged("stockrecord")}
    assert (entries["price"].old, entries["price"].new) == ("2.00", "2.50")
    assert (entries["num_in_stock"].old, entries["num_in_stock"].new) == ("50", "40")
    assert entries["price"].user == a.member and entries["price"].team == a.team


def test_saving_without_a_change_records_nothing(world):
    record = world["a"].product.stockrecords.get()
    record.save()
    assert not LogEntry.objects.exists()


def test_line_and_order_status_changes_from_the_dashboard_are_recorded(client, world):
    a, mixed = world["a"], world["mixed"]
    line = mixed.lines.get(partner=a.team)
    client.force_login(a.member)
    client.post(
        reverse("dashboard:order-detail", kwargs={"number": mixed.number}),
        {
            "line_action": "change_line_statuses",
            "new_status": "已确认",
            "selected_line": [line.pk],
            f"selected_line_qty_{line.pk}": line.quantity,
        },
    )
    (entry,) = logged("line")
    assert (entry.old, entry.new, entry.user, entry.team) == ("待确认", "已确认", a.member, a.team)


def test_run_status_changes_are_recorded(world):
    run = world["a"].run
    runs.change_status(run, "closed", actor=world["a"].member)
    (entry,) = logged("deliveryrun", field="status")
    assert (entry.old, entry.new, entry.team) == ("open", "closed", world["a"].team)


def test_the_audit_page_shows_a_team_only_its_own_entries(client, world):
    a, b = world["a"], world["b"]
    for side, price in ((a, "3.00"), (b, "4.00")):
        record = side.product.stockrecords.get()
        record.price = D(price)
        record.save()
    client.force_login(a.member)
    page = client.get(reverse("dashboard:desk-audit")).content.decode()
    assert "3.00" in page and "4.00" not in page
    client.force_login(world["coordinator"])
    page = client.get(reverse("dashboard:desk-audit")).content.decode()
    assert "3.00" in page and "4.00" in page


def test_audit_page_query_budget(client, world, django_assert_max_num_queries):
    record = world["a"].product.stockrecords.get()
    for n in range(30):
        record.num_in_stock = n
        record.save()
    client.force_login(world["a"].member)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("dashboard:desk-audit")).status_code == 200
