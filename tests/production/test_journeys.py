"""Buyers' and teams' journeys against the shop as it runs in production (issue 17).

Each test is one journey over HTTP; later ones use what earlier ones left (the guest's
order and its run), so they run in file order. Waiting on the worker or beat is polled and
bounded: a page that shows the worker's result proves the worker ran it.
"""

import email
import email.policy
import re
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup

from tests.production.conftest import (
    BASE_URL,
    STAGE_DIR,
    Visitor,
    production_env,
    shop_shell,
    wait_for,
)

pytestmark = pytest.mark.production

BUYER = ("buyer@example.cn", "buy-eggs-2026")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_visitor_signs_up_and_is_signed_in():
    """Issue 17 fault 1: this answered 500 after creating the account (axes needs the
    request); now the new account is signed in."""
    visitor = Visitor()
    url = "/shop/accounts/register/"
    _, soup = visitor.page(url)
    form = soup.find("input", attrs={"name": "password1"}).find_parent("form")
    address = f"new-{uuid.uuid4().hex[:8]}@example.cn"
    response = visitor.submit(
        url, form, email=address, password1="village-eggs-2026", password2="village-eggs-2026"
    )
    assert "/accounts/register/" not in response.url
    assert address in visitor.get("/shop/accounts/profile/").text


def test_a_buyer_signs_in_and_sees_her_account():
    visitor = Visitor()
    visitor.login(*BUYER)
    page = visitor.get("/shop/accounts/profile/").text
    assert BUYER[0] in page


def test_a_guest_buys_to_the_thank_you_page_paying_on_pickup(journey):
    found = shop_shell(
        """
import json
from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.core.loading import get_model
from fulfilment import supply
from fulfilment.models import DeliveryRun
team = get_user_model().objects.get(email="team@example.cn").partners.get()
Product = get_model("catalogue", "Product")
best = None
for run in DeliveryRun.objects.filter(team=team, status="open", cutoff__gt=timezone.now()):
    committed, sold = supply.committed_quantities(run), supply.sold_quantities(run)
    for pid, qty in committed.items():
        if qty - sold.get(pid, 0) >= 30:
            best = (run, Product.objects.get(pk=pid))
            break
    if best:
        break
run, product = best
print(json.dumps({"run": run.pk, "product": product.pk, "url": product.get_absolute_url()}))
"""
    )
    guest = Visitor()
    guest.add_to_basket(found["url"], found["product"])  # the quantity the page offers
    guest_email = f"guest-{uuid.uuid4().hex[:8]}@example.cn"
    response = guest.place_order(
        first_name="林小满",
        phone_number="13812345678",
        guest_email=guest_email,
        method_code=re.compile(rf"^run-{found['run']}-"),
        method="pay-on-pickup",
    )
    order = shop_shell(
        f"""
import json
from oscar.core.loading import get_model
order = get_model("order", "Order").objects.get(guest_email="{guest_email}")
print(json.dumps({{"number": order.number, "pk": order.pk}}))
"""
    )
    assert order["number"] in response.text
    journey.update(
        run=found["run"], product=found["product"], url=found["url"], email=guest_email, **order
    )


def _stock_left(response):
    found = re.search(r"下一趟配送还剩\s*(\d+)", response.text)
    assert found, "the product page shows no stock line"
    return int(found.group(1))


def test_an_order_leaves_the_stored_product_page_with_the_new_stock_line(journey):
    """Two gunicorn workers and Redis: the product page stays stored after an order that
    leaves some for sale, and its live part (catalogue/live.py) shows what is left."""
    url, product = journey["url"], journey["product"]
    looker = Visitor()
    looker.get(url)
    before = looker.get(url)
    assert before.headers.get("X-Page-Cache") == "hit"
    left = _stock_left(before)

    buyer = Visitor()
    buyer.add_to_basket(url, product)
    buyer.place_order(
        first_name="林小满",
        phone_number="13812345678",
        guest_email=f"guest-{uuid.uuid4().hex[:8]}@example.cn",
        method_code=re.compile(rf"^run-{journey['run']}-"),
        method="pay-on-pickup",
    )
    now = shop_shell(
        f"""
import json
from oscar.core.loading import get_model
record = get_model("partner", "StockRecord").objects.get(product_id={product})
print(json.dumps({{"left": record.net_stock_level}}))
"""
    )["left"]
    assert now < left  # the order took some

    for visitor in (Visitor(), looker):  # a first-time visitor, and one seen before
        after = visitor.get(url)
        assert after.headers.get("X-Page-Cache") == "hit"
        assert _stock_left(after) == now


