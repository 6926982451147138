"""``{% same_for_everyone %}…{% end_same_for_everyone %}``: parts of the header and footer
rendered once per worker, language and site chrome (``content.context_processors``).

Every page that is not served from the page cache (basket, checkout, account) renders the
header and footer again, and their links, labels and category list were about a fifth of
the work of a checkout step. What is inside the tag may depend only on the language and
on ``chrome``: never on the user, the basket or the request, which stay outside it.

``{% personal_part "tools" %}``: one of a page's personal parts (the header's account
links and basket count, the tab bar's count: ``PERSONAL_PARTS`` in
shop/speed/page_cache.py). For a guest it is the same on every page with that path,
language and count, so it is drawn once per worker and shared with the stored pages'
parts (``page_cache.guest_part``); for someone signed in it is drawn every time.
"""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from shop.speed import page_cache

register = template.Library()

_rendered = {}
_MAX_ENTRIES = 256  # fragments × languages × chrome versions; starts again when full


class SameForEveryoneNode(template.Node):
    def __init__(self, nodelist, place):
        self.nodelist = nodelist
        self.place = place

    def render(self, context):
        if settings.DEBUG:  # runserver reloads edited templates without restarting
            return self.nodelist.render(context)
        chrome = context.get("chrome") or {}
        key = (
            self.place,
            get_language(),
            tuple((c["name"], c["url"]) for c in chrome.get("categories", ())),
            chrome.get("story_index_url", ""),
        )
        html = _rendered.get(key)
        if html is None:
            html = mark_safe(self.nodelist.render(context))
            if len(_rendered) >= _MAX_ENTRIES:
                _rendered.clear()
            _rendered[key] = html
        return html


@register.tag
def same_for_everyone(parser, token):
    nodelist = parser.parse(("end_same_for_everyone",))
    parser.delete_first_token()
    origin = getattr(parser, "origin", None)
    place = (getattr(origin, "name", ""), token.lineno)
    return SameForEveryoneNode(nodelist, place)


class PersonalPartNode(template.Node):
    def __init__(self, name):
        self.name = name

    def render(self, context):
        part = context.template.engine.get_template(page_cache.PERSONAL_PARTS[self.name])
        request, user = context.get("request"), context.get("user")
        count_of = getattr(request, "basket_count", None)
        if settings.DEBUG or count_of is None or user is None or user.is_authenticated:
            return part.render(context)
        count = context.get("basket_count")
        if count is None:
            count = count_of()

        def draw():
            with context.push(basket_count=count):
                return part.render(context)

        return page_cache.guest_part(request, self.name, count, draw)


@register.tag
def personal_part(parser, token):
    try:
        _, quoted = token.split_contents()
    except ValueError:
        raise template.TemplateSyntaxError("personal_part takes one part name") from None
    name = quoted.strip("\"'")
    if name not in page_cache.PERSONAL_PARTS:
        raise template.TemplateSyntaxError(f"personal_part: no personal part named {name!r}")
    return PersonalPartNode(name)
