import oscar.apps.catalogue.apps as apps


class CatalogueConfig(apps.CatalogueConfig):
    name = "catalogue"

    def ready(self):
        super().ready()
        # The app's own modules load here, once every model is ready (they import models).
        from catalogue import analytics, live, photos, sort_figures  # noqa: F401 (live: its part)

        analytics.connect()
        photos.connect()
        sort_figures.connect()
