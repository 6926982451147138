"""A team's products and stock as a spreadsheet (XLSX or CSV), both ways.

The columns, their Chinese headers and how each cell is read and written are one
django-import-export resource, ``ProductSheetResource`` (a team's stock records, with
their products). Export is ``resource.export()`` made safe for spreadsheet programs
(``shop.core.exports.safe_row``); import is the library's ``import_data``: a dry run for
the preview (new / changed fields / unchanged, row errors in Chinese such as
"第 7 行：单价不是数字") and, after 确认导入, the same rows applied in one transaction,
rolled back whole if any row fails. A dry run writes nothing, not even inside a
rolled-back transaction.

What stays the shop's own, because the library does not do it: reading the file
(``ProductSheetImporter.parse``: size, row and column caps, the zip-bomb guard and GBK
CSVs; the library's readers load a whole sheet whatever its size), the row numbers as the
team sees them, and writing a stock level on the locked row by the phone form's rule
(``shop.partner.levels``), so a reservation taken since the preview is kept. A team can
only touch products whose stock record is its own: a UPC that belongs to another team's
product is an error, never an overwrite.
"""

import csv
import io
import itertools
import logging
import re
import zipfile
from copy import deepcopy
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.fields import Field

from catalogue.models import Category, Product, ProductCategory, ProductClass, Village
from shop.core.exports import safe_row, unquote
from shop.partner import levels
from shop.partner.models import StockRecord

COLUMNS = [
    ("upc", "商品编号"),
    ("title", "名称"),
    ("category", "分类"),
    ("unit", "单位"),
    ("order_step", "起购数量"),
    ("price", "单价"),
    ("stock", "库存"),
    ("village", "产地村"),
]
HEADERS = [label for _key, label in COLUMNS]
KEYS = [key for key, _label in COLUMNS]
MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024
MAX_COLUMNS = 50  # the export has 8; room for a team's own notes columns
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # an XLSX is a zip: 2 MB of it can unpack to gigabytes
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
UNIT_BY_LABEL = {str(label): value for value, label in Product.Unit.choices} | {
    value: value for value in Product.Unit.values
}
FIELD_LABELS = dict(COLUMNS)
logger = logging.getLogger(__name__)
PRODUCT_FIELDS = {"title", "unit", "order_step", "village"}
RECORD_FIELDS = {"price", "stock"}


class SheetError(Exception):
    """The file as a whole cannot be read (wrong type, no header, too big), or an import
    that was refused whole."""


@dataclass
class Row:
    number: int  # as the team sees it in their spreadsheet program (header is row 1)
    raw: dict
    clean: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    new: bool = False
    changes: dict = field(default_factory=dict)  # field -> (old, new)

    @property
    def shown_changes(self):
        """(column header, old, new) for the preview, in the sheet's column order."""
        return [(FIELD_LABELS[key], *self.changes[key]) for key in KEYS if key in self.changes]

    @property
    def status(self):
        if self.errors:
            return "error"
        if self.new:
            return "new"
        return "changed" if self.changes else "unchanged"


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unquote(str(value).strip())


# --- cells: one widget per column, its messages in Chinese ---------------------------


class Cell(widgets.Widget):
    """A text cell. ``clean`` raises ``ValueError`` with the message the team reads; the
    library files it under the row as a validation error."""

    def __init__(self, key, max_length=None, required=False):
        super().__init__(coerce_to_string=False)
        self.key, self.max_length, self.required = key, max_length, required

    def clean(self, value, row=None, **kwargs):
        text = value or ""
        if CONTROL_CHARACTERS.search(text):
            raise ValueError(
                _("“%(col)s”里有看不见的控制字符（例如 NUL），请删掉后再上传")
                % {"col": FIELD_LABELS[self.key]}
            )
        return self.parse(text)

    def parse(self, text):
        if not text:
            if self.required:
                raise ValueError(self.empty_message())
            return None
        if self.max_length and len(text) > self.max_length:
            raise ValueError(self.long_message())
        return text

    def empty_message(self):
        return _("名称不能为空")

    def long_message(self):
        if self.key == "upc":
            return _("商品编号太长（最多 64 个字符）")
        return _("名称太长（最多 255 个字）")

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class UnitCell(Cell):
    def parse(self, text):
        unit = UNIT_BY_LABEL.get(text)
        if unit is None:
            raise ValueError(
                _("单位“%(unit)s”不认识，可以填：%(units)s")
                % {
                    "unit": text,
                    "units": "、".join(str(label) for _v, label in Product.Unit.choices),
                }
            )
        return unit

    def render(self, value, obj=None, **kwargs):
        return str(dict(Product.Unit.choices).get(value, value or ""))


