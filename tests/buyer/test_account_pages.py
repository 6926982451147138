"""The signed-in buyer's own pages: her orders (the next pickup first), an order's page with
cancel and 再来一单, profile, password and addresses; every form posted right and wrong, in
Chinese, and nobody reaches another buyer's orders or addresses."""

import datetime
import re
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from fulfilment.models import DeliveryRun
from shop.buyer.codes import pickup_code
from shop.buyer.handover import day
from shop.order import life
from shop.order import status as S
from tests.catalogue.factories import product_in_stock
from tests.order.factories import make_order
from tests.partner.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")
Country = get_model("address", "Country")


def html(response):
    return response.content.decode()


def text(response):
    """The page's visible words, tags dropped, spaces squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(response)))


def hers(order, user):
    Order.objects.filter(pk=order.pk).update(user=user)
    order.refresh_from_db()
    return order


@pytest.fixture
def signed_in(client, customer):
    client.force_login(customer)
    return client


@pytest.fixture
def other_buyer(db):
    return UserFactory(username="other", email="other@example.cn")


def address_of(user, **fields):
    values = {
        "first_name": "林小满",
        "phone_number": "+8613812345678",
        "line1": "人民路 8 号 3 单元 502",
        "country": Country.objects.get(iso_3166_1_a2="CN"),
    }
    values.update(fields)
    return UserAddress.objects.create(user=user, **values)


# --- my orders -----------------------------------------------------------------------------


def test_my_orders_put_the_next_pickup_first_with_status_day_items_and_total(
    signed_in, customer, run, later_run, eggs, team
):
    chicken = product_in_stock(team=team, title="农家小笨鸡", price=D("64.00"))
    later = hers(make_order(later_run, [(eggs, 10)]), customer)
    sooner = hers(make_order(run, [(eggs, 4), (chicken, 1)]), customer)
    done = hers(make_order(run, [(eggs, 2)]), customer)
    done.status = S.COMPLETED
    done.save()
    Order.objects.filter(pk=done.pk).update(date_placed=timezone.now() - datetime.timedelta(9))

    page = signed_in.get(reverse("customer:order-list"))
    numbers = re.findall(r'data-testid="order-card" data-number="(\d+)"', html(page))
    assert numbers == [sooner.number, later.number, done.number]

    words = text(page)
    assert day(run.date) in words and day(later_run.date) in words  # 12-07 周一
    assert "待确认" in words and "已完成" in words
    assert "散养土鸡蛋 ×4、农家小笨鸡 ×1" in words
    assert "合计 ¥70.00" in words  # 4 × 1.50 + 64.00, from shop.order.money
    assert "以前的订单" in words


def test_my_orders_list_costs_the_same_queries_for_two_orders_as_for_eight(client, run, eggs, team):
    sizes = []
    for count in (2, 8):
        buyer = UserFactory()
        for n in range(count):
            hers(make_order(run, [(eggs, 1 + n % 3)], paid_online=bool(n % 2)), buyer)
        client.force_login(buyer)
        url = reverse("customer:order-list")
        client.get(url)  # warm the per-process rows
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        sizes.append(len(captured.captured_queries))
    assert sizes[0] == sizes[1], sizes


def test_the_account_link_opens_my_orders(signed_in):
    response = signed_in.get(reverse("customer:summary"))
    assert response["Location"] == reverse("customer:order-list")


def test_the_account_menu_offers_only_what_the_shop_does(signed_in):
    page = html(signed_in.get(reverse("customer:order-list")))
    menu = page[
        page.index('data-testid="account-menu"') : page.index("</nav>", page.index("account-menu"))
    ]
    for words in ("我的订单", "收货地址", "个人资料", "修改密码", "退出"):
        assert words in menu
    for stock in ("商品警报", "过滤器", "心愿单", "通知", "邮件历史", "筛选"):
        assert stock not in page


# --- one order ------------------------------------------------------------------------------


def test_order_page_shows_where_when_code_and_money_once(
    signed_in, customer, run, eggs, pickup_point
):
    point = pickup_point
    point.latitude, point.longitude = D("34.752"), D("113.625")
    point.save()
    order = hers(make_order(run, [(eggs, 10)]), customer)

    page = signed_in.get(reverse("customer:order", args=[order.number]))

    body = html(page)
    assert body.count('data-testid="handover-place"') == 1  # the place is written once
    assert "县人民医院门诊大厅" in body and "uri.amap.com/marker" in body
    assert f"{day(run.date)} " in text(page)
    assert f'data-testid="pickup-code">{pickup_code(order)}<' in body
    assert 'data-testid="money-due"><strong>¥15.00' in body
    assert 'data-testid="cancel-order"' in body and 'data-testid="reorder"' in body


def test_the_pickup_code_goes_once_the_order_is_handed_over(signed_in, customer, run, eggs):
    order = hers(make_order(run, [(eggs, 10)]), customer)
    url = reverse("customer:order", args=[order.number])
    assert 'data-testid="pickup-code"' in html(signed_in.get(url))
    for done in S.DELIVERED:
        Order.objects.filter(pk=order.pk).update(status=done)
        page = signed_in.get(url)
        assert 'data-testid="pickup-code"' not in html(page)
        assert S.label(done) in text(page) or "已交付" in text(page)


def test_another_buyers_order_is_not_found(signed_in, other_buyer, run, eggs):
    theirs = hers(make_order(run, [(eggs, 3)]), other_buyer)
    assert signed_in.get(reverse("customer:order", args=[theirs.number])).status_code == 404
    again = signed_in.post(reverse("customer:order", args=[theirs.number]), {"action": "reorder"})
    assert again.status_code == 404
    cancel = signed_in.post(reverse("payment:cancel-order", args=[theirs.number]))
    assert cancel.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == S.PLACED


def test_buyer_cancels_from_her_order_page_before_the_cutoff_only(signed_in, customer, run, eggs):
    order = hers(make_order(run, [(eggs, 10)]), customer)
    response = signed_in.post(reverse("payment:cancel-order", args=[order.number]), follow=True)
    order.refresh_from_db()
    assert order.status == S.CANCELLED
    assert "已取消" in text(response) and 'data-testid="pickup-code"' not in html(response)

    late = hers(make_order(run, [(eggs, 5)]), customer)
    DeliveryRun.objects.filter(pk=run.pk).update(cutoff=timezone.now() - datetime.timedelta(1))
    page = signed_in.get(reverse("customer:order", args=[late.number]))
    assert 'data-testid="cancel-order"' not in html(page)
    refused = signed_in.post(reverse("payment:cancel-order", args=[late.number]), follow=True)
    late.refresh_from_db()
    assert late.status == S.PLACED
    assert "已截单，不能再取消" in text(refused)


def test_guest_cancels_through_the_signed_link_page(client, run, eggs):
    from shop.buyer import links

    order = make_order(run, [(eggs, 10)], email="")
    page = client.get(links.order_path(order))
    token = links.order_token(order)
    assert f'name="token" value="{token}"' in html(page)

    forged = client.post(
        reverse("payment:cancel-order", args=[order.number]), {"token": token + "x"}
    )
    assert forged.status_code == 404
    response = client.post(reverse("payment:cancel-order", args=[order.number]), {"token": token})
    assert response["Location"] == links.order_path(order)
    order.refresh_from_db()
    assert order.status == S.CANCELLED


def test_reorder_puts_what_is_for_sale_in_the_basket_and_names_what_is_not(
    signed_in, customer, run, eggs, team
):
    gone = product_in_stock(team=team, title="桃园甜瓜", stock=5)
    order = hers(make_order(run, [(eggs, 10), (gone, 2)]), customer)
    gone.is_public = False
    gone.save()

    response = signed_in.post(
        reverse("customer:order", args=[order.number]), {"action": "reorder"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("basket:summary")
    words = text(response)
    assert "「桃园甜瓜」已经不卖了，没有加入购物车。" in words
    assert "已把 1 样商品加入购物车" in words
    basket = response.context["request"].basket
    assert [(line.product_id, line.quantity) for line in basket.all_lines()] == [(eggs.pk, 10)]


def test_reorder_with_nothing_left_to_buy_stays_on_the_order(signed_in, customer, run, eggs):
    order = hers(make_order(run, [(eggs, 10)]), customer)
    life.cancel(order)
    eggs.is_public = False
    eggs.save()
    response = signed_in.post(
        reverse("customer:order", args=[order.number]), {"action": "reorder"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("customer:order", args=[order.number])
    assert "都买不到了" in text(response)
    assert response.context["request"].basket.num_items == 0


# --- sign in and sign up ------------------------------------------------------------------


def test_wrong_password_gets_a_chinese_message_and_no_session(client, customer):
    customer.set_password("right-password-1")
    customer.save()
    response = client.post(
        reverse("customer:login"),
        {"login-username": customer.email, "login-password": "wrong", "login_submit": "1"},
    )
    assert response.status_code == 200
    assert "邮箱或密码不对" in html(response)
    assert "_auth_user_id" not in client.session

    response = client.post(
        reverse("customer:login"),
        {
            "login-username": customer.email,
            "login-password": "right-password-1",
            "login_submit": "1",
        },
    )
    assert response.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.parametrize(
    "email, password2, message",
    [
        ("xiaolin@example.cn", "yard-eggs-2027", "两次填的密码不一样"),
        ("not-an-address", "yard-eggs-2026", "请填写正确的电子邮箱"),
        ("", "yard-eggs-2026", "请填写电子邮箱"),
        ("buyer@example.cn", "yard-eggs-2026", "这个邮箱已经注册过了"),
    ],
)
def test_sign_up_refuses_bad_input_in_chinese(client, customer, email, password2, message):
    before = User.objects.count()
    response = client.post(
        reverse("customer:login"),
        {
            "registration-email": email,
            "registration-password1": "yard-eggs-2026",
            "registration-password2": password2,
            "registration_submit": "1",
        },
    )
    assert response.status_code == 200
    assert message in html(response)
    assert User.objects.count() == before


def test_login_page_reads_登录_not_登陆(client):
    page = html(client.get(reverse("customer:login")))
    assert "登录" in page and "登陆" not in page
    assert "I&#x27;ve forgotten" not in page and "Email address" not in page


# --- profile and password ------------------------------------------------------------------


def test_profile_shows_the_phone_the_buyer_is_known_by(signed_in, customer, run, eggs):
    page = signed_in.get(reverse("customer:profile-view"))
    assert 'data-testid="profile-phone">' in html(page) and "还没有" in text(page)

    hers(make_order(run, [(eggs, 1)]), customer)  # the phone given at checkout
    assert "13812345678" in text(signed_in.get(reverse("customer:profile-view")))

    address_of(customer, phone_number="+8613987654321", is_default_for_shipping=True)
    assert "13987654321" in text(signed_in.get(reverse("customer:profile-view")))


def test_profile_edit_saves_good_input_and_keeps_bad_out(signed_in, customer, other_buyer):
    url = reverse("customer:profile-update")
    bad = signed_in.post(url, {"first_name": "林小满", "email": "not-an-address"})
    assert bad.status_code == 200 and "请填写正确的电子邮箱" in html(bad)
    taken = signed_in.post(url, {"first_name": "林小满", "email": other_buyer.email})
    assert "这个邮箱已经有别的账户在用了" in html(taken)
    customer.refresh_from_db()
    assert customer.email == "buyer@example.cn" and customer.first_name != "林小满"

    good = signed_in.post(url, {"first_name": "林小满", "email": "lin@example.cn"})
    assert good.status_code == 302
    customer.refresh_from_db()
    assert (customer.first_name, customer.email) == ("林小满", "lin@example.cn")


def test_change_password_refuses_a_wrong_old_one_and_a_mismatch(signed_in, customer, mailoutbox):
    customer.set_password("old-password-1")
    customer.save()
    signed_in.force_login(customer)
    url = reverse("customer:change-password")
    wrong = signed_in.post(
        url,
        {
            "old_password": "nope",
            "new_password1": "yard-eggs-2026",
            "new_password2": "yard-eggs-2026",
        },
    )
    assert "原来的密码不对" in html(wrong)
    mismatch = signed_in.post(
        url,
        {
            "old_password": "old-password-1",
            "new_password1": "yard-eggs-2026",
            "new_password2": "yard-eggs-2027",
        },
    )
    assert "两次填的密码不一样" in html(mismatch)
    customer.refresh_from_db()
    assert customer.check_password("old-password-1")
    assert not mailoutbox

    done = signed_in.post(
        url,
        {
            "old_password": "old-password-1",
            "new_password1": "yard-eggs-2026",
            "new_password2": "yard-eggs-2026",
        },
    )
    assert done.status_code == 302
    customer.refresh_from_db()
    assert customer.check_password("yard-eggs-2026")
    assert "_auth_user_id" in signed_in.session  # still signed in on this phone
    (mail,) = mailoutbox
    assert "密码已修改" in mail.subject and "521助农小店" in mail.body
    assert "example.com" not in mail.body


# --- password reset ----------------------------------------------------------------------------


def test_password_reset_from_request_to_new_password(client, customer, mailoutbox, settings):
    settings.SHOP_BASE_URL = "https://shop.521nongzhu.cn"
    bad = client.post(reverse("password-reset"), {"email": "not-an-address"})
    assert bad.status_code == 200 and "请填写正确的电子邮箱" in html(bad)
    assert not mailoutbox

    sent = client.post(reverse("password-reset"), {"email": customer.email}, follow=True)
    assert "邮件已发出" in text(sent)
    (mail,) = mailoutbox
    assert mail.subject == "重设 521助农小店 的登录密码"
    body = mail.body
    assert "您好" in body and body.rstrip().endswith("521助农小店")
    words = re.sub(r"https://\S+", "", body).replace(customer.email, "")
    assert not re.search(r"[A-Za-z]{3,}", words), words  # no English sentence in Chinese mail
    link = re.search(r"https://shop\.521nongzhu\.cn(/shop/password-reset/confirm/\S+/)", body)
    assert link, body
    html_part = mail.alternatives[0][0]
    assert "https://shop.521nongzhu.cn/shop/password-reset/confirm/" in html_part
    assert "example.com" not in body + html_part

    form = client.get(link.group(1), follow=True)
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link.group(1)
    assert 'data-testid="set-password-form"' in html(form)
    mismatch = client.post(
        set_url, {"new_password1": "yard-eggs-2026", "new_password2": "yard-eggs-2027"}
    )
    assert "两次填的密码不一样" in html(mismatch)
    customer.refresh_from_db()
    assert not customer.check_password("yard-eggs-2026")

    done = client.post(
        set_url, {"new_password1": "yard-eggs-2026", "new_password2": "yard-eggs-2026"}, follow=True
    )
    assert "密码已重设" in text(done)
    customer.refresh_from_db()
    assert customer.check_password("yard-eggs-2026")
    used = client.get(link.group(1), follow=True)
    assert 'data-testid="reset-link-bad"' in html(used)


def test_password_reset_mail_in_english_from_an_english_page(client, customer, mailoutbox):
    client.post("/en" + reverse("password-reset"), {"email": customer.email})
    (mail,) = mailoutbox
    assert "/en/shop/password-reset/confirm/" in mail.body
    assert not re.search(r"[\u4e00-\u9fff]", mail.subject.replace("521助农小店", ""))


# --- addresses --------------------------------------------------------------------------------


def test_address_book_refuses_empty_fields_in_chinese_and_saves_good_ones(signed_in, customer):
    url = reverse("customer:address-create")
    empty = signed_in.post(url, {"first_name": " ", "phone_number": "", "line1": ""})
    words = html(empty)
    assert "请填写收货人姓名" in words and "请填写详细地址" in words
    assert "请输入正确的 11 位手机号" in words
    bad_phone = signed_in.post(
        url, {"first_name": "林小满", "phone_number": "12345", "line1": "人民路 8 号"}
    )
    assert "请输入正确的 11 位手机号" in html(bad_phone)
    assert not UserAddress.objects.exists()

    good = signed_in.post(
        url, {"first_name": "林小满", "phone_number": "138 1234 5678", "line1": "人民路 8 号"}
    )
    assert good.status_code == 302
    address = UserAddress.objects.get(user=customer)
    assert address.phone_number.as_e164 == "+8613812345678"

    again = signed_in.post(
        url, {"first_name": "林小满", "phone_number": "13812345678", "line1": "人民路 8 号"}
    )
    assert "地址簿里已经有这个地址了" in html(again)
    assert UserAddress.objects.count() == 1

    listing = text(signed_in.get(reverse("customer:address-list")))
    assert "林小满" in listing and "人民路 8 号" in listing

    edit = reverse("customer:address-detail", args=[address.pk])
    blank = signed_in.post(
        edit, {"first_name": "林小满", "phone_number": "13812345678", "line1": ""}
    )
    assert "请填写详细地址" in html(blank)
    address.refresh_from_db()
    assert address.line1 == "人民路 8 号"
    signed_in.post(
        edit, {"first_name": "林小满", "phone_number": "13812345678", "line1": "建设路 1 号"}
    )
    address.refresh_from_db()
    assert address.line1 == "建设路 1 号"

    deleted = signed_in.post(reverse("customer:address-delete", args=[address.pk]), follow=True)
    assert "地址已删除" in text(deleted) and not UserAddress.objects.exists()


def test_another_buyers_address_is_not_found(signed_in, other_buyer):
    theirs = address_of(other_buyer)
    assert signed_in.get(reverse("customer:address-detail", args=[theirs.pk])).status_code == 404
    posted = signed_in.post(
        reverse("customer:address-detail", args=[theirs.pk]),
        {"first_name": "改了", "phone_number": "13812345678", "line1": "别处"},
    )
    assert posted.status_code == 404
    assert signed_in.post(reverse("customer:address-delete", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.first_name == "林小满"
    assert "林小满" not in text(signed_in.get(reverse("customer:address-list")))


# --- from the outside -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, args",
    [
        ("customer:order-list", []),
        ("customer:order", ["100001"]),
        ("customer:profile-view", []),
        ("customer:profile-update", []),
        ("customer:change-password", []),
        ("customer:address-list", []),
        ("customer:address-create", []),
        ("customer:address-detail", [1]),
        ("customer:address-delete", [1]),
    ],
)
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_anonymous_buyers_are_sent_to_sign_in(name, args, prefix):
    url, sign_in = prefix + reverse(name, args=args), prefix + reverse("customer:login")
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{sign_in}?next={url}"


def test_english_account_pages_read_english(signed_in, customer, run, eggs, pickup_point):
    order = hers(make_order(run, [(eggs, 10)]), customer)
    pages = [
        reverse("customer:order-list"),
        reverse("customer:order", args=[order.number]),
        reverse("customer:profile-view"),
        reverse("customer:change-password"),
        reverse("customer:address-list"),
        reverse("customer:address-create"),
    ]
    for url in pages:
        words = text(signed_in.get("/en" + url))
        for chinese_on_purpose in ("中文", eggs.title, pickup_point.name, pickup_point.address):
            words = words.replace(chinese_on_purpose, "")
        chinese = re.findall(r"[\u4e00-\u9fff]+", words)
        assert not chinese, (url, chinese[:10])


def test_closing_the_account_needs_the_password(signed_in, customer):
    customer.set_password("old-password-1")
    customer.save()
    signed_in.force_login(customer)
    url = reverse("customer:profile-delete")
    wrong = signed_in.post(url, {"password": "nope"})
    assert "密码不对，账户没有注销" in html(wrong)
    assert User.objects.filter(pk=customer.pk).exists()
    gone = signed_in.post(url, {"password": "old-password-1"}, follow=True)
    assert "账户已注销" in text(gone)
    assert not User.objects.filter(pk=customer.pk).exists()


def test_sign_up_sends_a_chinese_welcome_with_the_real_address(client, mailoutbox, settings):
    settings.SHOP_BASE_URL = "https://shop.521nongzhu.cn"
    client.post(
        reverse("customer:register"),
        {"email": "lin@example.cn", "password1": "yard-eggs-2026", "password2": "yard-eggs-2026"},
    )
    (mail,) = mailoutbox
    assert mail.subject == "欢迎来到 521助农小店"
    assert "https://shop.521nongzhu.cn/shop/accounts/orders/" in mail.body
    assert mail.body.rstrip().endswith("521助农小店") and "example.com" not in mail.body


@pytest.mark.parametrize(
    "path", ["emails/", "emails/3/", "notifications/", "notifications/inbox/", "alerts/"]
)
def test_sections_the_shop_does_not_offer_lead_to_my_orders(signed_in, path):
    response = signed_in.get(f"/shop/accounts/{path}")
    assert response.status_code == 302
    assert response["Location"] == reverse("customer:order-list")
