"""Work that follows an editor's save or publish, done by a Celery worker.

An editor waits for the page and its revision to be written, nothing else: the
site search document (jieba and pypinyin, seconds when their dictionaries are
cold), Wagtail's own admin search index and the product mentions are brought up
to date here, after the transaction commits (``content.receivers``). Each task
reads the page as it is when it runs, so a late or repeated task is harmless.
"""

from celery import shared_task


@shared_task
def refresh_story(page_id):
    """A story was published: its site search document and product mentions follow."""
    from catalogue import search_index
    from content.models import StoryPage
    from content.selectors import sync_product_mentions

    story = StoryPage.objects.filter(pk=page_id).first()
    if story is not None and story.live:
        sync_product_mentions(story)
    search_index.index_story(page_id)


@shared_task
def update_admin_search(app_label, model_name, page_id):
    """Wagtail's page search (the admin's page finder) learns the page's new title and text."""
    from django.apps import apps
    from modelsearch import index

    page = apps.get_model(app_label, model_name).objects.filter(pk=page_id).first()
    if page is not None:
        index.insert_or_update_object(page)
