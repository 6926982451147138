"""Household payouts per run and per month, statements as PDF, marking as paid."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalogue.models import Household
from fulfilment import payouts
from fulfilment.access import run_or_404, team_required, visible_teams


def _month(value):
    try:
        return datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def _statements(request):
    """Statements for ?run=<id> or ?team=<id>&month=YYYY-MM, with a title."""
    for key in ("run", "team"):
        if not (request.GET.get(key) or request.POST.get(key) or "0").isdigit():
            raise Http404
    if request.GET.get("run") or request.POST.get("run"):
        run = run_or_404(request, request.GET.get("run") or request.POST.get("run"))
        return (
            payouts.for_run(run),
            _("%(team)s %(run)s 农户结算") % {"team": run.team.name, "run": run},
            run.team,
        )
    teams = visible_teams(request.user)
    team_id = request.GET.get("team") or request.POST.get("team")
    team = get_object_or_404(teams, pk=team_id) if team_id else teams.first()
    month = _month(request.GET.get("month") or request.POST.get("month"))
    return (
        payouts.for_month(team, month),
        _("%(team)s %(month)s 月度结算") % {"team": team.name, "month": month.strftime("%Y-%m")},
        team,
    )


@team_required
def payout_list(request):
    statements, title, team = _statements(request)
    total = sum((s.net for s in statements), 0)
    return render(
        request,
        "fulfilment/payouts.html",
        {
            "statements": statements,
            "title": title,
            "team": team,
            "total": total,
            "teams": visible_teams(request.user),
            "month": request.GET.get("month", ""),
            "run_id": request.GET.get("run", ""),
            "households": Household.objects.filter(team=team).select_related("village"),
        },
    )


def _find(statements, household_id):
    for statement in statements:
        if str(statement.household.pk) == str(household_id):
            return statement
    raise Http404


@team_required
def statement_pdf(request, household_id):
    household = get_object_or_404(Household, pk=household_id, team__in=visible_teams(request.user))
    statements, title, _team = _statements(request)
    statement = _find(statements, household.pk)
    # heavy: reportlab/openpyxl, loaded only by the workers that use it
    from fulfilment.documents import statements as statement_documents

    pdf = statement_documents.as_pdf(statement, title, household.real_name or household.public_name)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="statement-{household.pk}.pdf"'
    return response


@require_POST
@team_required
def mark_paid(request, household_id):
    household = get_object_or_404(Household, pk=household_id, team__in=visible_teams(request.user))
    statements, title, _team = _statements(request)
    statement = _find(statements, household.pk)
    query = {k: request.POST[k] for k in ("run", "team", "month") if request.POST.get(k)}
    if statement.paid is None and (
        request.POST.get("confirm") != "1" or request.POST.get("seen") != str(statement.net)
    ):
        # The first tap, or figures that changed since the page was shown: ask (again).
        if request.POST.get("confirm") == "1":
            messages.warning(request, _("金额有变化，请看清新的数字后再确认。"))
        return render(
            request,
            "fulfilment/payout_confirm.html",
            {"statement": statement, "title": title, "back": query, "household": household},
        )
    try:
        payouts.mark_paid(statement, request.user)
        messages.success(
            request,
            _("已标记 %(name)s 付款 ¥%(net)s。")
            % {"name": household.public_name, "net": statement.net},
        )
    except payouts.AlreadyPaid:
        messages.info(request, _("这笔已经标记过付款了。"))
    return redirect(reverse("fulfilment:payouts") + ("?" + urlencode(query) if query else ""))
