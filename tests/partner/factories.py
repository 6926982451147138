"""Users and work teams (Oscar partners), and the team members who use the dashboard."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from oscar.core.loading import get_model

Partner = get_model("partner", "Partner")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")
    password = factory.PostGenerationMethodCall("set_password", "pass-1234")


class TeamFactory(factory.django.DjangoModelFactory):
    """A work team (Oscar partner)."""

    class Meta:
        model = Partner
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"第{n}工作队")
    slug = factory.LazyAttribute(lambda o: o.code)
    institution = "县人民医院"


def team_member(team, username=None):
    """A partner user who may use the dashboard for ``team`` only."""
    user = UserFactory(username=username or f"member-{team.code}")
    user.user_permissions.add(
        Permission.objects.get(codename="dashboard_access", content_type__app_label="partner")
    )
    team.users.add(user)
    return user
