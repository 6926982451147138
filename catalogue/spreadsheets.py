"""A team's products and stock as a spreadsheet (XLSX or CSV), both ways.

``ProductSheetExporter`` writes one row per product a team sells.
``ProductSheetImporter`` reads a file back in four steps the dashboard shows
one by one: ``parse`` (file → rows), ``validate`` (row-level errors in Chinese,
"第 7 行：单价不是数字"), ``diff`` (new / changed fields / unchanged) and
``apply`` (all rows in one transaction, only when every row is valid). A team
can only touch products whose stock record is its own: a UPC that belongs to
another team's product is an error, never an overwrite.
"""

import csv
import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

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
MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024
MAX_COLUMNS = 50  # the export has 8; room for a team's own notes columns
MAX_UNPACKED_BYTES = 40 * 1024 * 1024  # an XLSX is a zip: 2 MB of it can unpack to gigabytes
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
UNIT_BY_LABEL = {str(label): value for value, label in Product.Unit.choices} | {
    value: value for value in Product.Unit.values
}
FIELD_LABELS = dict(COLUMNS)


class SheetError(Exception):
    """The file as a whole cannot be read (wrong type, no header, too big)."""


@dataclass
class Row:
    number: int  # as the team sees it in their spreadsheet program (header is row 1)
    raw: dict
    clean: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    product: Product | None = None
    stockrecord: StockRecord | None = None
    changes: dict = field(default_factory=dict)  # field -> (old, new)

    @property
    def status(self):
        if self.errors:
            return "error"
        if self.product is None:
            return "new"
        return "changed" if self.changes else "unchanged"


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unquote(str(value).strip())


class ProductSheetExporter:
    def __init__(self, team):
        self.team = team

    def rows(self):
        records = (
            StockRecord.objects.filter(partner=self.team)
            .select_related("product__origin_village")
            .prefetch_related("product__categories")
            .order_by("product__upc", "pk")
        )
        for sr in records:
            p = sr.product
            category = next(iter(p.categories.all()), None)
            yield [
                p.upc or "",
                p.title,
                category.name if category else "",
                p.get_unit_display(),
                p.order_step,
                f"{sr.price:.2f}" if sr.price is not None else "",
                sr.num_in_stock if sr.num_in_stock is not None else "",
                p.origin_village.name if p.origin_village else "",
            ]

    def csv_bytes(self):
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(HEADERS)
        writer.writerows(safe_row(row) for row in self.rows())
        return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8

    def xlsx_bytes(self):
        from openpyxl import Workbook  # heavy: loaded only by the workers that use it

        book = Workbook()
        sheet = book.active
        sheet.title = _("产品和库存")
        sheet.append(HEADERS)
        for row in self.rows():
            sheet.append(safe_row(row))
        for column, width in zip("ABCDEFGH", (14, 24, 10, 8, 10, 10, 10, 12), strict=True):
            sheet.column_dimensions[column].width = width
        buf = io.BytesIO()
        book.save(buf)
        return buf.getvalue()


