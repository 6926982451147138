"""Every dashboard URL × every role × team A's and team B's objects, from the outside.

The URLs are read from the URL resolver (everything in the ``dashboard``
namespace), their parameters filled with ids of team A's or team B's objects.
Expectations:

- anonymous: sent to a login page;
- customer, editor (Wagtail only): refused (403, or the login page);
- team member: only pages open to partner users, and on those only their own
  team's objects; another team's object is a 404 (or 403);
- coordinator: every page their role's permissions allow, for any team.
"""

import pytest
from django.apps import apps
from django.urls import URLResolver, get_resolver, reverse
from oscar.core.application import OscarDashboardConfig
from oscar.views.decorators import check_permissions

PUBLIC = {"login", "logout", "desk-invite-accept"}
# The driver app's manifest and service worker: browsers fetch them without the sign-in
# cookie, and they hold no team's data (tests/fulfilment/test_driver_offline.py).
PUBLIC_APP_FILES = {"driver-manifest", "service-worker"}
TEAM_OWNED_PARAMS = {"pk", "parent_pk", "number", "line_id", "note_id", "partner_pk", "user_pk"}


def namespace_urls(namespace):
    """(name, [parameter names]) of every named URL inside ``namespace``."""
    found = []

    def walk(patterns, inside):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, inside or pattern.namespace == namespace)
            elif inside and pattern.name:
                route = pattern.pattern
                params = list(getattr(route, "converters", {}) or {}) or list(
                    route.regex.groupindex
                )
                found.append((pattern.name, params))

    walk(get_resolver().url_patterns, False)
    return found


def dashboard_urls():
    return [(name, params) for name, params in namespace_urls("dashboard") if name not in PUBLIC]


URLS = dashboard_urls()


def permissions_for(name):
    for config in apps.get_app_configs():
        if isinstance(config, OscarDashboardConfig) and any(n == name for n in _names(config)):
            return config.get_permissions(name)
    return None


def _names(config):
    return [getattr(p, "name", None) for p in config.urls[0]]


def objects_of(side, world):
    """Parameter values pointing at one team's objects. ``None`` = cannot be filled."""
    from oscar.core.loading import get_model

    ProductClass = get_model("catalogue", "ProductClass")
    # the team's part of the basket split at checkout, which holds its line and note
    (part,) = [order for order in world["split"].values() if order.lines.get().partner == side.team]
    line = part.lines.get()
    note = part.notes.create(message="备注", note_type="Info", user=side.member)
    return {
        "number": side.order.number,
        "part_number": part.number,
        "line_id": line.pk,
        "note_id": note.pk,
        "partner_pk": side.team.pk,
        "user_pk": side.member.pk,
        "parent_pk": side.product.pk,
        "product_class_slug": ProductClass.objects.first().slug,
        "slug": None,
        "uidb64": None,
        "token": None,
        "pk": None,  # depends on the URL, see pk_for
    }


def pk_for(name, side):
    if name.startswith("catalogue-household"):
        return side.household.pk
    if name.startswith("catalogue-product"):
        return side.product.pk
    if name.startswith("partner-"):
        return side.team.pk
    if name.startswith("user-") and "alert" not in name:
        return side.member.pk
    return None


def build_url(name, params, side, world, values):
    kwargs = {}
    unmapped = False
    for param in params:
        value = pk_for(name, side) if param == "pk" else values.get(param)
        if value is None:
            value = 999999 if param in ("pk", "method_pk", "parent") else "missing"
            unmapped = True
        kwargs[param] = value
    if name in ("order-line-detail", "order-detail-note"):
        kwargs["number"] = values["part_number"]  # the order holding the line and note
    owned = any(p in TEAM_OWNED_PARAMS for p in params) and not unmapped
    return reverse(f"dashboard:{name}", kwargs=kwargs), owned, unmapped


def is_login_redirect(response):
    return response.status_code == 302 and "login" in response["Location"]


ROLES = ["anonymous", "customer", "editor", "member_a", "member_b", "coordinator"]


def sign_in(client, world, role):
    """Sign ``client`` in as ``role`` (not at all for anonymous); returns the user."""
    user = {
        "anonymous": None,
        "customer": world["customer"],
        "editor": world["editor"],
        "member_a": world["a"].member,
        "member_b": world["b"].member,
        "coordinator": world["coordinator"],
    }[role]
    if user is not None:
        client.force_login(user)
    return user


