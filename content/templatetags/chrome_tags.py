"""``{% same_for_everyone %}…{% end_same_for_everyone %}``: parts of the header and footer
rendered once per worker, language and site chrome (``content.context_processors``).
``{% frame_part "name" %}``: the parts of a framed page drawn for each request.

Every page that is not served from the page cache (basket, checkout, account) renders the
header and footer again, and their links, labels and category list were about a fifth of
the work of a checkout step. What is inside the tag may depend only on the language and
on ``chrome``: never on the user, the basket or the request, which stay outside it.
"""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from shop.speed import frames

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


class FramePartNode(template.Node):
    def __init__(self, template_name):
        self.template_name = template_name

    def render(self, context):
        if context.get(frames.DRAWING):
            return mark_safe(frames.part_mark(self.template_name))
        return context.template.engine.get_template(self.template_name).render(context)


@register.tag
def frame_part(parser, token):
    """``{% frame_part "template.html" %}``: an ``{% include %}`` of that template (with the
    page's context, never a ``with``), and in a page drawn by ``shop.speed.frames`` the
    part of it drawn for each request while the frame around it is kept per worker."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError("frame_part takes one quoted template name")
    return FramePartNode(bits[1][1:-1])
