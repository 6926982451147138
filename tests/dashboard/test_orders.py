"""The order dashboard for a basket holding two teams' produce: checkout splits it into
one order per team (``shop.checkout.split``), and each team sees its own part only."""

import pytest
from django.urls import reverse

from shop.order.status import status_from_lines
from tests.order.factories import make_split_order, own_run


def detail(order):
    return reverse("dashboard:order-detail", kwargs={"number": order.number})


def test_a_team_sees_its_own_part_of_a_split_basket_and_never_the_other(client, world):
    split, a, b = world["split"], world["a"], world["b"]
    assert split["a"].checkout_group_id == split["b"].checkout_group_id
    client.force_login(a.member)
    page = client.get(detail(split["a"])).content.decode()
    assert a.product.get_title() in page
    assert b.product.get_title() not in page
    assert "¥4.00" in page  # A's 2 × 2.00
    assert "¥10.00" not in page  # B's part
    assert client.get(detail(split["b"])).status_code == 404


def test_a_team_cannot_open_or_change_another_teams_line(client, world):
    split, a, b = world["split"], world["a"], world["b"]
    b_line = split["b"].lines.get(partner=b.team)
    client.force_login(a.member)
    for number in (split["b"].number, split["a"].number):
        url = reverse(
            "dashboard:order-line-detail", kwargs={"number": number, "line_id": b_line.pk}
        )
        assert client.get(url).status_code == 404

    for order in (split["b"], split["a"]):
        client.post(
            detail(order),
            {
                "line_action": "change_line_statuses",
                "new_status": "已确认",
                "selected_line": [b_line.pk],
                f"selected_line_qty_{b_line.pk}": b_line.quantity,
            },
        )
    b_line.refresh_from_db()
    assert b_line.status == "待确认"


def test_a_team_cannot_change_the_whole_orders_status_or_post_payments(client, world):
    own = world["split"]["a"]
    client.force_login(world["a"].member)
    response = client.post(
        detail(own), {"order_action": "change_order_status", "new_status": "已取消"}, follow=True
    )
    own.refresh_from_db()
    assert own.status == "待确认"
    assert "订单状态随各工作队的商品状态自动变化" in response.content.decode()
    client.post(detail(own), {"order_action": "create_order_payment_event", "amount": "4.00"})
    assert not own.payment_events.exists()


def test_bulk_status_change_in_the_order_list_is_refused_to_team_members(client, world):
    split = world["split"]
    client.force_login(world["a"].member)
    response = client.post(
        reverse("dashboard:order-list"),
        {
            "action": "change_order_statuses",
            "new_status": "已取消",
            "selected_order": [split["a"].pk, split["b"].pk],
        },
    )
    assert response.status_code in (302, 403)
    for order in split.values():
        order.refresh_from_db()
        assert order.status == "待确认"


def test_order_status_follows_the_lines_each_team_moves(client, world):
    split, a, b = world["split"], world["a"], world["b"]

    def move(side, status):
        client.force_login(side.member)
        order = split["a" if side is a else "b"]
        line = order.lines.get(partner=side.team)
        client.post(
            detail(order),
            {
                "line_action": "change_line_statuses",
                "new_status": status,
                "selected_line": [line.pk],
                f"selected_line_qty_{line.pk}": line.quantity,
            },
        )
        line.refresh_from_db()
        assert line.status == status
        for part in split.values():
            part.refresh_from_db()

    move(a, "已确认")
    assert split["a"].status == "已确认"
    assert split["b"].status == "待确认"  # B's part waits for B
    move(b, "已确认")
    assert split["b"].status == "已确认"
    move(a, "配送中")
    assert (split["a"].status, split["b"].status) == ("配送中", "已确认")
    assert list(split["b"].status_changes.values_list("new_status", flat=True)) == ["已确认"]


def test_coordinator_sees_every_part_and_may_change_the_order_status(client, world):
    split = world["split"]
    client.force_login(world["coordinator"])
    for key in ("a", "b"):
        page = client.get(detail(split[key])).content.decode()
        assert world[key].product.get_title() in page
    client.post(detail(split["a"]), {"order_action": "change_order_status", "new_status": "已确认"})
    split["a"].refresh_from_db()
    assert split["a"].status == "已确认"


def test_order_list_and_csv_show_a_teams_orders_only(client, world):
    a, b, split = world["a"], world["b"], world["split"]
    client.force_login(a.member)
    page = client.get(reverse("dashboard:order-list")).content.decode()
    assert split["a"].number in page and a.order.number in page
    assert b.order.number not in page and split["b"].number not in page
    csv = client.get(reverse("dashboard:order-list") + "?response_format=csv").content.decode()
    assert b.order.number not in csv and split["b"].number not in csv
    row = next(line for line in csv.splitlines() if line.startswith(split["a"].number))
    assert "4.00" in row and "10.00" not in row