@pytest.mark.parametrize("role", ROLES)
def test_every_dashboard_url_for_every_role_and_team(client, world, role):
    user = sign_in(client, world, role)
    values = {key: objects_of(world[key], world) for key in ("a", "b")}
    failures = []
    checked = 0
    for name, params in URLS:
        for key in ("a", "b"):
            side = world[key]
            url, owned, unmapped = build_url(name, params, side, world, values[key])
            response = client.get(url)
            status = response.status_code
            checked += 1
            if status >= 500:
                failures.append(f"{url} → {status}")
                continue
            permitted = user is not None and check_permissions(user, permissions_for(name))
            if role == "anonymous":
                ok = is_login_redirect(response)
            elif not permitted:
                ok = status == 403 or is_login_redirect(response)
            elif role.startswith("member") and owned and key != role[-1]:
                ok = status in (403, 404)
            else:
                ok = status in (200, 405) or (status == 302 and not is_login_redirect(response))
                ok = ok or (unmapped and status == 404)
            if not ok:
                failures.append(f"{role} {name} ({key}) {url} → {status}")
    assert checked > 150
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_every_team_run_page_for_every_role_and_team(client, world, role):
    """The delivery pages (``fulfilment`` namespace) keep to the same rule: a team member
    reaches only their own team's runs and households; POST-only pages are tried with an
    empty POST, which must be refused for another team's objects."""
    sign_in(client, world, role)
    from fulfilment.models import Allocation
    from tests.fulfilment.factories import DeliveryZoneFactory, PickupPointFactory

    places = {}
    for side in (world["a"], world["b"]):  # something to pay, so payout pages have a statement
        type(side.run).objects.filter(pk=side.run.pk).update(status="done")  # delivered
        Allocation.objects.create(
            run=side.run, household=side.household, product=side.product, quantity=2, unit_price=2
        )
        places[side.team.pk] = {
            "point_id": PickupPointFactory(team=side.team).pk,
            "zone_id": DeliveryZoneFactory(team=side.team).pk,
        }
    failures = []
    for name, params in namespace_urls("fulfilment"):
        if name in PUBLIC_APP_FILES:
            continue
        for key in ("a", "b"):
            side = world[key]
            values = {
                "pk": side.run.pk,
                "kind": "collection",
                "household_id": side.household.pk,
                "product_pk": side.product.pk,
                **places[side.team.pk],
            }
            url = reverse(f"fulfilment:{name}", kwargs={p: values[p] for p in params})
            if name.startswith("payout"):
                url += f"?run={side.run.pk}"
            response = client.get(url)
            if response.status_code == 405:
                response = client.post(url, {})
            status = response.status_code
            if status >= 500:
                ok = False
            elif role == "anonymous":
                ok = is_login_redirect(response)
            elif role in ("customer", "editor"):
                ok = status in (403, 404) or is_login_redirect(response)
            elif role.startswith("member") and (params or "?run=" in url) and key != role[-1]:
                ok = status in (403, 404)
            else:
                ok = status == 200 or (status == 302 and not is_login_redirect(response))
            if not ok:
                failures.append(f"{role} {name} ({key}) {url} → {status}")
    assert not failures, "\n".join(failures)


def test_the_matrix_covers_the_desk_and_forked_views():
    names = {name for name, _params in URLS}
    assert {
        "desk-reports",
        "desk-audit",
        "desk-invite",
        "order-line-detail",
        "catalogue-household-update",
    } <= names


def test_team_members_are_refused_staff_only_pages(client, world):
    client.force_login(world["a"].member)
    for name in (
        "partner-list",
        "users-index",
        "desk-invite",
        "reports-index",
        "catalogue-category-list",
    ):
        assert client.get(reverse(f"dashboard:{name}")).status_code == 403, name


def test_editor_reaches_wagtail_but_not_the_shop_dashboard(client, world, home_page):
    from shop.desk.roles import setup_roles

    setup_roles()
    client.force_login(world["editor"])
    assert client.get(reverse("dashboard:index")).status_code == 403
    assert client.get("/cms/").status_code == 200
    assert client.get(f"/cms/pages/{home_page.pk}/edit/").status_code == 200
