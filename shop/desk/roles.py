"""Who may do what: the four roles as Django groups, and a team member's teams.

A role is a group with an exact permission list. ``setup_roles`` creates or
tops them up; it runs from the data migration ``desk.0002_roles`` (with the
historical app registry) and from ``manage.py setup_roles`` and the demo loader
(with the live one), so it only uses models through ``apps``.

- 团队队员 (team member): a partner user, not staff; ``partner.dashboard_access``
  only. What they see is cut down to their teams in every dashboard view.
- 联盟协调员 (coordinator): staff; sees and changes every team's data.
- 编辑 (editor): Wagtail only; admin access plus page permissions on the home
  page's tree (publishing goes through the content review workflow).
- 顾客 (customer): no permissions at all.
"""

import functools

from django.apps import apps as django_apps
from django.conf import settings
from django.db import router
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from shop.core import sql

TEAM_MEMBER = "团队队员"
COORDINATOR = "联盟协调员"
EDITOR = "编辑"
CUSTOMER = "顾客"
ROLE_NAMES = [TEAM_MEMBER, COORDINATOR, EDITOR, CUSTOMER]

DASHBOARD_ACCESS = ("partner", "dashboard_access")

# Every permission of these apps (view/add/change/delete of each model).
COORDINATOR_APPS = [
    "catalogue",
    "partner",
    "order",
    "fulfilment",
    "offer",
    "voucher",
    "shipping",
    "communication",
    "desk",
]
COORDINATOR_EXTRA = [
    DASHBOARD_ACCESS,
    ("analytics", "view_userrecord"),
    ("analytics", "view_productrecord"),
    ("auth", "view_user"),
    ("auditlog", "view_logentry"),  # the audit log (shop.desk.audit)
]
EDITOR_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
]
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "lock_page", "unlock_page"]


def _permissions(apps, pairs=(), app_labels=()):
    Permission = apps.get_model("auth", "Permission")
    found = []
    for app_label in app_labels:
        found += list(Permission.objects.filter(content_type__app_label=app_label))
    for app_label, codename in pairs:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is not None:
            found.append(permission)
    return found


def _home_page(apps):
    Site = apps.get_model("wagtailcore", "Site")
    Page = apps.get_model("wagtailcore", "Page")
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is not None:
        return Page.objects.get(pk=site.root_page_id)
    return (
        Page.objects.filter(depth=2).order_by("path").first()
        or Page.objects.filter(depth=1).first()
    )


def setup_roles(apps=django_apps):
    """Create the four groups with exactly their permissions. Safe to run again."""
    Group = apps.get_model("auth", "Group")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLE_NAMES}

    groups[TEAM_MEMBER].permissions.set(_permissions(apps, [DASHBOARD_ACCESS]))
    groups[COORDINATOR].permissions.set(_permissions(apps, COORDINATOR_EXTRA, COORDINATOR_APPS))
    groups[EDITOR].permissions.set(_permissions(apps, EDITOR_PERMISSIONS))
    groups[CUSTOMER].permissions.clear()

    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    home = _home_page(apps)
    GroupPagePermission.objects.filter(group=groups[EDITOR]).exclude(page=home).delete()
    if home is not None:
        for permission in _permissions(apps, [("wagtailcore", c) for c in EDITOR_PAGE_PERMISSIONS]):
            GroupPagePermission.objects.get_or_create(
                group=groups[EDITOR], page=home, permission=permission
            )
    return groups


# --- whose data a user works on ------------------------------------------------


def is_team_member(user):
    """A partner user working in the dashboard: not staff, only their teams' data."""
    return user.is_authenticated and not user.is_staff and user.has_perm("partner.dashboard_access")


def sees_desk(user):
    """Whether the header offers 工作台 (the dashboard): staff, or an active user holding
    ``partner.dashboard_access`` (a team member), given to her or to one of her groups.
    Asked in one statement written out (``_holds_desk_access``), not by loading every
    permission the user holds (two queries) as ``has_perm`` does: this runs on every page
    a signed-in buyer sees (the header is drawn for each of them), and building the same
    query with the ORM took three times as long as running it. The user of a signed-in
    request is read with the answer (``with_desk_answer``, shop/desk/backends.py), so
    most pages ask nothing more."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    answer = getattr(user, DESK_ANSWER, None)
    if answer is not None:  # read with the user (with_desk_answer)
        return bool(answer)
    if hasattr(user, "_perm_cache"):  # this request loaded the permissions already
        return user.has_perm(".".join(DASHBOARD_ACCESS))
    Permission = django_apps.get_model("auth", "Permission")
    found = sql.rows(
        "SELECT " + _holds_desk_access("%s"),
        [*DASHBOARD_ACCESS, user.pk, user.pk],
        using=router.db_for_read(Permission),
    )
    return bool(found and found[0][0])


DESK_ANSWER = "holds_desk_access"  # the attribute with_desk_answer gives a user


def with_desk_answer(users):
    """``users`` (a queryset of users), each read with whether she holds desk access
    herself or through a group, in the same statement; ``sees_desk`` reads the answer
    (staff and inactive users are still judged by their flags)."""
    User = django_apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    outer = f"{sql.table(User)}.{sql.column(User, User._meta.pk.name)}"
    answer = RawSQL(_holds_desk_access(outer), list(DASHBOARD_ACCESS), output_field=BooleanField())
    return users.annotate(**{DESK_ANSWER: answer})


@functools.cache
def _holds_desk_access(user):
    """SQL (an EXISTS expression): whether the user ``user`` (a placeholder, used twice,
    or the outer query's column) holds the permission (app label %s, codename %s) herself
    or through a group; the names are read from the models once."""
    User = django_apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Permission = django_apps.get_model("auth", "Permission")
    Group = django_apps.get_model("auth", "Group")
    held = User.user_permissions.through
    member = User.groups.through
    granted = Group.permissions.through
    content_type = Permission._meta.get_field("content_type").related_model
    return (
        f"EXISTS (SELECT 1 FROM {sql.table(Permission)} p"
        f" JOIN {sql.table(content_type)} c ON c.id = p.{sql.column(Permission, 'content_type')}"
        f" WHERE c.{sql.column(content_type, 'app_label')} = %s"
        f" AND p.{sql.column(Permission, 'codename')} = %s AND ("
        f"p.id IN (SELECT {sql.column(held, 'permission')} FROM {sql.table(held)}"
        f" WHERE {sql.column(held, 'user')} = {user})"
        f" OR p.id IN (SELECT g.{sql.column(granted, 'permission')} FROM {sql.table(granted)} g"
        f" JOIN {sql.table(member)} m ON m.{sql.column(member, 'group')}"
        f" = g.{sql.column(granted, 'group')} WHERE m.{sql.column(member, 'user')} = {user})))"
    )


def team_ids(user):
    """The ids of the teams a user works for; ``None`` means every team (staff)."""
    if user.is_staff:
        return None
    cached = getattr(user, "_desk_team_ids", None)
    if cached is None:
        cached = user._desk_team_ids = list(user.partners.values_list("pk", flat=True))
    return cached
