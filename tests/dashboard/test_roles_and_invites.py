"""Roles exist with exact permissions; coordinators invite team members by e-mail."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from shop.desk import roles
from tests.partner.factories import UserFactory

User = get_user_model()


def perms(name):
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=name).permissions.all()
    }


def test_the_migration_created_the_four_roles_with_exact_permissions(db):
    assert perms(roles.TEAM_MEMBER) == {"partner.dashboard_access"}
    assert perms(roles.CUSTOMER) == set()
    editor = perms(roles.EDITOR)
    assert "wagtailadmin.access_admin" in editor
    assert not any(p.startswith(("order.", "partner.", "catalogue.")) for p in editor)
    coordinator = perms(roles.COORDINATOR)
    assert {
        "order.view_order",
        "order.change_line",
        "catalogue.change_product",
        "partner.change_stockrecord",
        "fulfilment.change_deliveryrun",
        "auditlog.view_logentry",
    } <= coordinator
    assert "auth.change_user" not in coordinator and "wagtailadmin.access_admin" not in coordinator


def test_setup_roles_is_idempotent_and_gives_editors_the_home_page_tree(home_page):
    from wagtail.models import GroupPagePermission

    call_command("setup_roles", stdout=open("/dev/null", "w"))
    call_command("setup_roles", stdout=open("/dev/null", "w"))
    assert Group.objects.filter(name__in=roles.ROLE_NAMES).count() == 4
    granted = set(
        GroupPagePermission.objects.filter(group__name=roles.EDITOR).values_list(
            "page_id", "permission__codename"
        )
    )
    assert granted == {(home_page.pk, c) for c in roles.EDITOR_PAGE_PERMISSIONS}


def test_membership_of_the_team_group_alone_opens_the_team_dashboard(client, team):
    user = UserFactory(username="newbie")
    team.users.add(user)
    client.force_login(user)
    assert client.get(reverse("dashboard:index")).status_code == 403
    user.groups.add(Group.objects.get(name=roles.TEAM_MEMBER))
    assert client.get(reverse("dashboard:index")).status_code == 200


def test_coordinator_invites_a_member_who_sets_a_password_then_logs_in(
    client, world, django_capture_on_commit_callbacks
):
    a, b = world["a"], world["b"]
    client.force_login(world["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dashboard:desk-invite"),
            {"email": "Xiao.Li@Example.cn", "teams": [a.team.pk, b.team.pk]},
        )
    assert response.status_code == 302
    user = User.objects.get(email="xiao.li@example.cn")
    assert not user.is_active and not user.has_usable_password()
    assert set(user.partners.all()) == {a.team, b.team}
    assert user.groups.filter(name=roles.TEAM_MEMBER).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["xiao.li@example.cn"]
    link = re.search(r"http://testserver(/\S+)", mail.outbox[0].body).group(1)

    client.logout()
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url, {"new_password1": "Eggs-and-hens-2026", "new_password2": "Eggs-and-hens-2026"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active
    assert client.get(link).status_code == 200 and "链接已失效" in client.get(link).content.decode()

    response = client.post(
        reverse("dashboard:login"),
        {"username": "xiao.li@example.cn", "password": "Eggs-and-hens-2026"},
    )
    assert response.status_code == 302
    assert client.get(reverse("dashboard:index")).status_code == 200


def test_inviting_an_existing_user_adds_the_team_without_a_new_account(client, world):
    a, b = world["a"], world["b"]
    client.force_login(world["coordinator"])
    client.post(reverse("dashboard:desk-invite"), {"email": a.member.email, "teams": [b.team.pk]})
    assert User.objects.filter(email=a.member.email).count() == 1
    assert set(a.member.partners.all()) == {a.team, b.team}


def test_a_bad_invitation_explains_itself_and_changes_nothing(client, world):
    client.force_login(world["coordinator"])
    before = User.objects.count()
    response = client.post(reverse("dashboard:desk-invite"), {"email": "不是邮箱", "teams": []})
    page = response.content.decode()
    assert response.status_code == 400
    assert "请输入有效的邮箱地址" in page and "请至少选择一个工作队" in page
    assert User.objects.count() == before and not mail.outbox


def test_team_members_cannot_invite(client, world):
    client.force_login(world["a"].member)
    response = client.post(
        reverse("dashboard:desk-invite"), {"email": "x@example.cn", "teams": [world["b"].team.pk]}
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="x@example.cn").exists()
