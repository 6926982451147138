"""``{% institution_progress user as rows %}``: the buyer's institutions with their
yearly target progress, for the account page."""

from django import template

from shop.institutions import figures
from shop.institutions.membership import institutions_of

register = template.Library()


@register.simple_tag
def institution_progress(user):
    return [figures.progress(institution) for institution in institutions_of(user)]
