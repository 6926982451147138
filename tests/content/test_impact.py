"""Impact figures equal the sums in the order data, are cached, and refresh on change."""

import csv
import datetime
import io
from decimal import Decimal as D

import pytest
from django.db.models import Sum
from django.utils import timezone
from oscar.core.loading import get_model

from content import impact
from shop.order import life
from shop.order import status as S
from tests.catalogue.factories import HouseholdFactory, VillageFactory, product_in_stock
from tests.order.factories import make_order, make_split_order, move_on

Line = get_model("order", "Line")
SH = timezone.get_fixed_timezone(8 * 60)


@pytest.fixture
def world(team, other_team):
    """Two teams, two villages, three households, four products (one with no supplier)."""
    xiangyang = VillageFactory(name="向阳村", slug="xiangyang")
    liuhe = VillageFactory(name="柳河村", slug="liuhe")
    wang = HouseholdFactory(team=team, village=xiangyang, public_name="王大姐家")
    li = HouseholdFactory(team=team, village=xiangyang, public_name="李大叔家")
    liu = HouseholdFactory(team=other_team, village=liuhe, public_name="刘婶子家")
    eggs = product_in_stock(
        team=team, title="散养土鸡蛋", origin_village=xiangyang, weight_per_unit_g=50
    )
    hen = product_in_stock(
        team=team,
        title="散养老母鸡",
        origin_village=xiangyang,
        weight_per_unit_g=2000,
        price=D("158.00"),
    )
    greens = product_in_stock(
        team=other_team,
        title="柳河小白菜",
        origin_village=liuhe,
        weight_per_unit_g=500,
        price=D("3.00"),
    )
    box = product_in_stock(team=team, title="礼盒包装费", origin_village=xiangyang)
    eggs.households.set([wang, li])
    hen.households.set([wang])
    greens.households.set([liu])
    return {
        "team": team,
        "other": other_team,
        "xiangyang": xiangyang,
        "liuhe": liuhe,
        "eggs": eggs,
        "hen": hen,
        "greens": greens,
        "box": box,
    }


def placed(year, month, day=15):
    return datetime.datetime(year, month, day, 10, 0, tzinfo=SH)


@pytest.fixture
def orders(world):
    """Orders as the shop makes them (``tests.order.factories.make_order``: placed, then
    moved on by the order's life), each on a run of its own team. October's greens (the
    other team) and gift box (this team) were bought in one basket, which checkout splits
    into one order per team: two orders, so the delivered orders are five, not the four an
    order holding both teams' lines (which the shop cannot make) used to give."""
    w = world
    made = [
        make_order(
            None, [(w["eggs"], 30), (w["hen"], 1)], status=S.COMPLETED, placed=placed(2026, 9)
        ),
        *make_split_order(
            [(w["greens"], 10), (w["box"], 1)], status=S.COMPLETED, placed=placed(2026, 10)
        ),
        make_order(None, [(w["eggs"], 20)], status=S.ON_ITS_WAY, placed=placed(2026, 10)),
        # a cancelled order and a cancelled line (the team cancelled it) never count
        make_order(None, [(w["hen"], 2)], status=S.CANCELLED, placed=placed(2026, 10)),
    ]
    short = make_order(None, [(w["eggs"], 10), (w["hen"], 1)], placed=placed(2026, 11))
    life.cancel_lines(short, [short.lines.get(product=w["hen"])])
    move_on(short, S.COMPLETED)
    made.append(short)
    # last year
    made.append(
        make_order(None, [(w["greens"], 4)], status=S.COMPLETED, placed=placed(2025, 12, 31))
    )
    return made


def counted_lines(**filters):
    return (
        Line.objects.filter(order__status__in=S.DELIVERED)  # goods handed over only
        .exclude(status=S.CANCELLED)
        .filter(product__households__isnull=False, **filters)
        .distinct()
    )


def sum_lines(**filters):
    ids = counted_lines(**filters).values("pk")
    return Line.objects.filter(pk__in=ids).aggregate(s=Sum("line_price_incl_tax"))["s"] or D("0")


