"""Institution pages: a member's view of their institution (target progress, orders,
monthly statements as page, PDF and XLSX) and the coordinator's overview of every
institution with the form to add or change one and to record a statement's transfer.

A member sees only their own institutions; the coordinator (staff) sees all; anything
else is a 404, so ids reveal nothing. The work is done in ``membership``, ``figures`` and
``statements``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shop.institutions import figures, statements
from shop.institutions.forms import InstitutionForm, TransferForm
from shop.institutions.membership import institutions_of, may_see_all
from shop.institutions.models import Institution

RECENT_ORDERS = 20


def _institution_or_404(request, pk):
    if may_see_all(request.user):
        return get_object_or_404(Institution, pk=pk)
    return get_object_or_404(institutions_of(request.user), pk=pk)


def _statement_or_404(request, pk, month):
    institution = _institution_or_404(request, pk)
    first_day = statements.parse_month(month)
    if first_day is None:
        raise Http404
    return statements.build(institution, first_day)


@login_required
def mine(request):
    """The member's institutions: target progress, recent orders, statements by month."""
    rows = []
    for institution in institutions_of(request.user):
        rows.append(
            {
                "institution": institution,
                "progress": figures.progress(institution),
                "months": statements.months_with_orders(institution),
                "orders": institution.order_links.select_related("order", "placed_by").order_by(
                    "-order__date_placed"
                )[:RECENT_ORDERS],
            }
        )
    if not rows:
        raise Http404
    return render(request, "institutions/mine.html", {"rows": rows})


@login_required
def statement_page(request, pk, month):
    statement = _statement_or_404(request, pk, month)
    return render(
        request,
        "institutions/statement.html",
        {
            "statement": statement,
            "coordinator": may_see_all(request.user),
            "transfer_form": TransferForm(),
        },
    )


@login_required
def statement_file(request, pk, month, kind):
    if kind not in ("pdf", "xlsx"):
        raise Http404
    statement = _statement_or_404(request, pk, month)
    name = f"statement-{statement.institution.pk}-{statement.label}"
    if kind == "pdf":
        response = HttpResponse(statements.as_pdf(statement), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    else:
        response = HttpResponse(
            statements.as_xlsx(statement),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def coordinator_required(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        if not may_see_all(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@coordinator_required
@require_POST
def statement_paid(request, pk, month):
    """The coordinator records the institution's transfer for a month's statement."""
    statement = _statement_or_404(request, pk, month)
    form = TransferForm(request.POST)
    if form.is_valid():
        try:
            payment = statements.mark_paid(statement, form.cleaned_data["reference"], request.user)
        except statements.StatementProblem as problem:
            messages.error(request, str(problem))
        else:
            messages.success(
                request,
                _("已记录到账 ¥%(amount)s（流水号 %(ref)s）。")
                % {"amount": payment.amount, "ref": payment.reference},
            )
            return redirect("institutions:statement", pk=pk, month=month)
    return render(
        request,
        "institutions/statement.html",
        {"statement": statement, "coordinator": True, "transfer_form": form},
        status=400 if form.errors else 200,
    )


@coordinator_required
def overview(request):
    """Every institution with its target, what it reached this year and its statements."""
    rows = figures.all_progress()
    return render(
        request,
        "institutions/overview.html",
        {"rows": rows, "year": figures.this_year(), "impact": figures.impact_figure()},
    )


@coordinator_required
def edit(request, pk=None):
    institution = get_object_or_404(Institution, pk=pk) if pk else None
    form = InstitutionForm(request.POST or None, instance=institution)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("已保存“%(name)s”。") % {"name": saved.name})
        return redirect("institutions:overview")
    return render(
        request,
        "institutions/institution_form.html",
        {
            "form": form,
            "institution": institution,
            "months": statements.months_with_orders(institution) if institution else [],
        },
        status=400 if form.errors else 200,
    )
