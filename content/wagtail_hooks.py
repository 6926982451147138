"""Admin wiring: choosers for shop objects inside StreamField blocks, editor messages."""

from django.contrib import messages
from wagtail import hooks

from content.choosers import ALL as CHOOSERS
from content.editing import ShopPageViewSet
from content.models import SLUG_MOVED_MESSAGE


@hooks.register("register_admin_viewset")
def register_shop_choosers():
    return CHOOSERS


@hooks.register("register_admin_viewset")
def register_shop_page_views():
    """The shop's pages: one editing session creates one page (``content.editing``)."""

    return ShopPageViewSet("shop_pages")


@hooks.register("after_create_page")
def tell_when_the_slug_moved(request, page):
    """A new page whose slug was taken (often by an autosaved draft) got ``-2``; say so."""

    taken = getattr(page, "slug_taken", None)
    if taken and request.accepts("text/html"):
        messages.warning(request, SLUG_MOVED_MESSAGE % {"taken": taken, "slug": page.slug})
