"""Collection list, packing list and run sheet: on screen, as PDF, as XLSX."""

from django.http import Http404, HttpResponse
from django.shortcuts import render

from fulfilment import lists
from fulfilment.access import run_or_404, team_required

KINDS = {
    "collection": lists.collection_list,
    "packing": lists.packing_list,
    "sheet": lists.run_sheet,
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@team_required
def run_list_document(request, pk, kind):
    if kind not in KINDS:
        raise Http404
    run = run_or_404(request, pk)
    fmt = request.GET.get("format", "html")
    if fmt in ("pdf", "xlsx"):
        # heavy: reportlab/openpyxl, loaded only by the workers that use it
        from fulfilment.documents import run_lists
    if fmt == "pdf":
        response = HttpResponse(run_lists.as_pdf(kind, run), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="run-{run.pk}-{kind}.pdf"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(run_lists.as_xlsx(kind, run), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="run-{run.pk}-{kind}.xlsx"'
        return response
    return render(
        request,
        f"fulfilment/list_{kind}.html",
        {"run": run, "rows": KINDS[kind](run), "kind": kind},
    )