@pytest.mark.django_db
def test_totals_equal_the_sums_in_the_order_data(orders, world):
    report = impact.build_report()
    t = report.totals
    assert t.income == sum_lines()
    assert t.income == D("45.00") + D("158.00") + D("30.00") + D("15.00") + D("12.00")
    assert t.households == 3
    # delivered: Sept, Oct (greens and gift box: a basket split in two orders), Nov, Dec 2025
    assert t.orders == 5
    # 30 eggs*50g + 1 hen*2kg + 10 jin greens*0.5kg + 10 eggs*50g + 4*0.5kg ; cancelled hen excluded
    assert t.kilograms == D("1.5") + D("2") + D("5") + D("0.5") + D("2")


@pytest.mark.django_db
def test_figures_by_team_village_and_month(orders, world):
    report = impact.build_report(2026)
    team = report.find("teams", world["team"].pk)
    assert team.income == sum_lines(partner=world["team"], order__date_placed__year=2026)
    assert team.income == D("45.00") + D("158.00") + D("15.00")  # 20 eggs on their way: not yet
    assert team.households == 2
    liuhe = report.find("villages", world["liuhe"].pk)
    assert liuhe.income == D("30.00") and liuhe.households == 1 and liuhe.orders == 1
    months = {row.key: row.income for row in report.months}
    assert months == {"2026-09": D("203.00"), "2026-10": D("30.00"), "2026-11": D("15.00")}
    assert sum(months.values()) == report.totals.income


@pytest.mark.django_db
def test_month_follows_beijing_time(world):
    # 2026-09-30 20:00 UTC is 1 October in Beijing
    make_order(
        None,
        [(world["eggs"], 10)],
        status=S.COMPLETED,
        placed=datetime.datetime(2026, 9, 30, 20, 0, tzinfo=datetime.UTC),
    )
    assert [r.key for r in impact.build_report().months] == ["2026-10"]


@pytest.mark.django_db
def test_report_is_cached_and_refreshed_when_an_order_changes(
    orders, world, django_assert_num_queries, django_capture_on_commit_callbacks
):
    first = impact.report()
    with django_assert_num_queries(0):
        assert impact.report().totals.income == first.totals.income
    with django_capture_on_commit_callbacks(execute=True):  # the order is committed
        make_order(None, [(world["eggs"], 10)], status=S.COMPLETED)
    assert impact.report().totals.income == first.totals.income + D("15.00")


@pytest.mark.django_db
def test_impact_page_shows_figures_chart_and_csv(client, impact_page, orders, world):
    html = client.get(impact_page.url).content.decode()
    assert 'data-figure="income">260.00<' in html
    assert (
        "<svg" in html
        and "向阳村" in html
        and "<script" not in html.split("<main", 1)[1].split("</main>")[0]
    )
    response = client.get(impact_page.url + "csv/?year=2026")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["分组", "编号", "名称"]
    total = rows[1]
    assert total[0] == "合计" and D(total[4]) == sum_lines(order__date_placed__year=2026)
    villages = {r[2]: D(r[4]) for r in rows if r[0] == "村庄"}
    assert villages == {"向阳村": D("203.00") + D("15.00"), "柳河村": D("30.00")}


@pytest.mark.django_db
def test_bad_year_gets_a_message_and_all_years(client, impact_page, orders):
    response = client.get(impact_page.url + "?year=abc")
    assert response.status_code == 200
    html = response.content.decode()
    assert "年份无效" in html
    assert 'data-figure="income">260.00<' in html


@pytest.mark.django_db
def test_live_figure_block_shows_the_village_income(client, story_with_blocks, world, household):
    world["eggs"].households.add(household)
    world["eggs"].origin_village = story_with_blocks.village
    world["eggs"].save()
    make_order(None, [(world["eggs"], 20)], status=S.COMPLETED)
    html = client.get(story_with_blocks.url).content.decode()
    assert '<strong class="live-figure__value">30.00</strong>' in html
