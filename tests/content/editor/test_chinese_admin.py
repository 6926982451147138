"""The editor's admin speaks Chinese: every label, help text, choice and message of ours.

The strings to check are gathered from the code itself (our page models' fields,
panels and verbose names, every block's label, help text and choices, the choosers'
texts), so a new field or block with an English label fails here. Each add and
edit form is rendered for a logged-in editor in zh-hans; the English admin
(an editor whose admin language is English) gets the English of the same strings.
"""

import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_str
from wagtail import blocks
from wagtail.fields import StreamField
from wagtail.models import Page

from content import choosers
from content import models as content_models

pytestmark = pytest.mark.django_db

LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
PAGE_MODELS = [
    content_models.HomePage,
    content_models.StoryIndexPage,
    content_models.StoryPage,
    content_models.NewsIndexPage,
    content_models.NewsPage,
    content_models.StandardPage,
    content_models.ImpactPage,
]
PAGE_FIELD_NAMES = {f.name for f in Page._meta.get_fields()}


def _block_strings(block, seen):
    if id(block) in seen:
        return
    seen.add(id(block))
    yield block.label
    if getattr(block.meta, "help_text", None):
        yield block.meta.help_text
    if isinstance(block, blocks.ChoiceBlock):
        for _value, label in block.field.choices:
            yield label
    if isinstance(block, blocks.FieldBlock) and block.field.help_text:
        yield block.field.help_text
    if isinstance(block, (blocks.StructBlock, blocks.StreamBlock)):
        for child in block.child_blocks.values():
            if type(child).__module__.startswith("wagtail."):  # Wagtail's own parts of ImageBlock
                if isinstance(block, blocks.StructBlock) and not type(block).__module__.startswith(
                    "content."
                ):
                    continue
            yield from _block_strings(child, seen)
    if isinstance(block, blocks.ListBlock):
        yield from _block_strings(block.child_block, seen)


def our_strings(model):
    """(where, text) for everything of ours an editor reads on ``model``'s edit form."""
    out = [(f"{model.__name__}.verbose_name", model._meta.verbose_name)]
    for field in model._meta.get_fields():
        if field.name in PAGE_FIELD_NAMES or not getattr(field, "concrete", False):
            continue
        if field.name.endswith("_ptr") or not field.editable:
            continue
        out.append((f"{model.__name__}.{field.name}", field.verbose_name))
        if field.help_text:
            out.append((f"{model.__name__}.{field.name}.help_text", field.help_text))
        for _value, label in field.flatchoices or []:
            out.append((f"{model.__name__}.{field.name}.choice", label))
        if isinstance(field, StreamField):
            for text in _block_strings(field.stream_block, set()):
                out.append((f"{model.__name__}.{field.name} block", text))
    for panel in model.content_panels:
        if getattr(panel, "heading", ""):
            out.append((f"{model.__name__} panel", panel.heading))
    return [(where, force_str(text)) for where, text in out if text]


def chooser_strings():
    out = []
    for viewset in choosers.ALL:
        for attr in ("choose_one_text", "choose_another_text", "edit_item_text"):
            out.append((f"{viewset.name}.{attr}", force_str(getattr(viewset, attr))))
        form = viewset.choose_view_class.filter_form_class()
        out.append((f"{viewset.name} search", force_str(form.fields["q"].label)))
        out.append(
            (f"{viewset.name} placeholder", force_str(form.fields["q"].widget.attrs["placeholder"]))
        )
    return out


def visible_text(html):
    html = re.sub(r"<script.*?</script>|<style.*?</style>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def message_strings():
    """Validation and other messages the content app shows editors."""
    return [
        ("slug taken", force_str(content_models.SLUG_TAKEN_MESSAGE)),
        ("slug moved", force_str(content_models.SLUG_MOVED_MESSAGE)),
        ("two-person review", force_str(content_models.TwoPersonReviewTask.get_description())),
        ("two-person review", force_str(content_models.TwoPersonReviewTask._meta.verbose_name)),
    ]


def test_every_label_help_text_choice_and_message_of_ours_is_chinese():
    strings = (
        [s for model in PAGE_MODELS for s in our_strings(model)]
        + chooser_strings()
        + message_strings()
    )
    assert len(strings) > 60  # the gathering found the blocks, not only a few fields
    english = [
        (where, text) for where, text in strings if LATIN_WORD.search(PLACEHOLDER.sub("", text))
    ]
    assert english == []


def _edit_and_add_urls():
    urls = []
    for model in PAGE_MODELS:
        page = model.objects.first()
        urls.append((model, reverse("wagtailadmin_pages:edit", args=[page.pk])))
        parent = page.get_parent().specific
        if model.can_create_at(parent):
            meta = model._meta
            urls.append(
                (
                    model,
                    reverse(
                        "wagtailadmin_pages:add",
                        args=[meta.app_label, meta.model_name, parent.pk],
                    ),
                )
            )
    return urls


@pytest.fixture
def one_of_each(home_page, story_index, eggs, household):
    from content.models import ImpactPage, NewsIndexPage, NewsPage, StandardPage
    from tests.content.conftest import make_story

    make_story(story_index, slug="one")
    news = NewsIndexPage(title="新闻", slug="news")
    home_page.add_child(instance=news)
    news.add_child(instance=NewsPage(title="展销会", slug="fair", summary="周六展销", body=[]))
    home_page.add_child(instance=StandardPage(title="关于我们", slug="about", intro="", body=[]))
    home_page.add_child(instance=ImpactPage(title="帮扶成效", slug="impact"))


def test_every_add_and_edit_form_shows_our_strings_in_chinese_only(editor_client, one_of_each):
    checked = 0
    for model, url in _edit_and_add_urls():
        response = editor_client.get(url)
        assert response.status_code == 200, url
        html = unescape(response.content.decode())
        text = visible_text(response.content.decode())
        for where, chinese in our_strings(model):
            with translation.override("en"):
                english = force_str(dict(our_strings(model))[where])
            if english != chinese:
                assert english not in text, f"{url}: {where} shows English “{english}”"
            # labels, help texts and panel headings are on the page or in the block definitions
            if "choice" not in where and "block" not in where:
                assert chinese in html, f"{url}: {where} “{chinese}” is missing"
        checked += 1
    assert checked >= 12


def test_editor_with_english_admin_sees_our_labels_in_english(editor_client, editor, one_of_each):
    from wagtail.users.models import UserProfile

    UserProfile.get_for_user(editor).__class__.objects.filter(user=editor).update(
        preferred_language="en"
    )
    story = content_models.StoryPage.objects.first()
    text = visible_text(
        editor_client.get(reverse("wagtailadmin_pages:edit", args=[story.pk])).content.decode()
    )
    assert "Cover image" in text and "Summary" in text
    assert "封面图" not in text
