"""jieba and pypinyin behind one small interface: text in, searchable words out.

A private jieba tokenizer knows the trade's words (笨鸡蛋, 小笨鸡, 土鸡蛋…) and, once
taught (``Segmenter.add_words``), the villages' names; every Chinese word also gets its
pinyin, full and initials, so ``jidan`` and ``jd`` find 鸡蛋. This module knows no
model: documents, queries and the editors' choosers all cut text through ``segmenter``.
"""

import json
import logging
import os
import pickle
import re
import subprocess
import sys
import types
from functools import cache, cached_property
from importlib import resources
from importlib.util import find_spec
from pathlib import Path

from django.conf import settings

from shop.search import word_table
from shop.search.word_table import WordTable

# Words of the trade jieba's general dictionary cuts wrongly or not at all.
TRADE_WORDS = [
    "笨鸡蛋",
    "土鸡蛋",
    "小笨鸡",
    "土鸡",
    "笨鸡",
    "柴鸡蛋",
    "乌鸡蛋",
    "绿壳蛋",
    "绿壳",
    "土鸭蛋",
    "鸭蛋",
    "老母鸡",
    "麻鸭",
    "土麻鸭",
    "水蜜桃",
    "甜瓜",
    "西红柿",
    "小白菜",
    "红薯粉条",
    "粉条",
    "干豆角",
    "豆角",
    "玉米面",
    "石磨",
    "小米",
    "杏干",
    "柿子饼",
    "花生油",
    "小榨",
    "紫皮蒜",
    "大蒜",
    "土豆",
    "洋葱",
    "南瓜",
    "西瓜",
    "散养",
    "农家",
    "礼盒",
    "时令",
    "工作队",
    "驻村",
    "消费帮扶",
    "监测户",
    "脱贫户",
    "自提点",
]
# Buyers use these names for the same thing; a query for one finds the others.
SYNONYMS = {
    "笨鸡蛋": ["土鸡蛋", "柴鸡蛋"],
    "土鸡蛋": ["笨鸡蛋", "柴鸡蛋"],
    "柴鸡蛋": ["土鸡蛋", "笨鸡蛋"],
    "笨鸡": ["土鸡"],
    "土鸡": ["笨鸡"],
    "番茄": ["西红柿"],
    "西红柿": ["番茄"],
    "马铃薯": ["土豆"],
    "土豆": ["马铃薯"],
}

WORD_RE = re.compile(r"\w", re.UNICODE)
CJK_RE = re.compile(r"[\u3400-\u9fff]")
ASCII_WORD_RE = re.compile(r"^[a-z0-9]+$")


class Segmenter:
    """jieba and pypinyin behind one small interface."""

    @cached_property
    def tokenizer(self):
        """jieba's tokenizer over the word table file (``word_table``), built on first need.

        The tokenizer never loads jieba's own dict: it is handed the mapped table and
        jieba's total count, and marked initialized."""
        tokenizer = jieba_module().Tokenizer()
        table = open_word_table()
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = table, table.total, True
        for word in TRADE_WORDS:
            tokenizer.add_word(word, freq=20000)
        self._known = set(TRADE_WORDS)
        return tokenizer

    def add_words(self, words):
        tokenizer = self.tokenizer
        for word in words:
            if word and word not in self._known:
                tokenizer.add_word(word, freq=20000)
                self._known.add(word)

    def words(self, text):
        """Every searchable word in ``text``: jieba's search-mode cut, lower-cased."""
        if not text:
            return []
        return [word.lower() for word, _start in self.positions(text)]

    def positions(self, text):
        """(word, where it starts) for the words of ``text``, in order, as ``words`` cuts
        them (not lower-cased); a generator, so a caller can stop early."""
        for word, start, _end in self.tokenizer.tokenize(text, mode="search"):
            if WORD_RE.search(word):
                yield word, start

    def query_words(self, text):
        """The words a buyer meant: jieba's precise cut."""
        return [w.lower() for w in self.tokenizer.cut(text) if WORD_RE.search(w)]

    @staticmethod
    def pinyin(word):
        """(full, initials) for a word with Chinese characters, else None."""
        if not CJK_RE.search(word):
            return None
        lazy_pinyin, normal = pinyin_reader()
        syllables = [s for s in lazy_pinyin(word, style=normal, errors="ignore") if s]
        if not syllables:
            return None
        return "".join(syllables), "".join(s[0] for s in syllables)

    def with_pinyin(self, words):
        out = list(words)
        for word in words:
            spelled = self.pinyin(word)
            if spelled:
                out.extend(spelled)
        return out


segmenter = Segmenter()


