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


def confirm_own_line_from_the_dashboard(client, world):
    """Team A's member confirms A's line of the split order on the dashboard's order page."""
    a, own = world["a"], world["split"]["a"]
    line = own.lines.get(partner=a.team)
    client.force_login(a.member)
    client.post(
        reverse("dashboard:order-detail", kwargs={"number": own.number}),
        {
            "line_action": "change_line_statuses",
            "new_status": "已确认",
            "selected_line": [line.pk],
            f"selected_line_qty_{line.pk}": line.quantity,
        },
    )
    return a


def test_line_and_order_status_changes_from_the_dashboard_are_recorded(client, world):
    a = confirm_own_line_from_the_dashboard(client, world)
    (entry,) = logged("line")
    assert (entry.old, entry.new, entry.user, entry.team) == ("待确认", "已确认", a.member, a.team)


def test_the_request_names_its_user_and_work_done_after_it_names_nobody(client, world):
    """The actor belongs to the request that made the change: a save after the request
    (as a task or a command would make it) is the system's, with no one named."""
    a = confirm_own_line_from_the_dashboard(client, world)
    record = a.product.stockrecords.get()
    record.price = D("3.10")
    record.save()
    (by_member,) = logged("line")
    (by_nobody,) = logged("stockrecord", field="price")
    assert by_member.user == a.member
    assert by_nobody.user is None and by_nobody.new == "3.10"


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


def test_a_team_sees_orders_it_has_lines_in_but_not_another_teams_orders(client, world):
    a, b, split = world["a"], world["b"], world["split"]
    for order in (*split.values(), a.order, b.order):
        order.status = "已确认"
        order.save()
    client.force_login(a.member)
    page = client.get(reverse("dashboard:desk-audit"), {"type": "order"}).content.decode()
    assert split["a"].number in page and a.order.number in page
    assert split["b"].number not in page and b.order.number not in page
    client.force_login(b.member)
    page = client.get(reverse("dashboard:desk-audit"), {"type": "order"}).content.decode()
    assert split["b"].number in page and b.order.number in page
    assert split["a"].number not in page and a.order.number not in page


def test_a_team_filtering_by_kind_still_sees_only_its_own_entries(client, world):
    a, b = world["a"], world["b"]
    runs.change_status(a.run, "closed", actor=a.member)
    runs.change_status(b.run, "closed", actor=b.member)
    client.force_login(b.member)
    for kind in ("deliveryrun", "stockrecord", "bogus", ""):
        shown = client.get(reverse("dashboard:desk-audit"), {"type": kind}).context["entries"]
        assert {e.team for e in shown} <= {b.team}
    shown = client.get(reverse("dashboard:desk-audit"), {"type": "deliveryrun"}).context["entries"]
    assert [e.object_id for e in shown if e.field == "status"] == [str(b.run.pk)]


def test_the_audit_page_reads_the_same_number_of_queries_for_1_or_30_entries(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        client.force_login(world["coordinator"])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("dashboard:desk-audit")).status_code == 200
        return len(ctx.captured_queries)

    record = world["a"].product.stockrecords.get()
    record.price = D("2.10")
    record.save()
    queries()  # the first page of the process also loads content types and the session
    one = queries()
    for n in range(15):  # two teams, two people, many entries
        for side in (world["a"], world["b"]):
            stock = side.product.stockrecords.get()
            with acting_as(side.member):
                stock.num_in_stock = n
                stock.save()
    assert LogEntry.objects.count() == 31
    # The stock edits started a new page cache generation: the next page reads the header's
    # categories again, once.
    queries()
    assert queries() == one


def test_a_stock_level_written_as_sql_is_left_out_and_the_typed_price_kept(world):
    from django.db.models import F

    record = world["a"].product.stockrecords.get()
    record.num_in_stock = F("num_in_stock") - 1
    record.price = D("2.20")
    record.save()
    record.refresh_from_db()
    assert record.num_in_stock == 49
    assert [(e.field, e.old, e.new) for e in logged("stockrecord")] == [("price", "2.00", "2.20")]


def test_creating_or_deleting_an_object_writes_no_entry(world):
    from tests.fulfilment.factories import DeliveryRunFactory

    run = DeliveryRunFactory(team=world["a"].team)
    run.delete()
    assert not LogEntry.objects.exists()


def test_the_audit_page_names_fields_and_run_statuses_in_the_teams_words(client, world):
    a = world["a"]
    runs.change_status(a.run, "closed", actor=a.member)
    client.force_login(a.member)
    page = client.get(reverse("dashboard:desk-audit") + "?type=deliveryrun").content.decode()
    assert "接单中 → 已截单" in page
    assert "open → closed" not in page
    assert ">status<" not in page
