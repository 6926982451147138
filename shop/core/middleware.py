"""Language comes from the URL alone: no prefix means Chinese, ``/en/`` means English.

Django's LocaleMiddleware would fall back to the browser's Accept-Language for
unprefixed URLs, so the same URL could answer in two languages. Tying language
to the path keeps links shareable in WeChat and lets pages be cached per URL.
"""

from contextlib import ExitStack

from django.conf import settings
from django.db import connections
from django.http import HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import get_language_from_path
from django.utils.translation import gettext as _

from shop.speed import flatten_active, page_cache


class URLLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        translation.activate(language)
        flatten_active()
        request.LANGUAGE_CODE = translation.get_language()


class RefuseNulMiddleware:
    """A NUL byte in the address, the query or a posted field is answered 400 at once.

    PostgreSQL refuses text holding a NUL, so one that reached a query was a 500
    (``/shop/villages/%00/``, a search for ``%00``, a posted code); no browser sends one.
    Uploaded files are not looked at here (the stock import reports NULs by row).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self.has_nul(request):
            return HttpResponseBadRequest(
                _("请求里有不允许的字符（NUL），请检查后重试。"),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)

    @staticmethod
    def has_nul(request):
        if "\x00" in request.path_info:
            return True
        for data in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
            for key, values in data.lists():
                if "\x00" in key or any("\x00" in value for value in values):
                    return True
        return False


class PageCacheMiddleware:
    """Serves and stores whole pages; the rules live in shop/speed/page_cache.py.

    It works in ``process_view`` so it knows which view a URL resolved to, and
    sits last in ``MIDDLEWARE`` so sessions, CSRF and the basket are already set
    up around it (a hit still gets its CSRF cookie from CsrfViewMiddleware).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        page_cache.finish(request, response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not page_cache.request_is_cacheable(request):
            return None
        return page_cache.lookup(request)


class QueryCountHeaderMiddleware:
    """Benchmarks only (BENCH_MODE): reports the request's SQL query count in a header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):

        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with ExitStack() as stack:
            for conn in connections.all():
                stack.enter_context(conn.execute_wrapper(counter))
            response = self.get_response(request)
        response["X-SQL-Queries"] = str(count[0])
        return response
