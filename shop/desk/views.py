"""Dashboard pages of the desk: reports, the audit log, invitations, the one-time code.

Mounted in the ``dashboard`` namespace by ``shop.dashboard.apps``, which also
holds their permission rules. Each view scopes its data with
``shop.desk.roles.team_ids`` and hands the work to a domain module.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_otp import devices_for_user
from django_otp import login as otp_login
from oscar.core.loading import get_model

from shop.core import charts
from shop.desk import audit, tasks
from shop.desk.invites import activate_on_password, invite_team_member
from shop.desk.models import ReportExport
from shop.desk.reports import REPORTS, SalesReport
from shop.desk.roles import team_ids

Partner = get_model("partner", "Partner")


# --- reports ---------------------------------------------------------------------


class ReportForm(forms.Form):
    report = forms.ChoiceField(
        label=gettext_lazy("报表"), choices=list(REPORTS.items()), required=False
    )
    team = forms.ModelChoiceField(
        label=gettext_lazy("工作队"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部"),
        to_field_name="code",
    )
    date_from = forms.DateField(label=gettext_lazy("开始日期"), required=False)
    date_to = forms.DateField(label=gettext_lazy("结束日期"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        ids = team_ids(user)
        teams = Partner.objects.order_by("name")
        self.fields["team"].queryset = teams if ids is None else teams.filter(pk__in=ids)
        if ids is not None:
            self.fields["report"].choices = [c for c in REPORTS.items() if c[0] != "team"]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        return data


class ReportMixin:
    def build(self, request):
        form = ReportForm(request.GET or None, user=request.user)
        ids = team_ids(request.user)
        data = form.cleaned_data if form.is_bound and form.is_valid() else {}
        report = data.get("report") or "product"
        if data.get("team"):
            ids = [data["team"].pk]
        report_data = SalesReport(
            team_ids=ids, date_from=data.get("date_from"), date_to=data.get("date_to")
        )
        return form, report, report_data


class ReportsView(ReportMixin, View):
    template_name = "oscar/dashboard/desk/reports.html"

    def get(self, request):
        form, report, data = self.build(request)
        rows = data.rows(report)
        total = data.total()
        title = str(REPORTS[report])
        value = (lambda r: r.orders) if report == "pickup" else (lambda r: r.amount)
        fmt = (
            (lambda v: _("%(n)d 单") % {"n": v}) if report == "pickup" else (lambda v: f"¥{v:,.2f}")
        )
        context = {
            "form": form,
            "report": report,
            "report_title": title,
            "reports": REPORTS,
            "rows": rows,
            "total": total,
            "chart": charts.bar_chart(rows, value=value, fmt=fmt, title=title),
            "buyers": data.buyer_summary() if report == "buyers" else None,
            "query": request.GET.urlencode(),
            "is_coordinator": team_ids(request.user) is None,
        }
        return render(request, self.template_name, context)


class ReportExportView(ReportMixin, View):
    """POST: queue an Excel/CSV file of the report as filtered; GET: the asker's files."""

    template_name = "oscar/dashboard/desk/report_exports.html"

    def get(self, request):
        exports_ = ReportExport.objects.filter(requested_by=request.user)[:20]
        pending = any(e.status == ReportExport.Status.PENDING for e in exports_)
        return render(
            request,
            self.template_name,
            {"exports": exports_, "pending": pending, "reports": REPORTS},
        )

    def post(self, request):
        form = ReportForm(request.POST, user=request.user)
        fmt = request.POST.get("format")
        if not form.is_valid() or fmt not in ReportExport.Format.values:
            messages.error(request, _("导出条件有误，请回到报表页重新选择。"))
            return HttpResponseRedirect(reverse("dashboard:desk-reports"))
        data = form.cleaned_data
        ids = team_ids(request.user)
        if data.get("team"):
            ids = [data["team"].pk]
        export = ReportExport.objects.create(
            requested_by=request.user,
            report=data.get("report") or "product",
            fmt=fmt,
            team_ids=ids,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
        transaction.on_commit(lambda: tasks.export_report.delay(export.pk))
        messages.info(request, _("正在生成文件，完成后在下面下载。"))
        return HttpResponseRedirect(reverse("dashboard:desk-report-export"))


class ReportDownloadView(View):
    """Hands out a finished export to the person who asked for it; anyone else gets a 404."""

    def get(self, request, pk):
        export = get_object_or_404(
            ReportExport, pk=pk, requested_by=request.user, status=ReportExport.Status.DONE
        )
        try:
            handle = default_storage.open(export.file_name, "rb")
        except (FileNotFoundError, OSError) as error:
            raise Http404 from error
        return FileResponse(
            handle, as_attachment=True, filename=export.file_name.rsplit("/", 1)[-1]
        )


# --- audit log ---------------------------------------------------------------------


class AuditLogView(View):
    """The audit log a person may read (``shop.desk.audit.entries_for``), 50 entries a page."""

    template_name = "oscar/dashboard/desk/audit_list.html"
    per_page = 50

    def get(self, request):
        kind = request.GET.get("type")
        entries = audit.entries_for(request.user, kind)
        page = Paginator(entries, self.per_page).get_page(request.GET.get("page"))
        return render(
            request,
            self.template_name,
            {"page": page, "entries": audit.changes(page.object_list), "type": kind},
        )


# --- invitations ---------------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("邮箱"),
        error_messages={"invalid": gettext_lazy("请输入有效的邮箱地址。")},
    )
    teams = forms.ModelMultipleChoiceField(
        label=gettext_lazy("工作队"),
        queryset=Partner.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("请至少选择一个工作队。")},
    )


