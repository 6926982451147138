"""The team's pickup points, delivery zones and crate sizes, from the outside."""

from decimal import Decimal as D

import pytest
from django.test import Client
from django.urls import reverse

from fulfilment import runs
from fulfilment.models import CratePacking, DeliveryZone, PickupPoint, RunPickup
from tests.catalogue.factories import product_in_stock
from tests.checkout.test_checkout import add_to_basket
from tests.fulfilment.factories import DeliveryZoneFactory, PickupPointFactory
from tests.fulfilment.test_checkout_runs import start_guest_checkout
from tests.order.factories import make_order

POINT = {
    "name": "阳光小区东门",
    "address": "阳光路 1 号",
    "window": "周六 9:30–11:30",
    "notes": "门卫室旁",
    "latitude": "34.761",
    "longitude": "113.652",
    "is_active": "on",
}
ZONE = {
    "name": "城东",
    "fee": "6.00",
    "minimum_order": "40.00",
    "districts": "阳光路 34.7612,113.6523\n建设路\n450001",
    "latitude": "34.76",
    "longitude": "113.65",
    "is_active": "on",
}


def page(client, url):
    return client.get(url).content.decode()


def offered_codes(product, quantity, line1):
    """Shipping method codes checkout would offer a basket of ``quantity`` × ``product``."""
    from oscar.apps.partner.strategy import Default
    from oscar.core.loading import get_model

    from shop.shipping.repository import Repository

    basket = get_model("basket", "Basket").objects.create()
    basket.strategy = Default()
    basket.add_product(product, quantity)
    address = get_model("order", "ShippingAddress")(first_name="林小满", line1=line1)
    return {
        m.code: m
        for m in Repository().get_available_shipping_methods(basket, shipping_addr=address)
    }


@pytest.mark.django_db
def test_member_creates_edits_and_lists_own_points_and_zones(client, member, team):
    client.force_login(member)
    assert client.post("/shop/team/points/new/", {**POINT, "team": team.pk}).status_code == 302
    point = PickupPoint.objects.get(name="阳光小区东门")
    assert point.team == team and point.latitude == D("34.761")
    listing = page(client, "/shop/team/points/")
    assert "阳光小区东门" in listing and "周六 9:30–11:30" in listing

    edit = f"/shop/team/points/{point.pk}/"
    assert 'value="阳光小区东门"' in page(client, edit)
    client.post(edit, {**POINT, "name": "阳光小区东门（新）", "is_active": ""})
    point.refresh_from_db()
    assert point.name == "阳光小区东门（新）" and not point.is_active
    assert "已停用" in page(client, "/shop/team/points/")

    assert client.post("/shop/team/zones/new/", {**ZONE, "team": team.pk}).status_code == 302
    zone = DeliveryZone.objects.get(name="城东")
    assert zone.team == team and zone.fee == D("6.00")
    assert zone.district_list == ["阳光路", "建设路", "450001"]
    assert "阳光路、建设路、450001" in page(client, "/shop/team/zones/")
    client.post(f"/shop/team/zones/{zone.pk}/", {**ZONE, "fee": "8.50"})
    zone.refresh_from_db()
    assert zone.fee == D("8.50")

    nav = page(client, "/shop/team/")
    for url in ("/shop/team/points/", "/shop/team/zones/", "/shop/team/crates/"):
        assert f'href="{url}"' in nav


