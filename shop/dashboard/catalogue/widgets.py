"""Oscar's product picker, safe to show again with whatever was posted."""

from oscar.apps.dashboard.catalogue import widgets as oscar_widgets


class ProductSelect(oscar_widgets.ProductSelect):
    def optgroups(self, name, value, attrs=None):
        # Oscar looks the posted ids up to show them again; a non-number was a 500.
        value = [v for v in value if str(v).isascii() and str(v).isdigit()]
        return super().optgroups(name, value, attrs)