class InviteView(View):
    template_name = "oscar/dashboard/desk/invite.html"

    def get(self, request):
        return render(request, self.template_name, {"form": InviteForm()})

    def post(self, request):
        form = InviteForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        user, created = invite_team_member(
            form.cleaned_data["email"], list(form.cleaned_data["teams"]), request.build_absolute_uri
        )
        if created:
            messages.success(
                request,
                _("邀请已发送到 %(email)s，对方设置密码后即可登录。") % {"email": user.email},
            )
        else:
            messages.success(
                request,
                _("%(email)s 已加入所选工作队，并收到了设置密码的链接。") % {"email": user.email},
            )
        return HttpResponseRedirect(reverse("dashboard:desk-invite"))


class InviteAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation link: set a password, which also activates the new account."""

    template_name = "oscar/dashboard/desk/invite_accept.html"
    success_url = reverse_lazy("dashboard:login")
    reset_url_token = "set-password"

    def form_valid(self, form):
        activate_on_password(form.user)
        messages.success(self.request, _("密码已设置，请登录。"))
        return super().form_valid(form)


# --- one-time code -------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("动态验证码"),
        regex=r"^\d{6}$",
        error_messages={"invalid": gettext_lazy("请输入 6 位数字验证码。")},
    )


class OTPVerifyView(View):
    """Staff with a TOTP device enter the six digits from their authenticator app."""

    template_name = "oscar/dashboard/desk/otp_verify.html"

    def next_url(self, request):
        target = request.POST.get("next") or request.GET.get("next") or reverse("dashboard:index")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
            target = reverse("dashboard:index")
        return target

    def get(self, request):
        return render(
            request, self.template_name, {"form": CodeForm(), "next": self.next_url(request)}
        )

    def post(self, request):

        form = CodeForm(request.POST)
        if form.is_valid():
            for device in devices_for_user(request.user, confirmed=True):
                if device.verify_token(form.cleaned_data["code"]):
                    otp_login(request, device)
                    return HttpResponseRedirect(self.next_url(request))
            form.add_error("code", _("验证码不对或已过期，请重新输入。"))
        context = {"form": form, "next": self.next_url(request)}
        return render(request, self.template_name, context, status=400)
