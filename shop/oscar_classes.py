"""Oscar's class loader, fork first (``OSCAR_DYNAMIC_CLASS_LOADER``).

Oscar's default loader imports its own module for every ``get_class`` even when the
shop's fork defines every class asked for. Importing ``oscar.apps.catalogue.views``
asks for ``search.views``; Oscar's ``search.views`` imports haystack, a second search
engine the shop does not use. Here Oscar's module is imported only when the fork's
module is missing or lacks a class, so the shop's ``search`` app keeps haystack out.
"""

from oscar.core import loading


def fork_first_class_loader(module_label, classnames, module_prefix):
    app_name = loading._find_registered_app_name(module_label)
    if not app_name.startswith(f"{module_prefix}."):
        local_label = ".".join(app_name.split(".") + module_label.split(".")[1:])
        local_module = loading._import_module(local_label, classnames)
        if local_module is not None and all(hasattr(local_module, n) for n in classnames):
            return [getattr(local_module, n) for n in classnames]
    return loading.default_class_loader(module_label, classnames, module_prefix)