@pytest.mark.django_db
def test_another_teams_places_are_404_and_stay_untouched(client, member, team, other_team):
    theirs = PickupPointFactory(team=other_team, name="别队自提点")
    their_zone = DeliveryZoneFactory(team=other_team, name="别队范围")
    their_eggs = product_in_stock(team=other_team, title="别队鸡蛋")
    client.force_login(member)
    for url in (f"/shop/team/points/{theirs.pk}/", f"/shop/team/zones/{their_zone.pk}/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {**POINT, **ZONE, "name": "改了"}).status_code == 404
    assert client.post(f"/shop/team/points/{theirs.pk}/delete/").status_code == 404
    assert client.post(f"/shop/team/zones/{their_zone.pk}/delete/").status_code == 404
    assert client.get(f"/shop/team/crates/?team={other_team.pk}").status_code == 404
    assert (
        client.post(
            "/shop/team/crates/", {"product": their_eggs.pk, "units_per_crate": 30}
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/shop/team/crates/",
            {"team": other_team.pk, "product": their_eggs.pk, "units_per_crate": 30},
        ).status_code
        == 404
    )
    assert "别队" not in page(client, "/shop/team/points/") + page(client, "/shop/team/zones/")

    # creating for another team by posting its id is refused, with a message
    response = client.post("/shop/team/points/new/", {**POINT, "team": other_team.pk})
    assert response.status_code == 200 and "只能选自己的工作队" in response.content.decode()
    response = client.post("/shop/team/zones/new/", {**ZONE, "team": other_team.pk})
    assert response.status_code == 200 and "只能选自己的工作队" in response.content.decode()

    theirs.refresh_from_db()
    their_zone.refresh_from_db()
    assert theirs.name == "别队自提点" and their_zone.name == "别队范围"
    assert not PickupPoint.objects.filter(name__in=["阳光小区东门", "改了"]).exists()
    assert not DeliveryZone.objects.filter(name__in=["城东", "改了"]).exists()
    assert not CratePacking.objects.exists()


@pytest.mark.django_db
def test_coordinator_sees_and_edits_every_team(client, coordinator, team, other_team):
    theirs = PickupPointFactory(team=other_team, name="别队自提点")
    PickupPointFactory(team=team, name="本队自提点")
    client.force_login(coordinator)
    listing = page(client, "/shop/team/points/")
    assert "别队自提点" in listing and "本队自提点" in listing
    assert "别队自提点" not in page(client, f"/shop/team/points/?team={team.pk}")
    assert client.get(f"/shop/team/points/{theirs.pk}/").status_code == 200
    assert client.post("/shop/team/zones/new/", {**ZONE, "team": other_team.pk}).status_code == 302
    assert DeliveryZone.objects.get(name="城东").team == other_team


@pytest.mark.django_db
def test_buyers_and_strangers_are_kept_out(client, customer, pickup_point, zone):
    urls = [
        "/shop/team/points/",
        "/shop/team/points/new/",
        f"/shop/team/points/{pickup_point.pk}/",
        "/shop/team/zones/",
        "/shop/team/zones/new/",
        f"/shop/team/zones/{zone.pk}/",
        "/shop/team/crates/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    client.force_login(customer)
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(f"/shop/team/points/{pickup_point.pk}/delete/").status_code == 403
    assert client.post("/shop/team/zones/new/", {**ZONE, "team": zone.team_id}).status_code == 403
    assert PickupPoint.objects.filter(pk=pickup_point.pk).exists()
    assert not DeliveryZone.objects.filter(name="城东").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url, data, field, message",
    [
        (
            "/shop/team/points/new/",
            {**POINT, "latitude": "91"},
            "latitude",
            "纬度要在 -90 到 90 之间",
        ),
        (
            "/shop/team/points/new/",
            {**POINT, "longitude": "-181"},
            "longitude",
            "经度要在 -180 到 180 之间",
        ),
        ("/shop/team/points/new/", {**POINT, "longitude": ""}, "longitude", "纬度和经度要一起填"),
        ("/shop/team/points/new/", {**POINT, "name": ""}, "name", "必需字段"),
        ("/shop/team/zones/new/", {**ZONE, "fee": "-1"}, "fee", "金额不能是负数"),
        (
            "/shop/team/zones/new/",
            {**ZONE, "minimum_order": "-0.01"},
            "minimum_order",
            "金额不能是负数",
        ),
        (
            "/shop/team/zones/new/",
            {**ZONE, "districts": " \n、，"},
            "districts",
            "请至少填一个街道",
        ),
        (
            "/shop/team/zones/new/",
            {**ZONE, "districts": "建设路 97.1,109.2"},
            "districts",
            "“建设路”的坐标不对",
        ),
        (
            "/shop/team/zones/new/",
            {**ZONE, "districts": "建设路\n27.72,109.19"},
            "districts",
            "前面要写街道或小区名称",
        ),
        (
            "/shop/team/zones/new/",
            {**ZONE, "districts": "建设路 27.72"},
            "districts",
            "要写成“名称 纬度,经度”",
        ),
        (
            "/shop/team/zones/new/",
            {**ZONE, "latitude": "-90.5"},
            "latitude",
            "纬度要在 -90 到 90 之间",
        ),
    ],
)
def test_bad_input_gets_a_chinese_message_and_saves_nothing(
    client, member, team, url, data, field, message
):
    client.force_login(member)
    response = client.post(url, {**data, "team": team.pk})
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not PickupPoint.objects.filter(name="阳光小区东门").exists()
    assert not DeliveryZone.objects.exists()


@pytest.mark.django_db
def test_place_used_by_an_order_is_only_deactivated_unused_is_deleted(
    client, member, team, run, eggs, pickup_point, zone
):
    spare = PickupPointFactory(team=team, name="备用点")
    RunPickup.objects.create(run=run, point=spare, window_start="12:00", window_end="13:00")
    run.zones.add(zone)
    make_order(run, [(eggs, 2)], stop=run.stops.get(point=pickup_point))
    make_order(run, [(eggs, 30)], zone=zone, line1="城关镇建设路 12 号")
    client.force_login(member)

    for url, obj in (
        (f"/shop/team/points/{pickup_point.pk}/", pickup_point),
        (f"/shop/team/zones/{zone.pk}/", zone),
    ):
        assert "不能删除" in page(client, url)
        response = client.post(url + "delete/", follow=True)
        assert "不能删除" in response.content.decode()
        assert type(obj).objects.filter(pk=obj.pk).exists()
    client.post(
        f"/shop/team/points/{pickup_point.pk}/",
        {**POINT, "name": pickup_point.name, "is_active": ""},
    )
    pickup_point.refresh_from_db()
    assert not pickup_point.is_active and run.stops.filter(point=pickup_point).exists()

    response = client.post(f"/shop/team/points/{spare.pk}/delete/", follow=True)
    assert "已删除“备用点”" in response.content.decode()
    assert not PickupPoint.objects.filter(pk=spare.pk).exists()
    assert not run.stops.filter(point_id=spare.pk).exists()
    unused = DeliveryZoneFactory(team=team, name="没人用的范围")
    client.post(f"/shop/team/zones/{unused.pk}/delete/")
    assert not DeliveryZone.objects.filter(pk=unused.pk).exists()


@pytest.mark.django_db
def test_deactivated_places_are_not_offered_for_new_runs_nor_at_checkout(
    client, member, team, run, eggs, pickup_point, zone
):
    run.zones.add(zone)
    other = PickupPointFactory(team=team, name="第二自提点")
    RunPickup.objects.create(run=run, point=other, window_start="14:00", window_end="15:00")
    client.force_login(member)
    form = page(client, "/shop/team/runs/new/")
    assert "第二自提点" in form and zone.name in form
    client.post(f"/shop/team/points/{other.pk}/", {**POINT, "name": "第二自提点", "is_active": ""})
    client.post(f"/shop/team/zones/{zone.pk}/", {**ZONE, "name": zone.name, "is_active": ""})
    form = client.get("/shop/team/runs/new/").context["form"]
    assert other not in form.stop_points and pickup_point in form.stop_points
    assert zone not in form.fields["zones"].queryset
    # the run that already stops there still shows it when edited
    assert "第二自提点" in page(client, f"/shop/team/runs/{run.pk}/edit/")

    codes = offered_codes(eggs, 30, "城关镇建设路 12 号")
    assert run.stops.get(point=pickup_point).shipping_code in codes
    assert run.stops.get(point=other).shipping_code not in codes
    assert f"run-{run.pk}-zone-{zone.pk}" not in codes


@pytest.mark.django_db
def test_zone_edits_reach_the_next_checkout_page(client, member, run, eggs, zone):
    """Checkout keeps the open runs in the cache; saving a zone gives the next page a fresh copy."""
    run.zones.add(zone)
    zone_code = f"run-{run.pk}-zone-{zone.pk}"
    assert zone_code not in offered_codes(eggs, 30, "阳光路 8 号")
    client.force_login(member)
    client.post(f"/shop/team/zones/{zone.pk}/", {**ZONE, "name": zone.name, "fee": "7.50"})
    method = offered_codes(eggs, 30, "阳光路 8 号")[zone_code]
    assert method.charge_incl_tax == D("7.50")

    buyer = Client()  # and the buyer's checkout page says so
    add_to_basket(buyer, eggs, 30)
    start_guest_checkout(buyer, line1="阳光路 8 号")
    checkout = page(buyer, reverse("checkout:shipping-method"))
    assert zone_code in checkout and "¥7.50" in checkout


@pytest.mark.django_db
def test_crate_sizes_set_change_and_clear_and_count_on_the_run(client, member, team, eggs):
    chicken = product_in_stock(team=team, title="小笨鸡")
    client.force_login(member)
    listing = page(client, "/shop/team/crates/")
    assert "散养土鸡蛋" in listing and "小笨鸡" in listing
    client.post(
        "/shop/team/crates/", {"team": team.pk, "product": eggs.pk, "units_per_crate": "30"}
    )
    client.post("/shop/team/crates/", {"product": chicken.pk, "units_per_crate": "4"})
    assert dict(CratePacking.objects.values_list("product__title", "units_per_crate")) == {
        "散养土鸡蛋": 30,
        "小笨鸡": 4,
    }
    products = {eggs.pk: eggs, chicken.pk: chicken}
    assert runs.load_of({eggs.pk: 61, chicken.pk: 4}, products)[1] == 3 + 1
    assert 'value="30"' in page(client, "/shop/team/crates/")

    response = client.post("/shop/team/crates/", {"product": eggs.pk, "units_per_crate": "-3"})
    assert response.status_code == 200 and "数量不能是负数" in response.content.decode()
    assert CratePacking.objects.get(product=eggs).units_per_crate == 30

    client.post("/shop/team/crates/", {"product": chicken.pk, "units_per_crate": ""})
    assert not CratePacking.objects.filter(product=chicken).exists()
    assert runs.load_of({eggs.pk: 30, chicken.pk: 4}, products)[1] == 1
