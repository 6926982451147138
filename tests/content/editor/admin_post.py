"""POST data for a Wagtail page edit form, built from a page as the admin's JavaScript would.

The editor's browser sends StreamFields as ``body-count``, ``body-0-type``,
``body-0-value-…`` fields; these helpers walk the blocks and write the same keys,
so tests (and the save/publish timing) go through the real admin views.
"""

from wagtail import blocks
from wagtail.images.blocks import ImageBlock


def block_data(block, value, prefix, out):
    if isinstance(block, blocks.StreamBlock):
        children = list(value or [])
        out[f"{prefix}-count"] = str(len(children))
        for i, child in enumerate(children):
            p = f"{prefix}-{i}"
            out[f"{p}-type"] = child.block_type
            out[f"{p}-deleted"] = ""
            out[f"{p}-order"] = str(i)
            out[f"{p}-id"] = child.id or ""
            block_data(child.block, child.value, f"{p}-value", out)
    elif isinstance(block, blocks.ListBlock):
        items = list(value.bound_blocks) if hasattr(value, "bound_blocks") else []
        out[f"{prefix}-count"] = str(len(items))
        for i, item in enumerate(items):
            p = f"{prefix}-{i}"
            out[f"{p}-deleted"] = ""
            out[f"{p}-order"] = str(i)
            out[f"{p}-id"] = item.id or ""
            block_data(block.child_block, item.value, f"{p}-value", out)
    elif isinstance(block, ImageBlock):
        struct = block._image_to_struct_value(value)
        for name, child in block.child_blocks.items():
            block_data(child, struct.get(name), f"{prefix}-{name}", out)
    elif isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items():
            block_data(child, (value or {}).get(name), f"{prefix}-{name}", out)
    elif isinstance(block, blocks.BooleanBlock):
        if value:
            out[prefix] = "on"
    else:
        form_value = block.field.prepare_value(block.value_for_form(value))
        formatted = block.field.widget.format_value(form_value)
        if isinstance(formatted, (list, tuple)):  # a single <select> formats as a list
            formatted = formatted[0] if formatted else ""
        out[prefix] = "" if formatted is None else str(formatted)
    return out


def page_form_data(page, parent, user, **changes):
    """Everything the edit form of ``page`` would post, with ``changes`` applied."""
    from wagtail.fields import StreamField

    form_class = page.get_edit_handler().get_form_class()
    form = form_class(instance=page, parent_page=parent, for_user=user)
    data = {}
    for name, field in form.fields.items():
        bound = form[name]
        model_field = page._meta.get_field(name) if _has_field(page, name) else None
        if isinstance(model_field, StreamField):
            block_data(model_field.stream_block, getattr(page, name), name, data)
            continue
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
            continue
        formatted = field.widget.format_value(value)
        if isinstance(formatted, (list, tuple)):
            data[name] = [str(v) for v in formatted]
        else:
            data[name] = "" if formatted is None else str(formatted)
    for formset in form.formsets.values():
        management = formset.management_form
        for key in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{formset.prefix}-{key}"] = str(management[key].value() or 0)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _has_field(page, name):
    try:
        page._meta.get_field(name)
    except Exception:
        return False
    return True
