"""Language comes from the URL alone: no prefix means Chinese, ``/en/`` means English.

Django's LocaleMiddleware would fall back to the browser's Accept-Language for
unprefixed URLs, so the same URL could answer in two languages. Tying language
to the path keeps links shareable in WeChat and lets pages be cached per URL.
"""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import get_language_from_path


class URLLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        language = get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