@cache
def jieba_module():
    """jieba, imported the light way: its HMM tables from pickles, without pkg_resources.

    jieba ships the tables of its HMM (used for words it does not know) twice, as Python
    modules and as pickles of the same dicts. Imported as modules where no bytecode was
    written, compiling prob_emit.py (1.3 MB of dict literal) left about 60 MB behind in
    the process; the pickles load in a few milliseconds and leave only the dicts. jieba
    reads its packaged files through pkg_resources when it can (13 MB and 0.15 s to import,
    and nothing else in the shop uses it), else with a plain open(); a None in sys.modules
    makes that import fail. Imported on first use: only the processes that search or
    index need jieba."""
    if "jieba" not in sys.modules:
        finalseg = Path(find_spec("jieba").origin).with_name("finalseg")
        for name in ("prob_start", "prob_trans", "prob_emit"):
            table = types.ModuleType(f"jieba.finalseg.{name}")
            with open(finalseg / f"{name}.p", "rb") as file:
                table.P = pickle.load(file)
            sys.modules.setdefault(table.__name__, table)
    hidden = "pkg_resources" not in sys.modules
    if hidden:
        sys.modules["pkg_resources"] = None
    try:
        import jieba  # heavy: loaded only by the workers that use it
    finally:
        if hidden:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)  # jieba prints its cache banner otherwise
    return jieba


def word_table_path():
    """Where this jieba's word table lives: under DATA_DIR, named after jieba's dictionary."""
    source = Path(find_spec("jieba").origin).with_name("dict.txt")
    return Path(settings.DATA_DIR) / "search" / f"jieba-words-{word_table.digest(source)}.bin"


def open_word_table():
    """The word table file, mapped; built first, in a separate interpreter, when missing.

    The builder loads jieba's whole dict (about 100 MB of objects, a few seconds); in its
    own process that memory goes back to the system when it exits, instead of staying
    behind, half reused, in the gunicorn master that every worker copies."""
    path = word_table_path()
    if not path.exists():
        subprocess.run(
            [sys.executable, "-P", word_table.__file__, str(path)],
            check=True,
            timeout=300,
        )
    return WordTable.open(path)


@cache
def pinyin_reader():
    """pypinyin's ``lazy_pinyin`` and its plain style, with the phrase table kept small.

    pypinyin reads its 47,000 phrases (the readings that differ from the letters' own:
    重庆 chongqing, 银行 yinhang) from JSON as about 600,000 objects, 35 MB: a list of
    lists of strings per phrase, each syllable its own string. Its documented switches
    PYPINYIN_NO_PHRASES and PYPINYIN_NO_DICT_COPY leave the table out; the same phrases are
    then given back through its ``load_phrases_dict`` with every syllable and every
    one-reading list shared (pypinyin copies a phrase's readings before it changes them).
    Imported on first use: only the processes that search or index spell."""
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
    # heavy, and pypinyin reads the two switches above when first imported: import after
    from pypinyin import Style, lazy_pinyin, load_phrases_dict
    from pypinyin.constants import PHRASES_DICT

    if not PHRASES_DICT:  # pypinyin was not imported earlier with its own table
        load_phrases_dict(shared_phrases())
    return lazy_pinyin, Style.NORMAL


def shared_phrases():
    """pypinyin's phrase table, each distinct syllable list stored once.

    Read entry by entry (``json_object_items``): decoded whole, the table's 600,000
    short-lived objects would leave memory behind between the ones kept."""
    text = resources.files("pypinyin").joinpath("phrases_dict.json").read_text("utf-8")
    lists = {}
    phrases = {}
    for phrase, readings in json_object_items(text):
        row = []
        for reading in readings:
            key = tuple(reading)
            if key not in lists:
                lists[key] = [sys.intern(syllable) for syllable in reading]
            row.append(lists[key])
        phrases[phrase] = row
    return phrases


SPACE_RE = re.compile(r"\s*")


def json_object_items(text):
    """(key, value) of a JSON object's entries, one at a time, by the standard decoder."""
    decoder = json.JSONDecoder()

    def skip(index, expected=None):
        index = SPACE_RE.match(text, index).end()
        if expected is not None:
            if text[index : index + 1] != expected:
                raise ValueError(f"expected {expected!r} at {index}")
            index += 1
        return index

    index = skip(0, "{")
    if text[skip(index) : skip(index) + 1] == "}":
        return
    while True:
        key, index = decoder.raw_decode(text, skip(index))
        value, index = decoder.raw_decode(text, skip(skip(index, ":")))
        yield key, value
        index = skip(index)
        if text[index : index + 1] == "}":
            return
        index = skip(index, ",")


def load_dictionaries():
    """Load jieba's and pypinyin's dictionaries now (about 40 MB, and two seconds or so).
    App servers call it before forking their workers, so the workers share one copy and the
    first search after a start does not wait for it. No database access."""
    segmenter.tokenizer  # noqa: B018 -- the cached property does the loading
    segmenter.pinyin("鸡蛋")
