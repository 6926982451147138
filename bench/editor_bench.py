"""How long an editor waits when saving and publishing a story in the Wagtail admin.

Uses the demo database (``manage.py load_demo`` first; ``DATABASE_URL`` or
``data/db.sqlite3``), logs in as the demo editor, and posts a demo story's edit form
through Django's test client five times each as "save draft" and as "publish",
printing the median and range of the editor's wait: the POST, and the POST with the
page it redirects to. Background work is a worker's, as in production: whatever the
request queues (``task.delay``, on commit) is held while the request is timed, then
run in this process and timed apart ("worker"); with a broker configured it is the
same, nothing is sent to it. Never fails on speed.

    .venv/bin/python bench/editor_bench.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.dev")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--slug", default="")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    from celery.app.task import Task

    queued = []

    def hold(task, args=None, kwargs=None, **options):
        queued.append((task, args or (), kwargs or {}))

    Task.apply_async = hold  # .delay() goes through apply_async

    def run_worker():
        start = time.perf_counter()
        while queued:
            task, args, kwargs = queued.pop(0)
            task.apply(args=args, kwargs=kwargs, throw=True)
        return time.perf_counter() - start

    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from content.models import StoryPage
    from tests.content.editor.admin_post import page_form_data

    editor = get_user_model().objects.get(email="editor@example.cn")
    stories = StoryPage.objects.live().order_by("pk")
    story = stories.get(slug=args.slug) if args.slug else stories.first()
    client = Client()
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:edit", args=[story.pk])
    client.get(url)  # warm the imports and dictionaries once, as a running server has

    def timed(action):
        times, posts, worker = [], [], []
        for i in range(args.rounds):
            page = StoryPage.objects.get(pk=story.pk).get_latest_revision_as_object()
            data = page_form_data(
                page, page.get_parent(), editor, summary=f"{page.summary[:150]} {action}{i}"
            )
            if action == "publish":
                data["action-publish"] = "action-publish"
            start = time.perf_counter()
            response = client.post(url, data)
            posted = time.perf_counter() - start
            if response.status_code != 302:
                raise SystemExit(f"{action} failed: {response.status_code}")
            client.get(response["Location"])  # the page the editor lands on
            times.append(time.perf_counter() - start)
            posts.append(posted)
            worker.append(run_worker())
            print(
                f"  {action} {i + 1}: post {posted * 1000:.0f} ms, with the next page "
                f"{times[-1] * 1000:.0f} ms; worker afterwards {worker[-1] * 1000:.0f} ms"
            )
        return times, posts, worker

    def line(label, values):
        return (
            f"{label:28} median {statistics.median(values) * 1000:6.0f} ms   "
            f"range {min(values) * 1000:.0f}–{max(values) * 1000:.0f} ms"
        )

    run_worker()  # what the warm-up queued
    for action in ("save", "publish"):
        times, posts, worker = timed(action)
        print(f"{action} (n={len(times)}, story {story.slug}):")
        print(line("  editor: post", posts))
        print(line("  editor: post + next page", times))
        print(line("  worker (not waited for)", worker))


if __name__ == "__main__":
    main()
