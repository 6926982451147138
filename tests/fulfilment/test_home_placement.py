"""Home deliveries on the route: pinned address, then the district's coordinates, then the
zone's centre; no map service involved."""

from decimal import Decimal as D

import pytest

from fulfilment import itinerary, routing
from fulfilment.models import AddressPin, DeliveryZone
from tests.fulfilment.factories import DeliveryRunFactory
from tests.order.factories import make_order
from tests.partner.factories import team_member

DISTRICTS = "城关镇\n建设路 34.90,113.80\n人民路（34.7601，113.6401）、450000"


@pytest.fixture
def home_run(run, zone, eggs):
    zone.districts = DISTRICTS
    zone.save()
    run.zones.add(zone)
    run.homes = {
        "jianshe": make_order(
            run,
            [(eggs, 20)],
            zone=zone,
            name="建设路买家",
            line1="城关镇建设路 12 号",
            email="j@example.cn",
        ),
        "wenhua": make_order(
            run,
            [(eggs, 20)],
            zone=zone,
            name="文化街买家",
            line1="城关镇文化街 3 号",
            email="w@example.cn",
        ),
    }
    return run


def stops_by_order(run):
    return {
        stop.links[0].order_id: stop
        for stop in itinerary.build_stops(run)
        if stop.kind == routing.HOME
    }


def test_district_lines_carry_optional_coordinates():
    zone = DeliveryZone(districts=DISTRICTS + "\n西关，450001")
    assert zone.district_list == ["城关镇", "建设路", "人民路", "450000", "西关", "450001"]
    assert zone.district_entries[1] == ("建设路", (34.90, 113.80))
    assert zone.district_entries[2] == ("人民路", (34.7601, 113.6401))
    assert zone.covers("城关镇建设路 12 号") and zone.covers("北岭", "450001")
    assert not zone.covers("北岭镇某村")
    # the longest name with coordinates wins over a shorter one without
    assert zone.place_of("城关镇建设路 12 号") == (34.90, 113.80)
    assert zone.place_of("城关镇文化街 3 号") is None
    assert DeliveryZone(districts="城关镇 34.1,113.1\n城关镇建设路 34.2,113.2").place_of(
        "城关镇建设路 1 号"
    ) == (34.2, 113.2)


@pytest.mark.django_db
def test_route_places_home_addresses_by_their_district(home_run, zone):
    stops = stops_by_order(home_run)
    jianshe, wenhua = stops[home_run.homes["jianshe"].pk], stops[home_run.homes["wenhua"].pk]
    assert (jianshe.lat, jianshe.lng, jianshe.placed_by) == (34.90, 113.80, "district")
    assert (wenhua.lat, wenhua.lng, wenhua.placed_by) == (34.76, 113.64, "zone")

    plan = itinerary.plan(home_run)
    # 建设路 lies ~21 km beyond the zone's centre: the route now drives there; with every
    # home stop at the centre it would be ~15 km in all
    centre_only = routing.haversine_metres(home_run.start_point, (34.76, 113.64)) * 1.3
    far_leg = routing.haversine_metres((34.76, 113.64), (34.90, 113.80)) * 1.3
    assert plan.total_metres >= centre_only + far_leg * 0.9
    keys = [entry["key"] for entry in home_run.route["stops"]]
    assert keys[-1] == f"o{home_run.homes['jianshe'].pk}"  # the far one is visited last


@pytest.mark.django_db
def test_team_pins_an_address_and_the_next_order_there_uses_it(
    client, member, home_run, team, eggs, zone, pickup_point
):
    client.force_login(member)
    page = client.get(f"/shop/team/runs/{home_run.pk}/").content.decode()
    assert "按街道的经纬度" in page and "按送货范围中心" in page
    order = home_run.homes["wenhua"]
    response = client.post(
        f"/shop/team/runs/{home_run.pk}/pins/",
        {"order": order.pk, "latitude": "34.7702", "longitude": "113.6611"},
        follow=True,
    )
    assert "已记下" in response.content.decode()
    pin = AddressPin.objects.get()
    assert (pin.team, pin.latitude, pin.longitude) == (team, D("34.7702"), D("113.6611"))
    wenhua = stops_by_order(home_run)[order.pk]
    assert (wenhua.lat, wenhua.lng, wenhua.placed_by) == (34.7702, 113.6611, "pin")
    itinerary.plan(home_run)
    assert f"o{order.pk}" in {entry["key"] for entry in home_run.route["stops"]}

    # remembered: the same address written a little differently, on a later run
    later = DeliveryRunFactory(team=team, stops=[pickup_point])
    later.zones.add(zone)
    again = make_order(
        later, [(eggs, 20)], zone=zone, line1="城关镇 文化街3号", email="w2@example.cn"
    )
    assert stops_by_order(later)[again.pk].placed_by == "pin"

    # cleared: back to the zone's centre
    client.post(
        f"/shop/team/runs/{home_run.pk}/pins/", {"order": order.pk, "latitude": "", "longitude": ""}
    )
    assert not AddressPin.objects.exists()
    assert stops_by_order(home_run)[order.pk].placed_by == "zone"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, message",
    [
        ({"latitude": "95", "longitude": "113.6"}, "纬度要在 -90 到 90 之间"),
        ({"latitude": "34.7", "longitude": ""}, "纬度和经度要一起填"),
        ({"latitude": "abc", "longitude": "113.6"}, "输入一个数字"),
    ],
)
def test_bad_pin_gets_a_message_and_saves_nothing(client, member, home_run, data, message):
    client.force_login(member)
    response = client.post(
        f"/shop/team/runs/{home_run.pk}/pins/",
        {"order": home_run.homes["wenhua"].pk, **data},
        follow=True,
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not AddressPin.objects.exists()


@pytest.mark.django_db
def test_pins_are_team_scoped(client, home_run, other_team, customer, eggs, member):
    url = f"/shop/team/runs/{home_run.pk}/pins/"
    data = {"order": home_run.homes["wenhua"].pk, "latitude": "34.77", "longitude": "113.66"}
    response = client.post(url, data)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(customer)
    assert client.post(url, data).status_code == 403
    client.force_login(team_member(other_team))
    assert client.post(url, data).status_code == 404
    client.force_login(member)
    pickup_order = make_order(home_run, [(eggs, 1)], email="p@example.cn")
    assert (
        client.post(url, {**data, "order": pickup_order.pk}).status_code == 404
    )  # not a home order
    assert client.get(url).status_code == 405
    assert not AddressPin.objects.exists()
