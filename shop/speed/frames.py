"""Personal pages drawn inside a frame each worker keeps: ``FramedResponse``.

The basket and the order confirmation are someone's own, so the page cache never stores
them (shop/speed/page_cache.py). Yet most of what such a page draws is the same for
everyone who opens it in that language: the document head, the header, the footer, the
scripts. That *frame* is drawn once per worker with every ``{% frame_part "name" %}``
(chrome_tags) left as a mark, and each request draws only those parts, with the page's
whole context, plus what the page cache draws again into a stored page for each buyer:
the header's personal parts, the CSRF token and the Content-Security-Policy nonce.

A frame is kept per template, host, script prefix, path and language, and for one page
cache generation: anything that changes what a buyer sees on the public pages (a category,
a Wagtail page, a product) makes a new one. It is drawn as for a visitor nobody knows
(``user`` is anonymous), so what a template shows outside its parts may depend on nothing
but the page and the language; who is signed in and the basket's count are personal parts
(``page_cache.PERSONAL_PARTS``), the flashed messages and the page's own body are frame
parts. A part is drawn with the page's context, not with variables a ``{% with %}``
around it sets.
"""

import re

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.middleware.csrf import get_token
from django.template.context import make_context
from django.template.response import TemplateResponse
from django.urls import get_script_prefix
from django.utils.translation import get_language

from shop.speed import page_cache, request_cache

DRAWING = "drawing_frame"  # set in the context while a frame is drawn
FRAMES_KEPT = 64  # templates × paths × languages; starts again when full

_frames = {}
request_cache.keeps_local_state(_frames.clear)

_PART, _PERSONAL, _NONCE, _CSRF = "part", "personal", "nonce", "csrf"
# The page cache's placeholders for the CSRF token and the nonce (``storable_copy``).
_MARKS_RE = re.compile(
    r"<!--frame-part:(?P<part>[^>]+?)-->"
    r"|<!--personal:(?P<personal>[a-z-]+)-->.*?<!--/personal-->"
    rf"|(?P<nonce>{re.escape(page_cache.NONCE_PLACEHOLDER.decode())})"
    rf"|(?P<csrf>{re.escape(page_cache.CSRF_PLACEHOLDER)})",
    re.S,
)


def part_mark(template_name):
    """What a frame holds where the part ``template_name`` is drawn for each request."""
    return f"<!--frame-part:{template_name}-->"


class FramedResponse(TemplateResponse):
    """A ``TemplateResponse`` drawing its template inside the frame this worker keeps."""

    @property
    def rendered_content(self):
        template = self.resolve_template(self.template_name)
        page = template.template
        context = make_context(
            self.resolve_context(self.context_data),
            self._request,
            autoescape=template.backend.engine.autoescape,
        )
        # What ``Template.render`` does, kept open so the parts are drawn in the same
        # context: the context processors run once for the frame and all its parts.
        with context.render_context.push_state(page), context.bind_template(page):
            context.template_name = page.name
            pieces = _frame(self._request, page, context)
            personal = page_cache.personal_parts_for(self._request)
            drawn = []
            for kind, value in pieces:
                if kind is None:
                    drawn.append(value)
                elif kind == _PART:
                    drawn.append(page.engine.get_template(value).render(context))
                elif kind == _PERSONAL:
                    drawn.append(personal(value, None))
                elif kind == _NONCE:
                    drawn.append(f'nonce="{self._request.csp_nonce}"')
                else:
                    drawn.append(get_token(self._request))
            return "".join(drawn)


def _frame(request, page, context):
    """The frame of ``page`` for this request: a list of (kind, value), text where kind is
    None, else what is drawn there for each request."""
    key = (
        page.name,
        request.get_host(),
        get_script_prefix(),
        request.path,
        get_language(),
        page_cache.request_generation(),
    )
    pieces = None if settings.DEBUG else _frames.get(key)
    if pieces is None:
        with context.push({DRAWING: True, "user": AnonymousUser()}):
            html = page._render(context)
        kept = page_cache.storable_copy(request, html.encode())
        # A frame showing a CSRF token outside a form is drawn for this request only.
        pieces = _pieces(html if kept is None else kept.decode())
        if kept is not None and not settings.DEBUG:  # DEBUG: edited templates show at once
            if len(_frames) >= FRAMES_KEPT:
                _frames.clear()
            _frames[key] = pieces
    return pieces


def _pieces(html):
    pieces, at = [], 0
    for found in _MARKS_RE.finditer(html):
        pieces.append((None, html[at : found.start()]))
        kind = found.lastgroup
        if kind == _PERSONAL and found.group(kind) not in page_cache.PERSONAL_PARTS:
            kind = None  # not one of ours (text an editor wrote): left as it is
        pieces.append((kind, found.group(kind or 0)))
        at = found.end()
    pieces.append((None, html[at:]))
    return [(kind, value) for kind, value in pieces if kind or value]
