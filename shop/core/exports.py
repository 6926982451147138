"""Cells for files a team opens in a spreadsheet program (XLSX and CSV downloads).

Names, titles and addresses in the shop are typed by buyers and teams. A text that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
WPS and LibreOffice as a formula (``=HYPERLINK(...)`` becomes a live link), and
openpyxl itself writes such a text as a formula cell. Every export passes its rows
through ``safe_row``, which puts a single quote in front of those texts, as OWASP's
"CSV injection" advice says; numbers stay numbers. ``unquote`` undoes it for the
stock import, so an exported sheet reads back as it was.
"""

import re

from django.utils.functional import Promise

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
QUOTE = "'"
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value):
    """``value`` as a spreadsheet should hold it: texts that would start a formula get a
    leading quote; numbers (also numbers already written as text, like "-3.50") pass."""
    if isinstance(value, Promise):
        value = str(value)  # a lazy translation
    if not isinstance(value, str):
        return value  # numbers, dates and empty cells keep their type
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return QUOTE + value
    return value


def safe_row(values):
    return [safe_cell(value) for value in values]


def unquote(text):
    """The text ``safe_cell`` was given, for a cell read back from an exported sheet."""
    if text.startswith(QUOTE) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text
