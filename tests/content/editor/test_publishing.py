"""Saving and publishing in the admin: the editor waits for the page, the worker for the rest."""

import pytest
from django.urls import reverse

from content.models import ProductMention
from shop.search.models import SearchDocument
from tests.content.editor.admin_post import page_form_data

pytestmark = pytest.mark.django_db


def test_publish_in_the_admin_leaves_search_and_mentions_to_the_worker(
    editor_client, editor, spotlight_story, eggs, django_capture_on_commit_callbacks
):
    story = spotlight_story
    SearchDocument.objects.filter(kind="story").delete()
    ProductMention.objects.all().delete()
    data = page_form_data(story, story.get_parent(), editor, title="王大姐的鸡蛋又进城了")
    data["action-publish"] = "action-publish"
    url = reverse("wagtailadmin_pages:edit", args=[story.pk])

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = editor_client.post(url, data)
    assert response.status_code == 302
    # Nothing slow happened inside the editor's request ...
    assert not SearchDocument.objects.filter(kind="story", object_id=story.pk).exists()
    assert not ProductMention.objects.exists()
    assert queued, "the search and mention updates are queued for after the commit"

    for callback in queued:  # ... the worker (eager in tests) does it after the commit
        callback()
    document = SearchDocument.objects.get(kind="story", object_id=story.pk)
    assert document.title == "王大姐的鸡蛋又进城了"
    assert list(ProductMention.objects.values_list("product_id", flat=True)) == [eggs.pk]
