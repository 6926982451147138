"""One editing session, one page: the admin's create form may be posted more than once.

Wagtail's autosave posts the "add page" form in the background; the first post that
passes creates the page as a draft, and only when its answer reaches the browser does
the form switch to the draft's edit address. Whatever the editor clicks meanwhile
(保存计划, 保存草稿, 发布) posts the same form to the create address again, and Wagtail's
create view makes another page each time.

The shop's page form carries a key made when the form was opened (``editing_key``,
``content.models.ShopAwarePageForm``). The first post with a key records the page it
created (``EditingSession``); a later post with the same key, from the same editor,
is handed to that page's edit view. Two posts that arrive together are put in order
by the key's unique row: the second waits for the first to commit, then edits.
"""

import json
import re

from django.db import transaction
from django.http import JsonResponse
from django.urls import resolve, reverse
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.models import Page

from content.models import EditingSession, ShopAwarePage

KEY = re.compile(r"[0-9a-f]{32}")


class OnePagePerSessionCreateView(CreateView):
    def post(self, request):
        key = request.POST.get("editing_key", "")
        if not KEY.fullmatch(key):
            return super().post(request)
        with transaction.atomic():
            session, _ = EditingSession.objects.select_for_update().get_or_create(
                key=key, defaults={"user": request.user}
            )
            if session.user_id != request.user.pk:
                return super().post(request)  # not this editor's form: a page of their own
            if session.page_id is not None:
                return self.edit_instead(session.page_id)
            response = super().post(request)
            if self.page.pk is not None:
                session.page_id = self.page.pk
                session.save(update_fields=["page"])
        return response

    def edit_instead(self, page_id):
        """The page this form already created takes the post, as its edit form would."""
        page = Page.objects.get(pk=page_id).specific
        data = self.request.POST.copy()
        slug = data.get("slug")
        if slug and slug != page.slug and not Page._slug_is_available(slug, self.parent_page, page):
            # The first post moved the page to a free slug (``-2``) and this post left
            # before the form heard of it: keep the page's slug, as the autosave said.
            data["slug"] = page.slug
        self.request.POST = data
        edit_url = reverse("wagtailadmin_pages:edit", args=[page_id])
        response = resolve(edit_url).func(self.request, page_id=page_id)
        if self.expects_json_response and self.response_is_json(response):
            answer = json.loads(response.content)
            if answer.get("success"):
                # As after a create: the browser's form moves to the edit address.
                answer["url"] = edit_url
                answer["hydrate_url"] = f"{edit_url}?_w_hydrate_create_view=1"
                answer.pop("html", None)
            return JsonResponse(answer, status=response.status_code)
        return response


class ShopPageViewSet(PageViewSet):
    """Wagtail's page views for the shop's pages, with the create view above."""

    model = ShopAwarePage
    add_view_class = OnePagePerSessionCreateView

    @property
    def parent_models(self):
        return []  # the explorer's listings stay Wagtail's own
