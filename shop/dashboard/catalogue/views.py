"""Dashboard views the shop adds: households, and products and stock as spreadsheets.

Every view works inside the user's own teams (staff: any team); the domain work
is in ``catalogue.spreadsheets``.
"""

import base64

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import CreateView, ListView, UpdateView
from oscar.apps.dashboard.catalogue import views as oscar_views

from catalogue.models import Household
from catalogue.spreadsheets import ProductSheetExporter, ProductSheetImporter, SheetError
from shop.dashboard.catalogue.forms import HouseholdForm, ImportForm, team_scope
from shop.partner.models import Partner

SESSION_KEY = "product_sheet_import"


class ProductCreateUpdateView(oscar_views.ProductCreateUpdateView):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


class TeamMixin:
    """Resolves ``?team=<code>`` to one of the user's teams (any team for staff)."""

    def get_team(self):
        teams = team_scope(self.request.user)
        queryset = (
            Partner.objects.all()
            if teams is None
            else Partner.objects.filter(pk__in=[t.pk for t in teams])
        )
        code = self.request.GET.get("team") or self.request.POST.get("team")
        if code:
            return get_object_or_404(queryset, code=code)
        team = queryset.order_by("name").first()
        if team is None:
            raise Http404(_("您还不属于任何工作队。"))
        return team


class HouseholdQuerysetMixin:
    def get_queryset(self):
        teams = team_scope(self.request.user)
        queryset = Household.objects.select_related("village", "team").order_by(
            "village__name", "public_name"
        )
        return queryset if teams is None else queryset.filter(team__in=teams)


class HouseholdListView(HouseholdQuerysetMixin, ListView):
    template_name = "oscar/dashboard/catalogue/household_list.html"
    context_object_name = "households"
    paginate_by = 50


class HouseholdFormMixin(HouseholdQuerysetMixin):
    form_class = HouseholdForm
    template_name = "oscar/dashboard/catalogue/household_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_success_url(self):
        messages.success(self.request, _("农户信息已保存。"))
        return reverse("dashboard:catalogue-household-list")


class HouseholdCreateView(HouseholdFormMixin, CreateView):
    pass


class HouseholdUpdateView(HouseholdFormMixin, UpdateView):
    pass


class ProductSheetExportView(TeamMixin, View):
    def get(self, request):
        team = self.get_team()
        exporter = ProductSheetExporter(team)
        stamp = timezone.localdate().isoformat()
        if request.GET.get("format") == "csv":
            response = HttpResponse(exporter.csv_bytes(), content_type="text/csv; charset=utf-8")
            ext = "csv"
        else:
            response = HttpResponse(
                exporter.xlsx_bytes(),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            ext = "xlsx"
        response["Content-Disposition"] = (
            f'attachment; filename="products-{team.code}-{stamp}.{ext}"'
        )
        return response


class ProductSheetImportView(TeamMixin, View):
    """Upload → preview (what will change, row errors) → confirm → written in one transaction."""

    template_name = "oscar/dashboard/catalogue/product_import.html"

    def get(self, request):
        team = self.get_team()
        return self.render(team, ImportForm())

    def post(self, request):
        team = self.get_team()
        if "confirm" in request.POST:
            return self.confirm(team)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(team, form)
        upload = form.cleaned_data["file"]
        content = upload.read()
        importer = ProductSheetImporter(team)
        try:
            importer.parse(upload.name, content)
        except SheetError as error:
            form.add_error("file", str(error))
            return self.render(team, form)
        importer.validate()
        importer.diff()
        if not importer.has_errors:
            request.session[SESSION_KEY] = {
                "team": team.pk,
                "name": upload.name,
                "content": base64.b64encode(content).decode("ascii"),
            }
        return self.render(team, ImportForm(), importer=importer)

    def confirm(self, team):
        stored = self.request.session.get(SESSION_KEY)
        if not stored or stored["team"] != team.pk:
            messages.error(self.request, _("请重新上传表格。"))
            return HttpResponseRedirect(self.import_url(team))
        importer = ProductSheetImporter(team)
        try:
            importer.parse(stored["name"], base64.b64decode(stored["content"]))
            importer.validate()
            importer.diff()
            summary = importer.apply()
        except SheetError as error:
            messages.error(self.request, str(error))
            return self.render(team, ImportForm(), importer=importer)
        self.request.session.pop(SESSION_KEY, None)
        messages.success(
            self.request,
            _("导入完成：新增 %(new)d 件，更新 %(changed)d 件，%(unchanged)d 件没有变化。")
            % summary,
        )
        return HttpResponseRedirect(self.import_url(team))

    @staticmethod
    def import_url(team):
        return reverse("dashboard:catalogue-product-import") + f"?team={team.code}"

    def render(self, team, form, importer=None):
        teams = team_scope(self.request.user)
        return render(
            self.request,
            self.template_name,
            {
                "team": team,
                "teams": Partner.objects.order_by("name") if teams is None else teams,
                "form": form,
                "importer": importer,
                "summary": importer.summary() if importer else None,
            },
        )
