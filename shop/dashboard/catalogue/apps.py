import oscar.apps.dashboard.catalogue.apps as apps
from django.urls import path
from oscar.core.loading import get_class

SHOP_URLS = [
    "catalogue-household-list",
    "catalogue-household-create",
    "catalogue-household-update",
    "catalogue-product-export",
    "catalogue-product-import",
]


class CatalogueDashboardConfig(apps.CatalogueDashboardConfig):
    name = "shop.dashboard.catalogue"

    def configure_permissions(self):
        super().configure_permissions()
        DashboardPermission = get_class("dashboard.permissions", "DashboardPermission")
        for name in SHOP_URLS:
            self.permissions_map[name] = (
                ["is_staff"],
                DashboardPermission.partner_dashboard_access,
            )

    def ready(self):
        super().ready()
        # Loaded in ready(): they import models, and apps.py loads before any model exists.
        from shop.dashboard.catalogue import views

        self.household_list_view = views.HouseholdListView
        self.household_create_view = views.HouseholdCreateView
        self.household_update_view = views.HouseholdUpdateView
        self.product_export_view = views.ProductSheetExportView
        self.product_import_view = views.ProductSheetImportView

    def get_urls(self):
        urls = [
            path(
                "households/", self.household_list_view.as_view(), name="catalogue-household-list"
            ),
            path(
                "households/create/",
                self.household_create_view.as_view(),
                name="catalogue-household-create",
            ),
            path(
                "households/<int:pk>/",
                self.household_update_view.as_view(),
                name="catalogue-household-update",
            ),
            path(
                "products/export/",
                self.product_export_view.as_view(),
                name="catalogue-product-export",
            ),
            path(
                "products/import/",
                self.product_import_view.as_view(),
                name="catalogue-product-import",
            ),
        ]
        return self.post_process_urls(urls) + super().get_urls()
