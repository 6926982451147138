"""Teams edit origin fields and households in Oscar's dashboard, each team only its own."""

import pytest
from django.urls import reverse

from catalogue.models import Category, Household, Product
from tests.catalogue.factories import HouseholdFactory, VillageFactory
from tests.partner.factories import team_member


@pytest.fixture
def member(team):
    return team_member(team)


@pytest.fixture
def village(team):
    village = VillageFactory(name="向阳村", slug="xiangyang")
    village.teams.add(team)
    return village


@pytest.mark.django_db
def test_product_form_has_origin_fields_and_only_own_households(
    client, member, team, other_team, village, eggs
):
    mine = HouseholdFactory(team=team, village=village, public_name="王大姐家")
    theirs = HouseholdFactory(team=other_team, public_name="别队的农户家")
    client.force_login(member)
    response = client.get(reverse("dashboard:catalogue-product", kwargs={"pk": eggs.pk}))
    form = response.context["form"]
    for name in (
        "unit",
        "order_step",
        "origin_village",
        "households",
        "season_note",
        "storage_advice",
        "weight_per_unit_g",
    ):
        assert name in form.fields
    assert list(form.fields["households"].queryset) == [mine]
    assert theirs.public_name not in response.content.decode()


@pytest.mark.django_db
def test_saving_the_product_form_stores_origin_fields(client, team, village, eggs):
    from django.contrib.auth import get_user_model

    household = HouseholdFactory(team=team, village=village)
    staff = get_user_model().objects.create_superuser("boss", "boss@example.cn", "pass-1234")
    client.force_login(staff)
    url = reverse("dashboard:catalogue-product", kwargs={"pk": eggs.pk})
    data = {
        "title": "散养土鸡蛋",
        "upc": "",
        "description": "",
        "is_public": "on",
        "structure": "standalone",
        "slug": eggs.slug,
        "unit": "mei",
        "order_step": "10",
        "origin_village": village.pk,
        "households": [household.pk],
        "season_note": "春秋",
        "storage_advice": "冷藏",
        "weight_per_unit_g": "50",
    }
    for prefix in ("productcategory_set", "images", "primary_recommendations"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    category = Category.add_root(name="鸡蛋", slug="eggs")
    data.update(
        {"productcategory_set-TOTAL_FORMS": "1", "productcategory_set-0-category": category.pk}
    )
    record = eggs.stockrecords.get()
    data.update(
        {
            "stockrecords-TOTAL_FORMS": "1",
            "stockrecords-INITIAL_FORMS": "1",
            "stockrecords-0-id": record.pk,
            "stockrecords-0-partner": team.pk,
            "stockrecords-0-partner_sku": record.partner_sku,
            "stockrecords-0-price_currency": "CNY",
            "stockrecords-0-price": "1.50",
            "stockrecords-0-num_in_stock": "100",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, {
        name: response.context[name].errors
        for name in (
            "form",
            "category_formset",
            "stockrecord_formset",
            "image_formset",
            "recommended_formset",
        )
    }
    eggs = Product.objects.get(pk=eggs.pk)
    assert (eggs.order_step, eggs.origin_village, eggs.season_note, eggs.weight_per_unit_g) == (
        10,
        village,
        "春秋",
        50,
    )
    assert list(eggs.households.all()) == [household]


@pytest.mark.django_db
def test_member_lists_and_edits_only_own_households(client, member, team, other_team, village):
    mine = HouseholdFactory(team=team, village=village, public_name="王大姐家", real_name="王秀英")
    theirs = HouseholdFactory(team=other_team, public_name="别队的农户家")
    client.force_login(member)
    html = client.get(reverse("dashboard:catalogue-household-list")).content.decode()
    assert "王大姐家" in html and "王秀英" in html  # the team sees its own private fields
    assert "别队的农户家" not in html
    assert (
        client.get(
            reverse("dashboard:catalogue-household-update", kwargs={"pk": theirs.pk})
        ).status_code
        == 404
    )
    response = client.post(
        reverse("dashboard:catalogue-household-update", kwargs={"pk": mine.pk}),
        {
            "village": village.pk,
            "team": team.pk,
            "public_name": "王大姐家",
            "real_name": "王秀英",
            "phone": "13900000000",
            "status": "monitored",
            "consent_name": "on",
        },
    )
    assert response.status_code == 302
    assert Household.objects.get(pk=mine.pk).status == "monitored"
    refused = client.post(
        reverse("dashboard:catalogue-household-create"),
        {
            "village": village.pk,
            "team": other_team.pk,
            "public_name": "混进来的",
            "real_name": "x",
            "status": "other",
        },
    )
    assert (
        refused.status_code == 200 and not Household.objects.filter(public_name="混进来的").exists()
    )
