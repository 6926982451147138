"""An editor writes a story with a product list and a household spotlight in the admin,
previews it at phone width and as a WeChat card, schedules it and publishes it; the
scheduled story goes live when its time comes (``publish_scheduled``, run by beat)."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from content.models import StoryPage
from tests.browser.conftest import ARTIFACTS
from tests.content.editor.conftest import editor, household, story_index, village  # noqa: F401

expect = pytest.importorskip("playwright.sync_api").expect

SEARCH = "名称、村名，也可以输入拼音或首字母"
SHOTS = ARTIFACTS / "editor-story"


@pytest.fixture
def desk_page(phone_page):
    """The admin at desktop width (editors write at a desk); readers' pages stay phone-sized."""
    phone_page.set_viewport_size({"width": 1280, "height": 900})
    # The admin's preview renders the story on each change; on a busy CI machine that
    # can take longer than Playwright's 5 s.
    expect.set_options(timeout=20000)
    yield phone_page
    expect.set_options(timeout=5000)


def choose(page, button, query, name):
    page.get_by_role("button", name=button).last.click()
    modal = page.locator(".modal")
    modal.get_by_placeholder(SEARCH).fill(query)
    expect(modal.get_by_role("link", name=name).first).to_be_visible()
    expect(modal.locator("tbody tr")).to_have_count(1, timeout=10000)  # the pinyin search ran
    modal.get_by_role("link", name=name).first.click()
    expect(modal).to_be_hidden()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_editor_writes_previews_schedules_and_publishes_a_story(
    live_server,
    desk_page,
    editor,  # noqa: F811
    story_index,  # noqa: F811
    eggs,
    household,  # noqa: F811
    run,
):
    page = desk_page
    SHOTS.mkdir(parents=True, exist_ok=True)
    household.story = "六十只土鸡满山坡跑。"
    household.save()
    page.goto(live_server.url + "/cms/login/")
    page.fill("#id_username", editor.username)
    page.fill("#id_password", "pass-1234")
    page.locator("button[type=submit]").click()
    page.wait_for_url("**/cms/")

    page.goto(live_server.url + f"/cms/pages/add/content/storypage/{story_index.pk}/")
    page.fill("#id_title", "王大姐的鸡蛋进城了")
    page.fill("#id_summary", "王大姐家养了六十只土鸡，鸡蛋每周六跟着工作队的车进城。")
    page.locator(".c-sf-add-button").first.click()
    page.get_by_role("option", name="产品列表").click()
    choose(page, "选择产品", "jidan", "散养土鸡蛋")
    page.locator(".c-sf-add-button").last.click()
    page.get_by_role("option", name="农户故事").click()
    choose(page, "选择农户", "wdj", "王大姐家")

    # Preview: a phone-width frame showing the cards as a reader will see them.
    page.get_by_role("button", name="预览开关").click()
    frame = page.frame_locator("iframe#w-preview-iframe")
    expect(frame.locator(".product-grid--story")).to_contain_text("散养土鸡蛋")
    expect(frame.locator(".product-grid--story")).to_contain_text("截止下单")
    expect(frame.locator(".household-spotlight")).to_contain_text("六十只土鸡满山坡跑。")
    # The admin may swap the frame for a fresh one (autosave redraws the panel): read the
    # width from whichever frame is there once it has a window.
    width = None
    for _ in range(20):
        width = page.locator("iframe#w-preview-iframe").evaluate(
            "f => f.contentWindow ? f.contentWindow.innerWidth : null"
        )
        if width is not None:
            break
        page.wait_for_timeout(500)
    assert width == 390
    # When the autosave makes the draft, the admin redraws its side panels as the edit
    # view's, which resets the preview mode: an editor would pick it again, and so do we.
    for attempt in range(3):
        page.locator("#id_preview_mode").select_option(label="微信分享卡片")
        try:
            expect(frame.locator("[data-share-card]")).to_contain_text(
                "王大姐的鸡蛋进城了", timeout=10000
            )
            break
        except AssertionError:
            if attempt == 2:
                raise

    # Schedule it for tomorrow morning, then publish: it waits for its time.
    go_live = timezone.localtime() + datetime.timedelta(days=1)
    page.get_by_role("button", name="状态开关").click()
    page.locator("[data-a11y-dialog-show='schedule-publishing-dialog']").first.click()
    dialog = page.locator("#schedule-publishing-dialog")
    dialog.locator("input[name='go_live_at']").fill(go_live.strftime("%Y-%m-%d %H:%M"))
    # Close the date picker, which can lie over the save button: click the dialog's title
    # (a Tab would open the next field's picker instead).
    dialog.locator(".w-dialog__title").click()
    pickers = page.locator(".xdsoft_datetimepicker:visible")
    try:
        expect(pickers).to_have_count(0, timeout=5000)
    except AssertionError:
        pickers.evaluate_all("pickers => pickers.forEach(p => { p.style.display = 'none'; })")
    page.screenshot(path=str(SHOTS / "schedule-dialog.png"))
    # 保存计划 saves the draft with its schedule. The autosave may have made the draft
    # already, or be making it right now: either way the save lands on that draft.
    # Pressed from the keyboard: a picker that opens again cannot catch the click.
    dialog.locator("button.action-save").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("王大姐的鸡蛋进城了")
    page.wait_for_url("**/edit/**")
    page.locator("footer [data-w-dropdown-target='toggle']").click()
    page.locator("button[name='action-publish']").click()
    page.wait_for_url(re.compile(r"/cms/pages/\d+/$"))  # back in the stories' listing
    expect(page.locator(".messages")).to_contain_text("王大姐的鸡蛋进城了")

    story = StoryPage.objects.get(title="王大姐的鸡蛋进城了")  # one story, not two
    assert not story.live
    revision = story.scheduled_revision
    assert revision is not None and revision.approved_go_live_at is not None
    page.goto(live_server.url + story_index.url + story.slug + "/")
    assert "王大姐的鸡蛋进城了" not in page.title()

    # Its time comes: the beat job publishes it, and a reader on a phone sees the cards.
    # (moving its time to a minute ago stands in for waiting until tomorrow)
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    StoryPage.objects.filter(pk=story.pk).update(go_live_at=past)
    call_command("publish_scheduled")
    story.refresh_from_db()
    assert story.live
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + story.url)
    card = page.locator(".product-grid--story .product-card").first
    expect(card).to_contain_text("散养土鸡蛋")
    assert card.bounding_box()["width"] > 300  # the card fills the phone, not half of it
    expect(page.locator(".household-spotlight")).to_contain_text("王大姐家")
    page.screenshot(path=str(SHOTS / "story-on-a-phone.png"), full_page=True)
