"""The shop's dashboard: Oscar's, plus the team home screen and the desk's pages.

The desk's pages (``shop.desk.views``) live in the ``dashboard`` namespace so
they share its menu, login and permission checks: reports and the audit log for
coordinators and team members, invitations for coordinators only, and the
one-time-code page for any signed-in user.
"""

from django.urls import path
from oscar.apps.dashboard import apps
from oscar.core.loading import get_class


class DashboardConfig(apps.DashboardConfig):
    name = "shop.dashboard"

    def configure_permissions(self):
        super().configure_permissions()
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")
        team = DashboardPermission.partner_dashboard_access
        self.permissions_map.update(
            {
                "desk-reports": (["is_staff", "order.view_order"], team),
                "desk-report-export": (["is_staff", "order.view_order"], team),
                "desk-report-download": (["is_staff", "order.view_order"], team),
                "desk-audit": (["is_staff", "auditlog.view_logentry"], team),
                "desk-invite": ["is_staff", "partner.change_partner", "auth.view_user"],
                "desk-otp-verify": ["is_staff"],
            }
        )

    def ready(self):
        super().ready()
        # Loaded in ready(): they import models, and apps.py loads before any model exists.
        from shop.desk import views as desk_views

        self.reports_view = desk_views.ReportsView
        self.report_export_view = desk_views.ReportExportView
        self.report_download_view = desk_views.ReportDownloadView
        self.audit_view = desk_views.AuditLogView
        self.invite_view = desk_views.InviteView
        self.invite_accept_view = desk_views.InviteAcceptView
        self.otp_verify_view = desk_views.OTPVerifyView

    def get_urls(self):
        urls = [
            path("desk/reports/", self.reports_view.as_view(), name="desk-reports"),
            path(
                "desk/reports/export/", self.report_export_view.as_view(), name="desk-report-export"
            ),
            path(
                "desk/reports/export/<int:pk>/",
                self.report_download_view.as_view(),
                name="desk-report-download",
            ),
            path("desk/audit/", self.audit_view.as_view(), name="desk-audit"),
            path("desk/invite/", self.invite_view.as_view(), name="desk-invite"),
            path(
                "desk/invite/<uidb64>/<token>/",
                self.invite_accept_view.as_view(),
                name="desk-invite-accept",
            ),
            path("desk/code/", self.otp_verify_view.as_view(), name="desk-otp-verify"),
        ]
        return self.post_process_urls(urls) + super().get_urls()