def test_product_photos_are_resized_renditions_served_from_the_media_bucket(journey):
    endpoint = production_env().get("AWS_S3_ENDPOINT_URL")
    if not endpoint:
        pytest.skip("media is on local disk in this stage")
    visitor = Visitor()
    _, soup = visitor.page(journey.get("url") or "/shop/catalogue/")
    photo = soup.select_one(".product-page__gallery img") or soup.select_one(".product-card img")
    assert photo is not None and photo.get("src"), "no product photo on the page"
    bucket = production_env()["AWS_STORAGE_BUCKET_NAME"]
    assert photo["src"].startswith(f"{endpoint}/{bucket}/media/cache/"), photo["src"]
    response = visitor.http.get(photo["src"], timeout=30)
    assert response.status_code == 200
    assert response.content[:4] == b"RIFF"  # WebP


def _mails_to(address):
    found = []
    for path in STAGE_DIR.joinpath("mail").glob("*.log"):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk.strip(), policy=email.policy.default)
            if address in str(message.get("To", "")):
                body = message.get_body(preferencelist=("plain", "html"))
                found.append(body.get_content() if body else "")
    return found


def test_the_worker_sends_the_order_confirmation_email(journey):
    assert journey.get("number"), "the guest purchase did not complete"
    mails = wait_for(
        lambda: _mails_to(journey["email"]), 60, what="the order confirmation e-mail file"
    )
    assert any(journey["number"] in body for body in mails)


def test_a_waiting_buyer_is_told_by_the_worker_when_a_household_promises_more(team_member):
    """Issue 21: a sold-out product's "到货通知我" takes a visitor's e-mail; the team sees
    one buyer waiting beside the run's supply; a household's new promise queues
    ``tell_waiting_buyers`` on the worker, which e-mails the buyer a link to the product."""
    tag = uuid.uuid4().hex[:8]
    found = shop_shell(
        f"""
import json
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.core.loading import get_model
from catalogue.models import Household
from fulfilment.models import DeliveryRun
team = get_user_model().objects.get(email="team@example.cn").partners.get()
Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
like = StockRecord.objects.filter(partner=team).select_related("product__product_class").first()
product = Product.objects.create(
    title="绿壳乌鸡蛋 {tag}", product_class=like.product.product_class, is_public=True
)
StockRecord.objects.create(
    partner=team, product=product, partner_sku="wait-{tag}", price=Decimal("2.00"), num_in_stock=0
)
run = DeliveryRun.objects.filter(team=team, status="open", cutoff__gt=timezone.now()).order_by("-cutoff").first()
household = Household.objects.filter(team=team).first()
print(json.dumps({{"product": product.pk, "url": product.get_absolute_url(), "run": run.pk,
                  "household": household.pk, "title": product.title}}))
"""
    )
    buyer = Visitor()
    _, soup = buyer.page(found["url"])
    form = soup.find("form", attrs={"data-testid": "waitlist-form"})
    assert form is not None, "no 到货通知我 form on the sold-out product page"
    address = f"waiting-{tag}@example.cn"
    response = buyer.submit(found["url"], form, email=address)
    assert "已登记" in response.text, response.text[:2000]

    supply_url = f"/shop/team/runs/{found['run']}/supply/"
    _, soup = team_member.page(supply_url)
    waiting = soup.find(attrs={"data-testid": "supply-waiting"})
    assert waiting is not None and f"{found['title']}：1 人在等" in waiting.get_text()
    form = soup.find("form", class_="team-form")
    response = team_member.submit(
        supply_url,
        form,
        household=str(found["household"]),
        product=str(found["product"]),
        quantity="3",
    )
    assert "已记下" in response.text, response.text[:3000]

    def told():
        return [body for body in _mails_to(address) if found["url"] in body]

    mails = wait_for(told, 60, what="the back-in-stock e-mail from the worker")
    assert any(found["title"] in body for body in mails)
    _, soup = team_member.page(supply_url)
    assert soup.find(attrs={"data-testid": "supply-waiting"}) is None  # nobody waits now


