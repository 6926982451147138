"""A household's own page (private link, no sign-in) and the team's page that hands the
link over: shows it with a QR code, and revokes it for a new one after a confirmation."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from catalogue.models import Household
from fulfilment import household_page, payouts
from fulfilment.access import team_required, visible_teams
from shop.core.qr import qr_svg


@never_cache
def household_view(request, token):
    household = household_page.household_for(token)
    if household is None:
        raise Http404(_("这个链接已经失效，请向工作队要新的链接。"))
    response = render(
        request,
        "fulfilment/household_page.html",
        {
            "household": household,
            "token": token,
            "promises": household_page.promises(household),
            "account": payouts.for_household(household),
            "languages": [
                (code, name, household_page.path_for(household, code))
                for code, name in (("zh-hans", "中文"), ("en", "English"))
            ],
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
def household_statement(request, token, run_id):
    """One run's statement of the household as a PDF, as the team prints it."""
    household = household_page.household_for(token)
    if household is None:
        raise Http404(_("这个链接已经失效，请向工作队要新的链接。"))
    account = payouts.for_household(household)
    statement = next((s for s in account.runs if s.run.pk == run_id), None)
    if statement is None:
        raise Http404
    title = _("%(date)s 这一趟的结算单") % {"date": statement.run.date.strftime("%Y-%m-%d")}
    # heavy: reportlab/openpyxl, loaded only by the workers that use it
    from fulfilment.documents import statements as statement_documents

    pdf = statement_documents.as_pdf(statement, title, household.public_name)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="statement-{statement.run.date}.pdf"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _team_household(request, household_id):
    return get_object_or_404(
        Household.objects.select_related("village", "team"),
        pk=household_id,
        team__in=visible_teams(request.user),
    )


@team_required
def household_link(request, household_id):
    household = _team_household(request, household_id)
    link = household_page.live_link(household, request.user)
    url = household_page.url_for(household)
    return render(
        request,
        "fulfilment/household_link.html",
        {"household": household, "link": link, "url": url, "qr": qr_svg(url)},
    )


class RenewForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("我知道旧链接会马上失效，要把新链接发给农户"),
        error_messages={"required": gettext_lazy("请先勾选确认，旧链接才会作废。")},
    )


@team_required
def household_link_renew(request, household_id):
    household = _team_household(request, household_id)
    form = RenewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        household_page.renew(household, request.user)
        messages.success(
            request,
            _("旧链接已作废。请把下面的新链接发给%(name)s。") % {"name": household.public_name},
        )
        return redirect("fulfilment:household-link", household_id=household.pk)
    return render(
        request,
        "fulfilment/household_link_renew.html",
        {"household": household, "form": form},
        status=400 if request.method == "POST" else 200,
    )
