"""Admin wiring: choosers for shop objects inside StreamField blocks."""

from wagtail import hooks

from content.choosers import ALL as CHOOSERS


@hooks.register("register_admin_viewset")
def register_shop_choosers():
    return CHOOSERS
