"""How long an editor waits when saving and publishing a story in the Wagtail admin.

Uses the demo database (``manage.py load_demo`` first; ``DATABASE_URL`` or
``data/db.sqlite3``), logs in as the demo editor, and posts a demo story's edit form
through Django's test client five times each as "save draft" and as "publish",
printing the median and range. Celery runs as configured: with no broker the
background work runs in-process after the response would have gone, and is timed
apart ("worker"). Never fails on speed.

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
        times = []
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
            print(
                f"  {action} {i + 1}: post {posted * 1000:.0f} ms, with the next page {times[-1] * 1000:.0f} ms"
            )
        return times

    for action in ("save", "publish"):
        times = timed(action)
        print(
            f"{action:8} median {statistics.median(times) * 1000:6.0f} ms   "
            f"range {min(times) * 1000:.0f}–{max(times) * 1000:.0f} ms   (n={len(times)}, story {story.slug})"
        )


if __name__ == "__main__":
    main()
