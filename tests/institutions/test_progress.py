"""The yearly target's progress follows what is handed over (and what is cancelled), for
the members on their account page, the coordinator and the impact page alike."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from content import impact
from shop.institutions import figures
from shop.order import life
from tests.institutions.conftest import institution_order


@pytest.mark.django_db
def test_progress_counts_orders_once_handed_over_and_not_once_cancelled(
    client, run, eggs, hospital, agency, staff_member
):
    first = institution_order(run, [(eggs, 20)], hospital, staff_member)  # ¥30
    second = institution_order(run, [(eggs, 30)], hospital, staff_member)  # ¥45
    institution_order(run, [(eggs, 10)], agency, None)
    assert figures.progress(hospital).percent == 0  # nothing handed over yet

    life.handed_over(first.run_link)
    assert figures.progress(hospital).done == D("30.00")
    assert figures.progress(hospital).percent == 30
    client.force_login(staff_member)
    profile = client.get(reverse("customer:profile-view")).content.decode()
    assert "县人民医院工会" in profile and "已完成 30%" in profile

    life.cancel(second, message="食堂改了菜单")
    assert figures.progress(hospital).percent == 30

    third = institution_order(run, [(eggs, 50)], hospital, staff_member)  # ¥75
    life.handed_over(third.run_link)
    assert figures.progress(hospital).percent == 105  # past the target: said as it is
    assert figures.progress(hospital).bar_percent == 100
    assert figures.progress(agency).done == 0


@pytest.mark.django_db
def test_impact_figure_and_coordinator_totals_come_from_the_same_sums(
    client, run, eggs, hospital, agency, staff_member, coordinator
):
    for institution, quantity in ((hospital, 20), (agency, 10)):
        order = institution_order(run, [(eggs, quantity)], institution, staff_member)
        life.handed_over(order.run_link)
    figure = impact.institutions()
    assert figure["institutions"] == 2
    assert figure["total"] == D("45.00") == sum(p.done for p in figures.all_progress())
    client.force_login(coordinator)
    page = client.get(reverse("institutions:overview")).content.decode()
    assert "合计已送达 ¥45.00" in page


@pytest.mark.django_db
def test_impact_page_shows_the_institution_figure(client, home_page, run, eggs, hospital):
    from content.models import ImpactPage

    page = ImpactPage(title="帮扶成效", slug="impact")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    order = institution_order(run, [(eggs, 20)], hospital, None)
    life.handed_over(order.run_link)
    html = client.get(page.url).content.decode()
    assert 'data-testid="impact-institutions"' in html
    assert "30.00" in html and "单位客户" in html


@pytest.mark.django_db
def test_impact_page_queries_do_not_grow_with_institution_orders(
    client, home_page, run, eggs, hospital, agency
):
    """The institution figure reads the running cells (``shop.figures``), not the order
    lines: a page built from scratch costs the same with 1 order as with 7."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from content.models import ImpactPage

    page = ImpactPage(title="帮扶成效", slug="impact")
    home_page.add_child(instance=page)
    page.save_revision().publish()

    def cold_page_queries():
        cache.clear()  # the report and the page built again, not served from the cache
        with CaptureQueriesContext(connection) as context:
            html = client.get(page.url).content.decode()
        return len(context), html

    client.get(page.url)  # the session's first page warms what every page loads once
    life.handed_over(institution_order(run, [(eggs, 2)], hospital, None).run_link)
    one, html = cold_page_queries()
    assert "3.00" in html
    for institution in (hospital, agency, hospital, agency, hospital, agency):
        life.handed_over(institution_order(run, [(eggs, 2)], institution, None).run_link)
    many, html = cold_page_queries()
    assert "21.00" in html  # 7 orders × 2 eggs × ¥1.50
    assert many == one
    assert figures.progress(hospital).orders == 4 and figures.progress(agency).orders == 3
