"""Flattened translation catalogs (shop.speed.catalogs) answer every lookup as Django's do."""

import pytest
from django.utils.translation import trans_real

from shop.speed.catalogs import _levels, flatten

PROBES = ("下单成功！订单号 %(number)s", "去结算", "没有这句话", "Basket", "Password", "")


def _all_messages(translation):
    levels, _last = _levels(translation)
    singular, plural = set(PROBES), set()
    for level in levels:
        catalog = level._catalog
        for key in catalog.keys():
            if isinstance(key, tuple):
                plural.add(key[0])
                singular.add(key[0])
            else:
                singular.add(key)
    return sorted(singular), sorted(plural)


def _answers(translation, singular, plural):
    return (
        [translation.gettext(message) for message in singular],
        [translation.ngettext(m, m + "(plural)", n) for m in plural for n in (0, 1, 2, 5, 21)],
        [translation.ngettext(m, m + "(plural)", n) for m in PROBES for n in (1, 2)],
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_flattened_catalog_gives_the_same_answer_for_every_message(language):
    original = trans_real.DjangoTranslation(language)
    flat = trans_real.DjangoTranslation(language)
    singular, plural = _all_messages(original)
    assert len(singular) > 1000 and plural  # the real catalogs, not an empty stand-in
    before = _answers(original, singular, plural)

    flatten(flat)

    assert isinstance(flat._fallback, type(None)) or not hasattr(flat._fallback, "_catalog")
    assert _answers(flat, singular, plural) == before


@pytest.mark.django_db
def test_pages_look_up_translations_in_one_dictionary(client):
    """A page request flattens the active language: a miss is one dictionary lookup."""
    client.get("/en/shop/basket/")
    english = trans_real.translation("en")
    assert getattr(english, "_flattened", False)
    assert english._fallback is None or not hasattr(english._fallback, "_catalog")
    assert (
        english.gettext("去结算")
        == trans_real.DjangoTranslation("en").gettext("去结算")
        != "去结算"
    )
