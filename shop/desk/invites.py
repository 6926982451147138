"""A coordinator invites a team member by e-mail.

The person gets (or keeps) an account, joins the chosen teams and the 团队队员
group, and receives a link to set their password. A new account stays inactive
until that password is set (``activate_on_password``), so an invitation alone
never opens the dashboard. The link is Django's password-reset token, which
stops working once the password is set.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from shop.desk.roles import TEAM_MEMBER

User = get_user_model()


def _free_username(email):
    base = email[:140]
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def invite_team_member(email, teams, build_absolute_uri):
    """Create or update the user for ``email``, add them to ``teams``, send the link.

    ``build_absolute_uri`` turns a path into a full URL (``request.build_absolute_uri``).
    Returns ``(user, created)``.
    """
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).order_by("pk").first()
    created = user is None
    if created:
        user = User(username=_free_username(email), email=email, is_active=False)
        user.set_unusable_password()
        user.save()
    for team in teams:
        team.users.add(user)
    user.groups.add(Group.objects.get(name=TEAM_MEMBER))
    link = build_absolute_uri(
        reverse(
            "dashboard:desk-invite-accept",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    )
    names = "、".join(team.name for team in teams)
    body = _(
        "您好！\n\n您已被邀请加入 521助农小店 的工作台，所属工作队：%(teams)s。\n"
        "请打开下面的链接设置密码，之后用这个邮箱登录：\n\n%(link)s\n\n"
        "如果这不是您，请忽略这封邮件。"
    ) % {"teams": names, "link": link}
    transaction.on_commit(
        lambda: send_mail(_("邀请您加入 521助农小店 工作台"), body, None, [email])
    )
    return user, created


def activate_on_password(user):
    """Called when an invited person sets their password."""
    if not user.is_active:
        user.is_active = True
