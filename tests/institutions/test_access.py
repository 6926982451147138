"""Institution pages from the outside: a member sees only their institution's orders and
statements, the coordinator sees every institution, nobody else sees any."""

import pytest
from django.urls import reverse
from django.utils import timezone

from shop.institutions.models import Institution
from tests.institutions.conftest import institution_order
from tests.partner.factories import UserFactory, team_member


@pytest.fixture
def agency_member(agency):
    user = UserFactory(username="clerk", email="clerk@example.cn")
    agency.members.add(user)
    return user


def _urls(institution):
    month = f"{timezone.localdate():%Y-%m}"
    return [
        reverse("institutions:statement", args=[institution.pk, month]),
        reverse("institutions:statement-file", args=[institution.pk, month, "pdf"]),
        reverse("institutions:statement-file", args=[institution.pk, month, "xlsx"]),
    ]


@pytest.mark.django_db
def test_member_of_one_institution_cannot_see_anothers_statements_or_orders(
    client, run, eggs, hospital, agency, staff_member, agency_member
):
    theirs = institution_order(run, [(eggs, 5)], agency, agency_member)
    ours = institution_order(run, [(eggs, 3)], hospital, staff_member)
    client.force_login(staff_member)
    for url in _urls(agency):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("institutions:statement-paid", args=[agency.pk, "2026-01"]), {"reference": "x"}
        ).status_code
        == 404
    )
    for url in _urls(hospital):
        assert client.get(url).status_code == 200
    mine = client.get(reverse("institutions:mine")).content.decode()
    assert ours.number in mine and theirs.number not in mine and "县水利局" not in mine
    statement = client.get(_urls(hospital)[0]).content.decode()
    assert ours.number in statement and theirs.number not in statement
    assert "transfer-form" not in statement  # only the coordinator records transfers


@pytest.mark.django_db
def test_only_the_coordinator_sees_all_institutions_totals(
    client, team, hospital, agency, staff_member, customer, coordinator
):
    url = reverse("institutions:overview")
    assert client.get(url).status_code == 302  # to sign in
    for user in (staff_member, customer, team_member(team)):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(reverse("institutions:edit", args=[hospital.pk])).status_code == 404
    client.force_login(coordinator)
    page = client.get(url).content.decode()
    assert "县人民医院工会" in page and "县水利局" in page and "2 家单位" in page


@pytest.mark.django_db
def test_a_buyer_without_an_institution_has_no_institution_page(client, customer, hospital):
    client.force_login(customer)
    assert client.get(reverse("institutions:mine")).status_code == 404
    assert "我的单位" not in client.get(reverse("customer:profile-view")).content.decode()


VALID = {
    "name": "县财政局",
    "kind": Institution.Kind.AGENCY,
    "tax_number": "11410000mb1234567y",
    "invoice_title": "县财政局",
    "yearly_target": "50000",
    "member_emails": "buyer@example.cn",
    "is_active": "on",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, said",
    [
        ({"tax_number": "123"}, "税号应为 18 位统一社会信用代码"),
        ({"tax_number": "11410000MB123456IO"}, "税号应为 18 位统一社会信用代码"),
        ({"tax_number": "12410000MB0123456X"}, "这个税号已登记给另一个单位。"),
        ({"name": ""}, "请填写单位名称。"),
        ({"yearly_target": "-5"}, "目标不能是负数。"),
        ({"yearly_target": "很多"}, "请填写金额，例如 50000。"),
        ({"invoice_phone": "打电话"}, "开票电话只能有数字"),
        ({"member_emails": "nobody@example.cn"}, "找不到这些账户：nobody@example.cn"),
    ],
)
def test_bad_institution_details_get_a_clear_message_and_change_nothing(
    client, coordinator, customer, hospital, change, said
):
    client.force_login(coordinator)
    response = client.post(reverse("institutions:create"), {**VALID, **change})
    assert response.status_code == 400
    assert said in response.content.decode()
    assert Institution.objects.count() == 1


@pytest.mark.django_db
def test_coordinator_adds_an_institution_with_its_members(client, coordinator, customer):
    client.force_login(coordinator)
    response = client.post(reverse("institutions:create"), VALID)
    assert response.status_code == 302
    added = Institution.objects.get()
    assert added.tax_number == "11410000MB1234567Y"  # written as the code is printed
    assert list(added.members.all()) == [customer]


@pytest.mark.django_db
def test_member_pages_read_in_english_under_en(client, run, eggs, hospital, staff_member):
    import re

    from bs4 import BeautifulSoup

    institution_order(run, [(eggs, 3)], hospital, staff_member)
    client.force_login(staff_member)
    month = f"{timezone.localdate():%Y-%m}"
    for path in (
        "/en/shop/institution/",
        f"/en/shop/institution/{hospital.pk}/statements/{month}/",
    ):
        soup = BeautifulSoup(client.get(path).content.decode(), "html.parser")
        spoken = " ".join(
            tag.get_text(" ") for tag in soup.select("main h1, main h2, main .btn, main p")
        )
        spoken = spoken.replace(hospital.name, "").replace("县人民医院职工食堂后门", "")
        assert not re.search(r"[\u4e00-\u9fff]", spoken), spoken
    html = client.get("/en/shop/institution/").content.decode()
    assert "My institution" in html and "Monthly statements" in html and "% done" in html