class ProductSheetImporter:
    """parse → validate → diff → apply, for one team."""

    def __init__(self, team):
        self.team = team
        self.rows = []

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

    # --- validate ------------------------------------------------------------------

    def validate(self):
        villages = {v.name: v for v in Village.objects.all()}
        categories = {c.name: c for c in Category.objects.all()}
        upcs = [r.raw["upc"] for r in self.rows if r.raw["upc"]]
        products = {
            p.upc: p for p in Product.objects.filter(upc__in=upcs).prefetch_related("categories")
        }
        records = {
            (sr.product_id, sr.partner_id): sr
            for sr in StockRecord.objects.filter(product__upc__in=upcs)
        }
        seen = {}
        for row in self.rows:
            raw, clean = row.raw, row.clean

            def error(message, row=row):
                row.errors.append(_("第 %(n)d 行：%(msg)s") % {"n": row.number, "msg": message})

            for key, value in raw.items():
                if CONTROL_CHARACTERS.search(value):
                    error(
                        _("“%(col)s”里有看不见的控制字符（例如 NUL），请删掉后再上传")
                        % {"col": FIELD_LABELS[key]}
                    )

            upc = raw["upc"]
            if upc:
                if len(upc) > 64:
                    error(_("商品编号太长（最多 64 个字符）"))
                if upc in seen:
                    error(
                        _("商品编号 %(upc)s 和第 %(other)d 行重复")
                        % {"upc": upc, "other": seen[upc]}
                    )
                seen.setdefault(upc, row.number)
            clean["upc"] = upc or None

            if not raw["title"]:
                error(_("名称不能为空"))
            elif len(raw["title"]) > 255:
                error(_("名称太长（最多 255 个字）"))
            clean["title"] = raw["title"]

            unit = UNIT_BY_LABEL.get(raw["unit"])
            if unit is None:
                error(
                    _("单位“%(unit)s”不认识，可以填：%(units)s")
                    % {
                        "unit": raw["unit"],
                        "units": "、".join(str(label) for _v, label in Product.Unit.choices),
                    }
                )
            clean["unit"] = unit

            clean["order_step"] = self._positive_int(
                raw["order_step"] or "1", _("起购数量"), error, minimum=1
            )
            clean["price"] = self._price(raw["price"], error)
            clean["stock"] = self._positive_int(raw["stock"], _("库存"), error, minimum=0)

            if raw["category"] and raw["category"] not in categories:
                error(_("分类“%(name)s”不存在") % {"name": raw["category"]})
            clean["category"] = categories.get(raw["category"])
            if raw["village"] and raw["village"] not in villages:
                error(_("产地村“%(name)s”不存在，请先在后台添加这个村") % {"name": raw["village"]})
            clean["village"] = villages.get(raw["village"])

            if upc and upc in products:
                product = products[upc]
                record = records.get((product.pk, self.team.pk))
                if record is None:
                    error(_("商品编号 %(upc)s 属于别的工作队，不能修改") % {"upc": upc})
                else:
                    row.product, row.stockrecord = product, record
                    self._check_level(row, error)
        return not self.has_errors

    @staticmethod
    def _check_level(row, error):
        """A new stock level obeys the phone form's rule (``shop.partner.levels``): never
        below what buyers already hold."""
        stock, record = row.clean.get("stock"), row.stockrecord
        if stock is None or stock == record.num_in_stock:
            return
        try:
            levels.new_level(
                record.num_in_stock or 0,
                record.num_allocated or 0,
                levels.SET,
                stock,
                row.product.get_unit_display(),
            )
        except levels.StockError as refusal:
            error(str(refusal))

    @staticmethod
    def _positive_int(text, label, error, minimum):
        try:
            value = Decimal(text)
        except (InvalidOperation, ValueError):
            error(_("%(label)s不是数字") % {"label": label})
            return None
        if value != value.to_integral_value():
            error(_("%(label)s必须是整数") % {"label": label})
            return None
        if value < minimum or value > 1_000_000:
            error(
                _("%(label)s不能小于 %(min)d") % {"label": label, "min": minimum}
                if value < minimum
                else _("%(label)s太大了") % {"label": label}
            )
            return None
        return int(value)

    @staticmethod
    def _price(text, error):
        cleaned = text.replace("¥", "").replace("元", "").replace(",", "").strip()
        try:
            value = Decimal(cleaned)
        except (InvalidOperation, ValueError):
            error(_("单价不是数字"))
            return None
        if not value.is_finite() or value <= 0:
            error(_("单价必须大于 0"))
            return None
        if value > Decimal("99999"):
            error(_("单价太大了"))
            return None
        if value != value.quantize(Decimal("0.01")):
            error(_("单价最多两位小数"))
            return None
        return value.quantize(Decimal("0.01"))

    @property
    def has_errors(self):
        return any(r.errors for r in self.rows)

    @property
    def errors(self):
        return [e for r in self.rows for e in r.errors]

    # --- diff ----------------------------------------------------------------------

    def diff(self):
        for row in self.rows:
            if row.errors or row.product is None:
                continue
            p, sr, c = row.product, row.stockrecord, row.clean
            current = {
                "title": p.title,
                "unit": p.unit,
                "order_step": p.order_step,
                "price": sr.price,
                "stock": sr.num_in_stock,
                "village": p.origin_village,
                "category": next(iter(p.categories.all()), None),
            }
            for key, old in current.items():
                new = c[key]
                if key == "category" and new is None:
                    continue  # an empty category cell leaves categories alone
                if old != new:
                    row.changes[key] = (old, new)
        return self.summary()

    def summary(self):
        counts = {"new": 0, "changed": 0, "unchanged": 0, "error": 0}
        for row in self.rows:
            counts[row.status] += 1
        return counts

    # --- apply ---------------------------------------------------------------------

    @transaction.atomic
    def apply(self):
        """Write every row, or nothing. Returns the summary of what was done."""
        if self.has_errors:
            raise SheetError(_("表格里还有错误，没有导入任何数据。"))
        product_class = (
            ProductClass.objects.filter(slug="farm-produce").first() or ProductClass.objects.first()
        )
        for row in self.rows:
            c = row.clean
            if row.product is None:
                product = Product(
                    upc=c["upc"],
                    title=c["title"],
                    structure=Product.STANDALONE,
                    product_class=product_class,
                    unit=c["unit"],
                    order_step=c["order_step"],
                    origin_village=c["village"],
                    is_public=True,
                )
                product.save()
                StockRecord.objects.create(
                    product=product,
                    partner=self.team,
                    partner_sku=c["upc"] or f"{self.team.code}-{product.pk}",
                    price_currency="CNY",
                    price=c["price"],
                    num_in_stock=c["stock"],
                )
                if c["category"]:
                    ProductCategory.objects.get_or_create(product=product, category=c["category"])
                continue
            if not row.changes:
                continue
            product, record = row.product, row.stockrecord
            if {"title", "unit", "order_step", "village"} & row.changes.keys():
                product.title = c["title"]
                product.unit = c["unit"]
                product.order_step = c["order_step"]
                product.origin_village = c["village"]
                product.save()
            if {"price", "stock"} & row.changes.keys():
                self._write_record(row, record)
            if "category" in row.changes:
                ProductCategory.objects.filter(product=product).delete()
                ProductCategory.objects.create(product=product, category=c["category"])
        return self.summary()

    @staticmethod
    def _write_record(row, record):
        """Price and level on the locked row, only those fields: a reservation taken
        since the preview is neither written over nor sold twice."""
        locked = StockRecord.objects.select_for_update().get(pk=record.pk)
        fields = []
        if "stock" in row.changes:
            try:
                locked.num_in_stock = levels.new_level(
                    locked.num_in_stock or 0,
                    locked.num_allocated or 0,
                    levels.SET,
                    row.clean["stock"],
                    row.product.get_unit_display(),
                )
            except levels.StockError as refusal:
                raise SheetError(
                    _("第 %(n)d 行：%(msg)s") % {"n": row.number, "msg": refusal}
                ) from None
            fields.append("num_in_stock")
        if "price" in row.changes:
            locked.price = row.clean["price"]
            fields.append("price")
        locked.save(update_fields=fields)

    @staticmethod
    def label(key):
        return FIELD_LABELS.get(key, key)