def _run_page(visitor, run):
    return visitor.page(f"/shop/team/runs/{run}/")


def _confirm(visitor, url, response):
    """Submit the confirmation step ``response`` shows (closing, shortfalls, setting off)."""
    soup = BeautifulSoup(response.text, "html.parser")
    field = soup.find("input", attrs={"name": "confirm", "value": "1"})
    assert field is not None, response.text[:3000]
    return visitor.submit(url, field.find_parent("form"))


def test_a_team_member_closes_the_run(team_member, journey):
    run = journey["run"]
    url = f"/shop/team/runs/{run}/"
    _, soup = _run_page(team_member, run)
    form = soup.find("input", attrs={"name": "to", "value": "closed"}).find_parent("form")
    asked = team_member.submit(url, form)
    assert "确认截单" in asked.text  # the first tap shows what will happen
    response = _confirm(team_member, url, asked)
    assert "已截单" in response.text


def test_route_planning_is_done_by_the_worker_and_shown_on_the_run_page(team_member, journey):
    run = journey["run"]
    url = f"/shop/team/runs/{run}/"
    _, soup = _run_page(team_member, run)
    form = soup.find("form", action=re.compile(r"/route/$"))
    response = team_member.submit(url, form)
    assert "route-map" in response.text or "正在规划路线" in response.text
    wait_for(
        lambda: "route-map" in team_member.get(url).text,
        60,
        every=2,
        what="the planned route on the run page",
    )


def test_a_shortfall_is_recorded(team_member, journey):
    run = journey["run"]
    short = shop_shell(
        f"""
import json
from fulfilment.models import Allocation
allocation = Allocation.objects.filter(run_id={run}, product_id={journey["product"]}, quantity__gt=0).first()
print(json.dumps({{"household": allocation.household_id}}))
"""
    )
    url = f"/shop/team/runs/{run}/shortfalls/"
    _, soup = team_member.page(url)
    form = soup.find("input", attrs={"name": "quantity"}).find_parent("form")
    asked = team_member.submit(
        url,
        form,
        household=str(short["household"]),
        product=str(journey["product"]),
        quantity="1",
        note="prod stage",
    )
    response = _confirm(team_member, url, asked)
    assert "已登记缺货" in response.text, response.text[:3000]


def _tap(visitor, run, action, order=None):
    url = f"/shop/team/runs/{run}/driver/"
    _, soup = visitor.page(url)
    for field in soup.find_all("input", attrs={"name": "action", "value": action}):
        form = field.find_parent("form")
        if order is None or form.find("input", attrs={"name": "order", "value": str(order)}):
            response = visitor.submit(url, form)
            assert "已记录" in response.text, response.text[:3000]
            return response
    pytest.fail(f"no “{action}” button on the driver page")


def test_the_driver_taps_collected_arrived_and_handed_over(team_member, journey):
    run = journey["run"]
    _tap(team_member, run, "collected")
    # The car leaves for town once every household is collected (issue 19).
    for _household in range(50):
        _, soup = team_member.page(f"/shop/team/runs/{run}/driver/")
        if not soup.find("input", attrs={"name": "action", "value": "collected"}):
            break
        _tap(team_member, run, "collected")
    _tap(team_member, run, "arrived")
    _tap(team_member, run, "handed_over", order=journey["pk"])
    _, soup = team_member.page(f"/shop/team/runs/{run}/driver/")
    # The order is handed over: no hand-over button is left for it (its cash tap and the
    # undo may still name it).
    for field in soup.find_all("input", attrs={"name": "action", "value": "handed_over"}):
        form = field.find_parent("form")
        assert not form.find("input", attrs={"name": "order", "value": str(journey["pk"])})
    assert soup.select_one(".driver-order--done .driver-done"), "no order shown handed over"


