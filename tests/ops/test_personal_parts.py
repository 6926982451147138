"""The header's personal parts for signed-in buyers: drawn once per process for each kind
of buyer (what the rules registered with ``page_cache.parts_show`` say of her), never
handed from one kind to another, and the templates read nothing else of the user."""

import re

import pytest
from django.template import engines
from django.template.loader import get_template
from django.test import Client
from django.test.signals import template_rendered

from shop.speed import page_cache
from tests.ops.page_cache_kit import IN_EACH_LANGUAGE, how, html, page_cache_on  # noqa: F401 (fixture)
from tests.partner.factories import UserFactory, team_member

TOOLS = page_cache.PERSONAL_PARTS["tools"]


def _filter_functions():
    """{filter name: function} of every template library the site's templates can load."""
    libraries = engines["django"].engine.template_libraries.values()
    return {name: function for library in libraries for name, function in library.filters.items()}


@pytest.mark.parametrize("part", sorted(page_cache.PERSONAL_PARTS))
def test_a_personal_part_reads_of_the_user_only_what_a_registered_rule_says(part):
    """Parts are shared by every signed-in buyer of one kind: a template that showed her
    name, say, would show the first buyer's name to the next."""
    source = get_template(page_cache.PERSONAL_PARTS[part]).template.source
    tags = " ".join(re.findall(r"{[{%](.*?)[}%]}", source, re.S))
    filters = _filter_functions()
    for found in re.finditer(r"(\w+\.)?\buser\b([.|]\w+)?", tags):
        owner, what = found.group(1), found.group(2) or ""
        assert owner is None, f"{part} reads {found.group(0)}"
        if what == ".is_authenticated":
            continue
        assert what.startswith("|"), f"{part} reads user{what}"
        rule = filters.get(what[1:])
        assert rule in page_cache._signed_in_rules, f"{part} shows user{what}, no rule"


def _drawn(client, url):
    """(the page, how many times the header's tools were drawn for it)."""
    drawn = []

    def note(sender, template, **kwargs):
        if template.name == TOOLS:
            drawn.append(template.name)

    template_rendered.connect(note)
    try:
        page = client.get(url)
    finally:
        template_rendered.disconnect(note)
    return page, len(drawn)


@pytest.mark.django_db
@IN_EACH_LANGUAGE
def test_buyers_of_one_kind_share_the_drawn_header_and_no_kind_gets_anothers(
    pages, eggs, team, prefix, desk, mine
):
    url = prefix + pages["product"]
    member, mei, lan = Client(), Client(), Client()
    member.force_login(team_member(team))
    mei.force_login(UserFactory(username="mei", email="mei@example.cn", first_name="Zhaomei"))
    lan.force_login(UserFactory(username="lan", email="lan@example.cn", first_name="Qianlan"))
    assert how(Client().get(url)) == "miss"

    page, drawn = _drawn(member, url)
    assert how(page) == "hit-personal" and drawn == 1
    assert f">{desk}</a>" in html(page)

    page, drawn = _drawn(mei, url)  # another kind: drawn for her, without the desk
    assert drawn == 1
    assert f">{mine}</a>" in html(page) and f">{desk}</a>" not in html(page)

    page, drawn = _drawn(lan, url)  # her kind: the parts drawn for mei served as they are
    assert drawn == 0
    assert f">{mine}</a>" in html(page) and f">{desk}</a>" not in html(page)
    assert "Zhaomei" not in html(page) and "Qianlan" not in html(page)

    page, drawn = _drawn(member, url)
    assert drawn == 0 and f">{desk}</a>" in html(page)

    page, drawn = _drawn(Client(), url)  # a guest still gets a guest's
    assert f">{desk}</a>" not in html(page)
    assert ">登录</a>" in html(page) or ">Log in</a>" in html(page)
