import oscar.apps.catalogue.apps as apps


class CatalogueConfig(apps.CatalogueConfig):
    name = "catalogue"

    def ready(self):
        super().ready()
        from catalogue import receivers  # noqa: F401  connects the search index signals