def test_a_yard_chicken_bought_at_its_estimate_is_weighed_on_the_driver_page(team_member):
    """Issue 21, priced by weight: a guest buys one 散养土鸡 (约 3 斤 at ¥40/斤, ¥120 at
    checkout, pay on pickup); the team closes its run and posts the weighing form on the
    driver card: a slip (50 斤) is refused in Chinese, 3.4 斤 re-prices the order to ¥136,
    which the card's cash tap then shows."""
    found = shop_shell(
        """
import json
from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.core.loading import get_model
from fulfilment import supply
from fulfilment.models import DeliveryRun
team = get_user_model().objects.get(email="team@example.cn").partners.get()
chicken = get_model("catalogue", "Product").objects.get(title="散养土鸡")
best = None
for run in DeliveryRun.objects.filter(team=team, status="open", cutoff__gt=timezone.now()):
    left = supply.committed_quantities(run).get(chicken.pk, 0)
    left -= supply.sold_quantities(run).get(chicken.pk, 0)
    if left >= 1:
        best = run
        break
print(json.dumps({"run": best.pk, "product": chicken.pk, "url": chicken.get_absolute_url()}))
"""
    )
    guest = Visitor()
    page, _ = guest.add_to_basket(found["url"], found["product"], quantity="1")
    assert "按实重结算" in page.text, "the product page does not explain the weight rule"
    guest_email = f"chicken-{uuid.uuid4().hex[:8]}@example.cn"
    guest.place_order(
        first_name="周大姐",
        phone_number="13812345679",
        guest_email=guest_email,
        method_code=re.compile(rf"^run-{found['run']}-"),
        method="pay-on-pickup",
    )
    order = shop_shell(
        f"""
import json
from oscar.core.loading import get_model
order = get_model("order", "Order").objects.get(guest_email="{guest_email}")
print(json.dumps({{"pk": order.pk, "total": str(order.total_incl_tax)}}))
"""
    )
    assert order["total"] == "120.00"

    run = found["run"]
    url = f"/shop/team/runs/{run}/"
    _, soup = _run_page(team_member, run)
    form = soup.find("input", attrs={"name": "to", "value": "closed"}).find_parent("form")
    _confirm(team_member, url, team_member.submit(url, form))

    driver = f"/shop/team/runs/{run}/driver/"

    def weighing_form():
        _, soup = team_member.page(driver)
        for field in soup.find_all("input", attrs={"name": "action", "value": "weighed"}):
            form = field.find_parent("form")
            if form.find("input", attrs={"name": "order", "value": str(order["pk"])}):
                return form
        pytest.fail("no weighing form on the order's driver card")

    response = team_member.submit(driver, weighing_form(), weight="50")
    assert "50 斤不对" in response.text, response.text[:3000]
    response = team_member.submit(driver, weighing_form(), weight="3.4")
    assert "已称重" in response.text, response.text[:3000]
    soup = BeautifulSoup(response.text, "html.parser")
    cards = [
        c
        for c in soup.select(".driver-order")
        if c.find("input", attrs={"name": "order", "value": str(order["pk"])})
    ]
    assert cards and "已收款 ¥136.00" in cards[0].get_text(), response.text[:3000]


def test_a_report_is_exported_by_the_worker_and_downloaded_as_xlsx(team_member):
    url = "/shop/dashboard/desk/reports/"
    _, soup = team_member.page(url)
    form = soup.find("form", action=re.compile(r"/desk/reports/export/$"))
    assert form is not None, "no export form on the reports page"
    team_member.submit(url, form, format="xlsx")

    def download_link():
        _, soup = team_member.page("/shop/dashboard/desk/reports/export/")
        link = soup.find("a", href=re.compile(r"/desk/reports/export/\d+/$"))
        return link and link["href"]

    href = wait_for(download_link, 60, every=2, what="the exported report")
    response = team_member.get(href)
    assert response.headers["Content-Type"] == XLSX
    assert response.content[:2] == b"PK"


EDITOR = ("editor@example.cn", "write-story-2026")
GO_LIVE_IN = 70  # seconds: at least one beat tick (every 60 s) falls before the time


