"""Oscar's report downloads (orders, products, customers, baskets, offers, vouchers),
with every cell passed through ``shop.core.exports.safe_row`` before it reaches the CSV."""

from oscar.apps.dashboard.reports.reports import *  # noqa: F403
from oscar.apps.dashboard.reports.reports import ReportCSVFormatter as OscarReportCSVFormatter

from shop.core.exports import safe_row


class SafeCSVWriter:
    def __init__(self, writer):
        self.writer = writer

    def writerow(self, row):
        self.writer.writerow(safe_row(row))

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


class ReportCSVFormatter(OscarReportCSVFormatter):
    def get_csv_writer(self, file_handle, **kwargs):
        return SafeCSVWriter(super().get_csv_writer(file_handle, **kwargs))
