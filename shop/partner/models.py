"""Work teams (驻村工作队) are Oscar partners: they own products and stock."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractPartner


class Partner(AbstractPartner):
    slug = models.SlugField(_("网址名"), max_length=80, blank=True, allow_unicode=True)
    institution = models.CharField(_("派出单位"), max_length=128, blank=True)
    description = models.TextField(_("简介"), blank=True)
    contact_name = models.CharField(_("联系人"), max_length=32, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)


from oscar.apps.partner.models import *  # noqa: E402,F401,F403