def test_an_editor_schedules_a_story_in_the_admin_and_it_goes_live_on_time():
    """The editor opens "add story" in /cms/, lets the autosave make the draft, schedules
    it GO_LIVE_IN seconds ahead and publishes from the same form; beat's publish_scheduled
    (on the worker) makes it public at the first tick after its time, not before."""
    slug = f"scheduled-{uuid.uuid4().hex[:8]}"
    shop = shop_shell(
        f"""
import json
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.rich_text import RichText
from catalogue.models import Product
from content.models import StoryIndexPage, StoryPage
from tests.content.editor.admin_post import page_form_data
index = StoryIndexPage.objects.first()
editor = get_user_model().objects.get(email="{EDITOR[0]}")
story = StoryPage(
    title="定时发布的故事 {slug}", slug="{slug}", summary="编辑定好时间，到点自动上线。",
    date=timezone.localdate(),
    body=[("paragraph", RichText("<p>鸡蛋每周六进城。</p>")),
          ("product_list", {{"heading": "本周", "products": [Product.objects.first()]}})],
)
data = page_form_data(story, index, editor)
data.pop("editing_key", None)
print(json.dumps({{"index": index.pk, "url": index.url + "{slug}/", "data": data}}))
"""
    )
    editor = Visitor()
    _, soup = editor.page("/cms/login/")
    form = soup.find("input", attrs={"name": "username"}).find_parent("form")
    response = editor.submit("/cms/login/", form, username=EDITOR[0], password=EDITOR[1])
    assert "/login/" not in response.url, "still on the admin's login page"
    add = f"/cms/pages/add/content/storypage/{shop['index']}/"
    _, soup = editor.page(add)
    form = soup.find("form", id="page-edit-form")
    opened = {
        name: Visitor.form_fields(form)[name] for name in ("csrfmiddlewaretoken", "editing_key")
    }
    assert len(opened["editing_key"]) == 32, "the create form carries its editing session"
    data = dict(shop["data"], **opened)
    headers = {"Referer": BASE_URL + add}

    # The autosave makes the draft (in the background, as JSON) ...
    autosaved = editor.http.post(
        BASE_URL + add, data=data, headers=dict(headers, Accept="application/json"), timeout=60
    )
    assert autosaved.status_code == 200 and autosaved.json()["success"], autosaved.text[:800]
    # ... and 保存计划 then 发布 from the same form, the time GO_LIVE_IN seconds ahead.
    go_live = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(seconds=GO_LIVE_IN)
    data["go_live_at"] = go_live.strftime("%Y-%m-%d %H:%M:%S")
    for action in ({}, {"action-publish": "action-publish"}):
        response = editor.http.post(
            BASE_URL + add, data=dict(data, **action), headers=headers, timeout=60
        )
        assert response.status_code == 200, response.text[:800]
        assert "/add/" not in response.url, "the form came back with an error"

    count = shop_shell(
        f"""
import json
from content.models import StoryPage
print(json.dumps(StoryPage.objects.filter(slug__startswith="{slug}").count()))
"""
    )
    assert count == 1, "one editing session made one story"

    visitor = Visitor()
    visitor.get(shop["url"], expect=404)  # scheduled, not live
    went_live = wait_for(
        lambda: (
            visitor.http.get(BASE_URL + shop["url"], timeout=30).status_code == 200
            and datetime.now(ZoneInfo("Asia/Shanghai"))
        ),
        GO_LIVE_IN + 120,
        every=2,
        what="the scheduled story to go live (beat + worker)",
    )
    late = (went_live - go_live).total_seconds()
    assert late > -1, f"live {-late:.0f} s before its time"
    assert late < 90, f"live {late:.0f} s after its time (beat ticks every 60 s)"
    assert "鸡蛋每周六进城" in visitor.get(shop["url"]).text


def _standing_page(visitor, standing):
    url = f"/shop/accounts/standing/{standing}/"
    response, soup = visitor.page(url)
    return url, response, soup


def _standing_form(soup, action, **inputs):
    """The form posting to ``.../<action>/`` that holds the hidden ``inputs`` given."""
    for form in soup.find_all("form", action=re.compile(rf"/standing/\d+/{action}/$")):
        if all(form.find("input", attrs={"name": k, "value": str(v)}) for k, v in inputs.items()):
            return form
    pytest.fail(f"no “{action}” form with {inputs} on the standing order's page")


