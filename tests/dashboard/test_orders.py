"""The order dashboard for an order holding lines of two teams (the leak Oscar has)."""

import pytest
from django.urls import reverse

from shop.order.status import status_from_lines
from tests.dashboard.factories import place_order


def detail(order):
    return reverse("dashboard:order-detail", kwargs={"number": order.number})


def test_a_team_sees_only_its_own_lines_and_money_of_a_shared_order(client, world):
    mixed, a, b = world["mixed"], world["a"], world["b"]
    client.force_login(a.member)
    page = client.get(detail(mixed)).content.decode()
    assert a.product.get_title() in page
    assert b.product.get_title() not in page
    assert "¥4.00" in page  # A's 2 × 2.00, not the order's 14.00
    assert "¥14.00" not in page
    assert "另有 1 件商品由其他工作队负责" in page


def test_a_team_cannot_open_or_change_another_teams_line(client, world):
    mixed, a, b = world["mixed"], world["a"], world["b"]
    b_line = mixed.lines.get(partner=b.team)
    client.force_login(a.member)
    url = reverse(
        "dashboard:order-line-detail", kwargs={"number": mixed.number, "line_id": b_line.pk}
    )
    assert client.get(url).status_code == 404

    client.post(
        detail(mixed),
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
    mixed = world["mixed"]
    client.force_login(world["a"].member)
    response = client.post(
        detail(mixed), {"order_action": "change_order_status", "new_status": "已取消"}, follow=True
    )
    mixed.refresh_from_db()
    assert mixed.status == "待确认"
    assert "订单状态随各工作队的商品状态自动变化" in response.content.decode()
    client.post(detail(mixed), {"order_action": "create_order_payment_event", "amount": "14.00"})
    assert not mixed.payment_events.exists()


def test_bulk_status_change_in_the_order_list_is_refused_to_team_members(client, world):
    mixed = world["mixed"]
    client.force_login(world["a"].member)
    response = client.post(
        reverse("dashboard:order-list"),
        {
            "action": "change_order_statuses",
            "new_status": "已取消",
            "selected_order": [mixed.pk],
        },
    )
    assert response.status_code in (302, 403)
    mixed.refresh_from_db()
    assert mixed.status == "待确认"


def test_order_status_follows_the_lines_each_team_moves(client, world):
    mixed, a, b = world["mixed"], world["a"], world["b"]

    def move(member, team, status):
        client.force_login(member)
        line = mixed.lines.get(partner=team)
        client.post(
            detail(mixed),
            {
                "line_action": "change_line_statuses",
                "new_status": status,
                "selected_line": [line.pk],
                f"selected_line_qty_{line.pk}": line.quantity,
            },
        )
        line.refresh_from_db()
        assert line.status == status
        mixed.refresh_from_db()

    move(a.member, a.team, "已确认")
    assert mixed.status == "待确认"  # B has not confirmed yet: the slowest line wins
    move(b.member, b.team, "已确认")
    assert mixed.status == "已确认"
    move(a.member, a.team, "配送中")
    assert mixed.status == "已确认"
    assert list(mixed.status_changes.values_list("new_status", flat=True)) == ["已确认"]


def test_coordinator_sees_every_line_and_may_change_the_order_status(client, world):
    mixed = world["mixed"]
    client.force_login(world["coordinator"])
    page = client.get(detail(mixed)).content.decode()
    assert world["a"].product.get_title() in page and world["b"].product.get_title() in page
    client.post(detail(mixed), {"order_action": "change_order_status", "new_status": "已确认"})
    mixed.refresh_from_db()
    assert mixed.status == "已确认"


def test_order_list_and_csv_show_a_teams_share_only(client, world):
    a, b, mixed = world["a"], world["b"], world["mixed"]
    client.force_login(a.member)
    page = client.get(reverse("dashboard:order-list")).content.decode()
    assert mixed.number in page and a.order.number in page
    assert b.order.number not in page
    assert "¥14.00" not in page
    csv = client.get(reverse("dashboard:order-list") + "?response_format=csv").content.decode()
    assert b.order.number not in csv
    row = next(line for line in csv.splitlines() if line.startswith(mixed.number))
    assert "4.00" in row and "14.00" not in row


def test_order_stats_count_only_the_teams_revenue(client, world):
    client.force_login(world["a"].member)
    response = client.get(reverse("dashboard:order-stats"))
    assert response.context["total_revenue"] == 10  # 3 × 2 + 2 × 2


def test_notes_of_others_cannot_be_edited_or_deleted(client, world):
    mixed, a, b = world["mixed"], world["a"], world["b"]
    note = mixed.notes.create(message="B 队备注", note_type="Info", user=b.member)
    client.force_login(a.member)
    url = reverse(
        "dashboard:order-detail-note", kwargs={"number": mixed.number, "note_id": note.pk}
    )
    assert client.get(url).status_code == 404
    client.post(detail(mixed), {"order_action": "delete_note", "note_id": note.pk})
    assert mixed.notes.filter(pk=note.pk).exists()


def test_shipping_address_of_a_shared_order_is_not_for_one_team(client, world):
    client.force_login(world["a"].member)
    shared = reverse("dashboard:order-shipping-address", kwargs={"number": world["mixed"].number})
    own = reverse("dashboard:order-shipping-address", kwargs={"number": world["a"].order.number})
    assert client.get(shared).status_code == 403
    assert client.get(own).status_code == 200


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
    for _ in range(15):
        place_order([(world["a"].product, 1), (world["b"].product, 1)])
    client.force_login(world["a"].member)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("dashboard:order-list"))
    assert response.status_code == 200
    client.force_login(world["coordinator"])
    with django_assert_max_num_queries(20):
        assert client.get(reverse("dashboard:order-list")).status_code == 200


def test_a_member_of_two_teams_sees_both_teams_lines(client, world):
    a, b, mixed = world["a"], world["b"], world["mixed"]
    b.team.users.add(a.member)
    client.force_login(a.member)
    page = client.get(detail(mixed)).content.decode()
    assert a.product.get_title() in page and b.product.get_title() in page
    assert "¥14.00" in page


def test_order_page_links_to_the_refund_page_for_the_team(client, world):
    mixed, a = world["mixed"], world["a"]
    client.force_login(a.member)
    page = client.get(detail(mixed)).content.decode()
    refund_url = reverse("payment:refund", args=[mixed.number])
    assert f'href="{refund_url}"' in page
    assert client.get(refund_url).status_code == 200
