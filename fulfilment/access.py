"""Who may see which team's runs: staff (the alliance coordinator) see every team; a team
member (a partner user with ``partner.dashboard_access``) sees only the teams they belong
to. Anything outside that is a 404, so ids of other teams' runs reveal nothing."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from oscar.core.loading import get_model

from fulfilment.models import DeliveryRun

Partner = get_model("partner", "Partner")


def visible_teams(user):
    if not user.is_authenticated:
        return Partner.objects.none()
    if user.is_staff:
        return Partner.objects.all()
    if user.has_perm("partner.dashboard_access"):
        return Partner.objects.filter(users=user)
    return Partner.objects.none()


def may_use_team_pages(user):
    """A coordinator, or a member of at least one team; asked once per request and user
    (the back-office menu asks it for every team page it lists)."""
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_may_use_team_pages"):
        user._may_use_team_pages = visible_teams(user).exists()
    return user._may_use_team_pages


def team_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not may_use_team_pages(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def run_or_404(request, pk):
    return get_object_or_404(
        DeliveryRun.objects.select_related("team"), pk=pk, team__in=visible_teams(request.user)
    )