def test_order_stats_count_only_the_teams_revenue(client, world):
    client.force_login(world["a"].member)
    response = client.get(reverse("dashboard:order-stats"))
    assert response.context["total_revenue"] == 10  # 3 × 2 + 2 × 2


def test_notes_of_others_cannot_be_edited_or_deleted(client, world):
    split, a, b = world["split"], world["a"], world["b"]
    theirs = split["b"].notes.create(message="B 队备注", note_type="Info", user=b.member)
    others = split["a"].notes.create(
        message="协调员备注", note_type="Info", user=world["coordinator"]
    )
    client.force_login(a.member)
    for order, note in ((split["b"], theirs), (split["a"], others)):
        url = reverse(
            "dashboard:order-detail-note", kwargs={"number": order.number, "note_id": note.pk}
        )
        assert client.get(url).status_code == 404
        client.post(detail(order), {"order_action": "delete_note", "note_id": note.pk})
        assert order.notes.filter(pk=note.pk).exists()


def test_shipping_address_of_another_teams_part_is_not_for_a_team(client, world):
    client.force_login(world["a"].member)

    def address(order):
        return reverse("dashboard:order-shipping-address", kwargs={"number": order.number})

    assert client.get(address(world["split"]["b"])).status_code in (403, 404)
    assert client.get(address(world["split"]["a"])).status_code == 200
    assert client.get(address(world["a"].order)).status_code == 200


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["已确认", "已确认"], "已确认"),
        (["已确认", "待确认"], "待确认"),
        (["已完成", "配送中"], "配送中"),
        (["已取消", "已完成"], "已完成"),
        (["已取消", "已取消"], "已取消"),
        ([], None),
    ],
)
def test_status_from_lines(statuses, expected):
    assert status_from_lines(statuses) == expected


def test_order_list_query_budget(client, world, django_assert_max_num_queries):
    a, b = world["a"], world["b"]
    runs = {a.team: own_run(a.product), b.team: own_run(b.product)}
    for _ in range(15):
        make_split_order([(a.product, 1), (b.product, 1)], runs=runs)
    client.force_login(world["a"].member)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("dashboard:order-list"))
    assert response.status_code == 200
    client.force_login(world["coordinator"])
    with django_assert_max_num_queries(20):
        assert client.get(reverse("dashboard:order-list")).status_code == 200


def test_a_member_of_two_teams_sees_both_teams_parts(client, world):
    a, b, split = world["a"], world["b"], world["split"]
    b.team.users.add(a.member)
    client.force_login(a.member)
    page = client.get(detail(split["a"])).content.decode()
    assert a.product.get_title() in page and "¥4.00" in page
    page = client.get(detail(split["b"])).content.decode()
    assert b.product.get_title() in page and "¥10.00" in page


def test_order_page_links_to_the_refund_page_for_the_team(client, world):
    own, a = world["split"]["a"], world["a"]
    client.force_login(a.member)
    page = client.get(detail(own)).content.decode()
    refund_url = reverse("payment:refund", args=[own.number])
    assert f'href="{refund_url}"' in page
    assert client.get(refund_url).status_code == 200


@pytest.fixture
def order_from_before_split_baskets(world):
    """An order holding both teams' lines, as orders were before checkout split a basket
    per team (kept data, or an import). The shop no longer makes one, so it is built from
    a real split checkout by moving B's line onto A's part: the only rows written here."""
    from oscar.core.loading import get_model

    a_part, b_part = world["split"]["a"], world["split"]["b"]
    get_model("order", "Line").objects.filter(order=b_part).update(order=a_part)
    return a_part


def test_an_older_order_with_two_teams_lines_shows_a_team_only_its_own(
    client, world, order_from_before_split_baskets
):
    mixed, a, b = order_from_before_split_baskets, world["a"], world["b"]
    client.force_login(a.member)
    page = client.get(detail(mixed)).content.decode()
    assert a.product.get_title() in page
    assert b.product.get_title() not in page
    assert "另有 1 件商品由其他工作队负责" in page
    b_line = mixed.lines.get(partner=b.team)
    line_url = reverse(
        "dashboard:order-line-detail", kwargs={"number": mixed.number, "line_id": b_line.pk}
    )
    assert client.get(line_url).status_code == 404


def test_an_older_shared_orders_address_is_not_for_one_team(
    client, world, order_from_before_split_baskets
):
    client.force_login(world["a"].member)
    shared = reverse(
        "dashboard:order-shipping-address",
        kwargs={"number": order_from_before_split_baskets.number},
    )
    own = reverse("dashboard:order-shipping-address", kwargs={"number": world["a"].order.number})
    assert client.get(shared).status_code == 403
    assert client.get(own).status_code == 200
    client.force_login(world["coordinator"])
    assert client.get(shared).status_code == 200
