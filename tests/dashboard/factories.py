"""Users in the desk's roles (orders come from ``tests.order.factories``)."""

from tests.partner.factories import UserFactory


def coordinator(username="coordinator"):
    from django.contrib.auth.models import Group

    from shop.desk.roles import COORDINATOR

    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=COORDINATOR))
    return user


def editor(username="editor"):
    from django.contrib.auth.models import Group

    from shop.desk.roles import EDITOR

    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=EDITOR))
    return user