class WholeNumberCell(Cell):
    def __init__(self, key, minimum, default=None):
        super().__init__(key)
        self.minimum, self.default = minimum, default

    def parse(self, text):
        label = FIELD_LABELS[self.key]
        try:
            value = Decimal(text or self.default or "")
        except (InvalidOperation, ValueError):
            raise ValueError(_("%(label)s不是数字") % {"label": label}) from None
        if value != value.to_integral_value():
            raise ValueError(_("%(label)s必须是整数") % {"label": label})
        if value < self.minimum:
            raise ValueError(_("%(label)s不能小于 %(min)d") % {"label": label, "min": self.minimum})
        if value > levels.MAX_LEVEL:
            raise ValueError(_("%(label)s太大了") % {"label": label})
        return int(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value  # a number stays a number in the XLSX


class PriceCell(Cell):
    def parse(self, text):
        cleaned = text.replace("¥", "").replace("元", "").replace(",", "").strip()
        try:
            value = Decimal(cleaned)
        except (InvalidOperation, ValueError):
            raise ValueError(_("单价不是数字")) from None
        if not value.is_finite() or value <= 0:
            raise ValueError(_("单价必须大于 0"))
        if value > Decimal("99999"):
            raise ValueError(_("单价太大了"))
        if value != value.quantize(Decimal("0.01")):
            raise ValueError(_("单价最多两位小数"))
        return value.quantize(Decimal("0.01"))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{value:.2f}"


class NamedCell(Cell):
    """A category or a village, by its name; ``choices`` is filled per import."""

    choices = None

    def parse(self, text):
        if not text:
            return None
        if text not in self.choices:
            if self.key == "village":
                raise ValueError(_("产地村“%(name)s”不存在，请先在后台添加这个村") % {"name": text})
            raise ValueError(_("分类“%(name)s”不存在") % {"name": text})
        return self.choices[text]

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value.name


# --- the resource ----------------------------------------------------------------------


class ProductSheetResource(resources.ModelResource):
    """One team's stock records and their products, one row each."""

    upc = Field("product__upc", "商品编号", Cell("upc", max_length=64))
    title = Field("product__title", "名称", Cell("title", max_length=255, required=True))
    category = Field("sheet_category", "分类", NamedCell("category"))
    unit = Field("product__unit", "单位", UnitCell("unit"))
    order_step = Field("product__order_step", "起购数量", WholeNumberCell("order_step", 1, "1"))
    price = Field("price", "单价", PriceCell("price"))
    stock = Field("num_in_stock", "库存", WholeNumberCell("stock", 0))
    village = Field("product__origin_village", "产地村", NamedCell("village"))

    class Meta:
        model = StockRecord
        fields = KEYS
        import_order = export_order = KEYS
        import_id_fields = ["upc"]
        clean_model_instances = False  # every rule is in the cells and in import_instance
        skip_html_diff = True  # the preview shows the changed fields, not an HTML diff
        report_skipped = True  # every row has a result, in the file's order
        store_instance = True

    def __init__(self, team):
        super().__init__()
        self.team = team

    def get_queryset(self):
        return (
            StockRecord.objects.filter(partner=self.team)
            .select_related("product__origin_village")
            .prefetch_related("product__categories")
            .order_by("product__upc", "pk")
        )

    # --- export ------------------------------------------------------------------

    def dehydrate_category(self, record):
        category = next(iter(record.product.categories.all()), None)
        return category.name if category else ""

    # --- import: before the rows ---------------------------------------------------

    def before_import(self, dataset, **kwargs):
        self.fields["category"].widget.choices = {c.name: c for c in Category.objects.all()}
        self.fields["village"].widget.choices = {v.name: v for v in Village.objects.all()}
        upcs = [u for u in dataset[FIELD_LABELS["upc"]] if u]
        self.records = {
            sr.product.upc: sr for sr in self.get_queryset().filter(product__upc__in=upcs)
        }
        self.taken_upcs = set(Product.objects.filter(upc__in=upcs).values_list("upc", flat=True))
        self.seen = {}
        self.product_class = (
            ProductClass.objects.filter(slug="farm-produce").first() or ProductClass.objects.first()
        )

    def get_instance(self, instance_loader, row):
        """The team's own record for the row's UPC (a copy: the loaded one stays as it was,
        for the level rule and a UPC the sheet repeats)."""
        record = self.records.get(row[FIELD_LABELS["upc"]] or None)
        return deepcopy(record) if record is not None else None

    def init_instance(self, row=None):
        product = Product(
            structure=Product.STANDALONE, product_class=self.product_class, is_public=True
        )
        return StockRecord(partner=self.team, product=product, price_currency="CNY")

    def after_import(self, dataset, result, **kwargs):
        """Nothing: the library resets the table's id sequence here, for files that carry
        ids; ours never do."""

    # --- import: one row -------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        """The cells (the library: each widget's ``clean``), then what needs the other
        rows and the database: a repeated UPC, another team's UPC, a level below what
        buyers hold."""
        try:
            super().import_instance(instance, row, **kwargs)
            errors = {}
        except ValidationError as error:
            errors = error.update_error_dict({})
        number = kwargs["row_number"]
        upc = row[FIELD_LABELS["upc"]]
        extra = []
        if upc:
            if upc in self.seen:
                extra.append(
                    _("商品编号 %(upc)s 和第 %(other)d 行重复")
                    % {"upc": upc, "other": self.seen[upc]}
                )
            self.seen.setdefault(upc, kwargs.get("sheet_rows", {}).get(number, number))
            if instance.pk is None and upc in self.taken_upcs:
                extra.append(_("商品编号 %(upc)s 属于别的工作队，不能修改") % {"upc": upc})
        if extra:
            errors.setdefault("product__upc", []).extend(ValidationError(m) for m in extra)
        loaded = self.records.get(upc) if instance.pk is not None else None
        if loaded and "num_in_stock" not in errors and instance.num_in_stock != loaded.num_in_stock:
            refusal = self.level_refusal(loaded.num_in_stock, loaded.num_allocated, instance)
            if refusal:
                errors["num_in_stock"] = [ValidationError(refusal)]
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def level_refusal(current, held, record):
        """The phone form's rule (``shop.partner.levels``) for the level the sheet sets on
        ``record``, from ``current`` with ``held`` units reserved by buyers."""
        try:
            levels.new_level(
                current or 0,
                held or 0,
                levels.SET,
                record.num_in_stock,
                record.product.get_unit_display(),
            )
        except levels.StockError as refusal:
            return str(refusal)
        return None

    def changes(self, instance, original):
        """Field -> (old, new) for an existing row; an empty category cell leaves the
        categories alone."""
        found = {}
        for key in KEYS[1:]:
            if key == "category":
                old = next(iter(original.product.categories.all()), None)
                new = getattr(instance, "sheet_category", None)
                if new is not None and old != new:
                    found[key] = (old, new)
                continue
            old, new = self.fields[key].get_value(original), self.fields[key].get_value(instance)
            if old != new:
                found[key] = (old, new)
        return found

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """An unchanged row is skipped (status "unchanged"); the changes are kept on the
        instance for the preview and for writing only what changed."""
        instance.sheet_changes = {}
        if import_validation_errors or instance.pk is None:
            return False
        instance.sheet_changes = self.changes(instance, original)
        return not instance.sheet_changes

    def save_instance(self, instance, is_create, row, **kwargs):
        if self._is_dry_run(kwargs):
            return  # the preview writes nothing
        if is_create:
            self.create(instance)
        else:
            self.update(instance)

    def create(self, record):
        product = record.product
        product.save()
        record.product = product
        record.partner_sku = product.upc or f"{self.team.code}-{product.pk}"
        record.save()
        category = getattr(record, "sheet_category", None)
        if category:
            ProductCategory.objects.get_or_create(product=product, category=category)

    def update(self, record):
        changed = record.sheet_changes.keys()
        product = record.product
        if PRODUCT_FIELDS & changed:
            product.save()
        if RECORD_FIELDS & changed:
            self.write_record(record, changed)
        if "category" in changed:
            ProductCategory.objects.filter(product=product).delete()
            ProductCategory.objects.create(product=product, category=record.sheet_category)

    def write_record(self, record, changed):
        """Price and level on the locked row, only those fields: a reservation taken
        since the preview is neither written over nor sold twice."""
        locked = StockRecord.objects.select_for_update().get(pk=record.pk)
        fields = []
        if "stock" in changed:
            refusal = self.level_refusal(locked.num_in_stock, locked.num_allocated, record)
            if refusal:
                raise ValidationError({"num_in_stock": [refusal]})
            locked.num_in_stock = record.num_in_stock
            fields.append("num_in_stock")
        if "price" in changed:
            locked.price = record.price
            fields.append("price")
        locked.save(update_fields=fields)


# --- export ----------------------------------------------------------------------------


class ProductSheetExporter:
    def __init__(self, team):
        self.resource = ProductSheetResource(team)

    def dataset(self):
        """The resource's export, every cell through ``safe_row`` (no live formula)."""
        exported = self.resource.export()
        dataset = tablib.Dataset(headers=exported.headers, title=_("产品和库存"))
        for row in exported:
            dataset.append(safe_row(row))
        return dataset

    def csv_bytes(self):
        return ("\ufeff" + self.dataset().export("csv")).encode("utf-8")  # BOM: Excel reads UTF-8

    def xlsx_bytes(self):
        return self.dataset().export("xlsx")  # tablib loads openpyxl only now


# --- import ----------------------------------------------------------------------------


class ProductSheetImporter:
    """parse (the shop's guarded reader) → validate and diff (the library's dry run) →
    apply (the library's import in one transaction), for one team."""

    def __init__(self, team):
        self.team = team
        self.rows = []
        self.validated = False

    # --- parse ---------------------------------------------------------------------

    def parse(self, filename, content):
        if len(content) > MAX_BYTES:
            raise SheetError(_("文件太大了（超过 2 MB），请分成几个文件导入。"))
        name = (filename or "").lower()
        if name.endswith(".xlsx"):
            table = self._read_xlsx(content)
        elif name.endswith(".csv"):
            table = self._read_csv(content)
        else:
            raise SheetError(_("只支持 .xlsx 或 .csv 文件。"))
        if not table:
            raise SheetError(_("文件是空的。"))
        header = [_cell(h) for h in table[0]]
        missing = [h for h in HEADERS if h not in header]
        if missing:
            raise SheetError(
                _("第 1 行缺少这些列：%(cols)s。请用导出的表格做模板。")
                % {"cols": "、".join(missing)}
            )
        index = {label: header.index(label) for label in HEADERS}
        body = table[1:]
        if len(body) > MAX_ROWS:
            raise SheetError(_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS})
        self.rows = []
        for offset, values in enumerate(body, start=2):
            cells = [_cell(v) for v in values]
            if not any(cells):
                continue
            raw = {
                key: (cells[index[label]] if index[label] < len(cells) else "")
                for key, label in COLUMNS
            }
            self.rows.append(Row(number=offset, raw=raw))
        if not self.rows:
            raise SheetError(_("文件里没有数据行。"))
        self.validated = False
        return self.rows

    @staticmethod
    def _read_csv(content):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise SheetError(_("读不出这个 CSV 文件的编码，请另存为 UTF-8。"))
        # a header, the cap and one more row: enough to tell "too many" without reading on
        return list(itertools.islice(csv.reader(io.StringIO(text)), MAX_ROWS + 2))

    @staticmethod
    def _read_xlsx(content):
        from openpyxl import load_workbook  # heavy: loaded only by the workers that use it

        unreadable = _("打不开这个 Excel 文件，请确认是 .xlsx 格式。")
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                unpacked = sum(member.file_size for member in archive.infolist())
        except (zipfile.BadZipFile, ValueError) as error:
            raise SheetError(unreadable) from error
        if unpacked > MAX_UNPACKED_BYTES:
            raise SheetError(_("这个 Excel 文件解压后太大了，请只保留要导入的那张表再上传。"))
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many types for a bad file
            raise SheetError(unreadable) from error
        try:
            if not book.worksheets:
                raise SheetError(unreadable)
            sheet = book.worksheets[0]
            # The sheet declares its size up front; a million-row sheet is refused unread.
            if (sheet.max_row or 0) > MAX_ROWS + 1:
                raise SheetError(_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS})
            # read-only iter_rows stops parsing at max_row, whatever the sheet declared
            rows = sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=MAX_COLUMNS, values_only=True)
            return [list(r) for r in rows]
        except SheetError:
            raise
        except Exception as error:  # a broken sheet inside a good zip
            raise SheetError(unreadable) from error
        finally:
            book.close()

    # --- validate and diff: the library's dry run ------------------------------------

    def dataset(self):
        return tablib.Dataset(*[[r.raw[k] for k in KEYS] for r in self.rows], headers=HEADERS)

    def run(self, dry_run):
        resource = ProductSheetResource(self.team)
        result = resource.import_data(
            self.dataset(),
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            sheet_rows={i: row.number for i, row in enumerate(self.rows, start=1)},
        )
        if result.base_errors:  # a fault outside any row: nothing was written
            raise SheetError(_("导入时出了问题，没有写入任何数据，请稍后再试。"))
        for row, outcome in zip(self.rows, result.rows, strict=True):
            self._read_outcome(resource, row, outcome)
        self.validated = True
        return result

    @staticmethod
    def _read_outcome(resource, row, outcome):
        row.errors, row.changes, row.clean = [], {}, {}
        row.new = outcome.import_type == outcome.IMPORT_TYPE_NEW
        messages = []
        refusal = outcome.validation_error
        if refusal is not None and hasattr(refusal, "error_dict"):
            by_attribute = refusal.message_dict
            for key in KEYS:
                messages += by_attribute.get(resource.fields[key].attribute, [])
        elif refusal is not None:
            messages += refusal.messages
        if outcome.errors:  # the database refused the row (a UPC taken meanwhile, ...)
            logger.error("products sheet row %d failed: %r", row.number, outcome.errors[0].error)
            messages.append(_("保存失败，请重新上传后再试"))
        row.errors = [_("第 %(n)d 行：%(msg)s") % {"n": row.number, "msg": m} for m in messages]
        instance = outcome.instance
        if instance is not None and not row.errors:
            row.changes = getattr(instance, "sheet_changes", {})
            row.clean = {key: resource.fields[key].get_value(instance) for key in KEYS}

    def validate(self):
        self.run(dry_run=True)
        return not self.has_errors

    def diff(self):
        if not self.validated:
            self.validate()
        return self.summary()

    @property
    def has_errors(self):
        return any(r.errors for r in self.rows)

    @property
    def errors(self):
        return [e for r in self.rows for e in r.errors]

    def summary(self):
        counts = {"new": 0, "changed": 0, "unchanged": 0, "error": 0}
        for row in self.rows:
            counts[row.status] += 1
        return counts

    # --- apply ---------------------------------------------------------------------

    def apply(self):
        """Write every row in one transaction, or nothing. Returns the summary of what
        was done."""
        if not self.validated:
            self.validate()
        if self.has_errors:
            raise SheetError(_("表格里还有错误，没有导入任何数据。"))
        self.run(dry_run=False)  # rolled back whole if any row fails now
        if self.has_errors:
            raise SheetError(_("表格里还有错误，没有导入任何数据。"))
        return self.summary()

    @staticmethod
    def label(key):
        return FIELD_LABELS.get(key, key)
