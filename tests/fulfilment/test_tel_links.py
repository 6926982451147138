"""Phone numbers typed with spaces or dashes still dial: the tel: link holds only what a
dialer reads (some WeChat and Android dialers stop at the first space)."""

import pytest
from phonenumber_field.phonenumber import PhoneNumber

from shop.core.templatetags.phone_tags import tel_href


@pytest.mark.parametrize(
    "typed, link",
    [
        ("138 0013 8000", "tel:13800138000"),
        ("0851-8888 1234", "tel:085188881234"),
        ("+86 138-0013-8000", "tel:+8613800138000"),
        ("", ""),
        (None, ""),
        ("无", ""),
    ],
)
def test_typed_numbers_become_links_a_phone_can_dial(typed, link):
    assert tel_href(typed) == link


def test_an_address_phone_dials_in_its_international_form():
    assert tel_href(PhoneNumber.from_string("138 1234 5678", region="CN")) == "tel:+8613812345678"