def test_the_demo_buyer_changes_her_standing_order_and_beat_places_it_before_the_cut_off():
    """The demo buyer's weekly eggs (shop/standing/demo.py): she skips a run and takes the
    skip back, pauses and resumes, changes the quantity, all by the page's forms; then a run
    whose cut-off is 8 minutes away (so inside the 10 minutes in which standing orders are
    placed) gets its order from beat's ``place_due_standing_orders`` on the worker, once,
    and she gets the e-mail."""
    mine = shop_shell(
        f"""
import json
from shop.standing.models import StandingOrder
standing = StandingOrder.objects.get(owner__email="{BUYER[0]}", status="active")
line = standing.lines.get()
print(json.dumps({{"standing": standing.pk, "line": line.pk, "quantity": line.quantity}}))
"""
    )
    buyer = Visitor()
    buyer.login(*BUYER)
    assert f"/standing/{mine['standing']}/" in buyer.get("/shop/accounts/standing/").text
    url, _, soup = _standing_page(buyer, mine["standing"])

    # Skip the coming run, then take it back.
    skip = soup.find("form", action=re.compile(r"/skip/$"))
    assert skip is not None, "no run to skip on the standing order's page"
    skipped_run = skip.find("input", attrs={"name": "run"})["value"]
    response = buyer.submit(url, skip)
    assert "这一次跳过" in response.text, response.text[:2000]
    soup = BeautifulSoup(response.text, "html.parser")
    response = buyer.submit(url, _standing_form(soup, "unskip", run=skipped_run))
    assert "照常下单" in response.text

    # Pause, resume.
    soup = BeautifulSoup(response.text, "html.parser")
    response = buyer.submit(url, _standing_form(soup, "status", status="paused"))
    assert "已暂停" in response.text
    soup = BeautifulSoup(response.text, "html.parser")
    response = buyer.submit(url, _standing_form(soup, "status", status="active"))
    assert "已恢复" in response.text

    # Change the quantity (eggs go by tens in the demo).
    soup = BeautifulSoup(response.text, "html.parser")
    quantity = mine["quantity"] + 10
    response = buyer.submit(
        url,
        _standing_form(soup, "quantities"),
        **{f"qty-{mine['line']}": str(quantity)},
    )
    assert "数量改好了" in response.text, response.text[:2000]

    # A run of her team whose standing orders are being placed now.
    found = shop_shell(
        f"""
import datetime, json
from decimal import Decimal
from django.utils import timezone
from fulfilment import supply
from fulfilment.models import DeliveryRun, RunPickup
from shop.standing.models import StandingOrder
standing = StandingOrder.objects.get(owner__email="{BUYER[0]}", status="active")
StandingOrder.objects.filter(pk=standing.pk).update(
    created=timezone.now() - datetime.timedelta(hours=1)
)
line = standing.lines.get()
village = standing.team.villages.order_by("pk").first()
run = DeliveryRun.objects.create(
    team=standing.team, date=timezone.localdate(), departure_time=datetime.time(23, 0),
    cutoff=timezone.now() + datetime.timedelta(minutes=8), capacity_kg=Decimal("400"),
    start_label="prod stage", start_latitude=village.latitude,
    start_longitude=village.longitude, notes="prod stage: standing order",
)
RunPickup.objects.create(
    run=run, point=standing.point, window_start=datetime.time(8, 0),
    window_end=datetime.time(10, 0),
)
household = line.product.households.filter(team=standing.team).first()
supply.SupplyCommitment.objects.create(
    run=run, household=household, product=line.product, quantity=200
)
supply.sync_stock(standing.team)
print(json.dumps({{"run": run.pk}}))
"""
    )

    # Beat places the run due now, on the worker, once.
    def placed():
        return shop_shell(
            f"""
import json
from shop.standing.models import StandingRun
rows = list(StandingRun.objects.filter(standing_id={mine["standing"]}, run_id={found["run"]}))
order = rows[0].order if rows else None
print(json.dumps({{"rows": len(rows), "state": rows[0].state if rows else "",
    "number": order.number if order else "",
    "quantity": sum(line.quantity for line in order.lines.all()) if order else 0}}))
"""
        )

    result = wait_for(
        lambda: (lambda r: r if r["rows"] else None)(placed()),
        150,
        every=5,
        what="beat to place the standing order",
    )
    assert result["rows"] == 1 and result["state"] == "placed", result
    assert result["quantity"] == quantity
    assert result["number"] in buyer.get(url).text
    mails = wait_for(
        lambda: [body for body in _mails_to(BUYER[0]) if result["number"] in body],
        60,
        what="the standing order's e-mail",
    )
    assert "取货时付款" in mails[0]
    # Placing again (as beat's next tick would) leaves it as it is.
    again = shop_shell(
        """
import json
from shop.standing import placing
print(json.dumps(placing.place_due()))
"""
    )
    assert again == 0 and placed()["rows"] == 1
