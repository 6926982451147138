default_app_config = "shop.dashboard.dashboard.partners.apps.PartnersDashboardConfig"
