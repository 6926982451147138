"""Wagtail's image, document, snippet and redirect apps without the v3 API they register.

On start-up (``AppConfig.ready``) each of these Wagtail apps adds its router and schemas
to Wagtail's v3 API, whether or not a project serves that API. Loading it pulls in
django-ninja, pydantic and (for redirects) Django REST framework: about 600 modules and
a second of every worker's start-up, and their memory in every worker, for addresses the
shop never mounts (shop/urls.py serves the CMS admin and the pages, not ``api/v3/``).

While ``wagtail.api.v3`` is not in INSTALLED_APPS, the configs below run Wagtail's own
``ready`` with the v3 API modules it imports answered by stand-ins that register nothing;
everything else those ``ready`` methods do (permissions, signals, reference index, admin
display classes) runs unchanged. Installing ``wagtail.api.v3`` (and mounting its URLs)
brings the registrations back with no other change.
"""

from __future__ import annotations

import sys
import types
from contextlib import contextmanager

from django.apps import apps
from wagtail.contrib.redirects.apps import WagtailRedirectsAppConfig
from wagtail.documents.apps import WagtailDocsAppConfig
from wagtail.images.apps import WagtailImagesAppConfig
from wagtail.snippets.apps import WagtailSnippetsAppConfig

API_APP = "wagtail.api.v3"


class _UnmountedAPI:
    """Takes the routers Wagtail's apps hand to the v3 API and keeps none of them."""

    def add_router(self, prefix, router, *args, **kwargs):
        return None


def _register_nothing():
    return None


@contextmanager
def v3_api_left_out(*modules):
    """Answer ``modules`` (the v3 API and an app's router/registry modules) with stand-ins
    while the block runs, then forget them, so a later real import still works."""
    stand_ins = {}
    for name in ("wagtail.api.v3.api", *modules):
        if name in sys.modules:  # already really loaded: nothing to save, use it
            continue
        module = types.ModuleType(name, "stand-in: the Wagtail v3 API is not served")
        module.api = _UnmountedAPI()
        module.router = None
        module.register_content_types = _register_nothing
        stand_ins[name] = module
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


def _ready_without_api(config, parent, modules):
    if apps.is_installed(API_APP):
        parent.ready(config)
        return
    with v3_api_left_out(*modules):
        parent.ready(config)


class RedirectsConfig(WagtailRedirectsAppConfig):
    def ready(self):
        _ready_without_api(self, WagtailRedirectsAppConfig, ["wagtail.contrib.redirects.api.v3"])


class ImagesConfig(WagtailImagesAppConfig):
    def ready(self):
        _ready_without_api(
            self,
            WagtailImagesAppConfig,
            ["wagtail.images.api.v3.registry", "wagtail.images.api.v3.router"],
        )


class DocumentsConfig(WagtailDocsAppConfig):
    def ready(self):
        _ready_without_api(
            self,
            WagtailDocsAppConfig,
            ["wagtail.documents.api.v3.registry", "wagtail.documents.api.v3.router"],
        )


class SnippetsConfig(WagtailSnippetsAppConfig):
    def ready(self):
        _ready_without_api(
            self,
            WagtailSnippetsAppConfig,
            ["wagtail.snippets.api.v3", "wagtail.snippets.api.v3.router"],
        )
