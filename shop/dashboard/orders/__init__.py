default_app_config = "shop.dashboard.dashboard.orders.apps.OrdersDashboardConfig"
