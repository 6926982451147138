"""jieba and pypinyin behind one small interface: text in, searchable words out.

A private jieba tokenizer knows the trade's words (笨鸡蛋, 小笨鸡, 土鸡蛋…) and, once
taught (``Segmenter.add_words``), the villages' names; every Chinese word also gets its
pinyin, full and initials, so ``jidan`` and ``jd`` find 鸡蛋. This module knows no
model: documents, queries and the editors' choosers all cut text through ``segmenter``.
"""

import json
import logging
import os
import re
import sys
from array import array
from functools import cache, cached_property
from importlib import resources

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


class WordTable:
    """jieba's word table (every word and word prefix -> its frequency) in two flat arrays.

    jieba keeps the table as a dict of about 500,000 strings: about 100 MB of Python objects
    in every web worker. Here each entry is the word's hash in one array and its frequency
    in another (open addressing, at most half full; see ``_hash``): 2^20 slots of 8 + 4
    bytes, 12.6 MB, and no objects for the garbage collector to walk. The table answers only
    what jieba asks of it (``in``, ``[]``, ``get`` and adding a word); two words with the
    same 64-bit hash would share an entry, which for half a million words is about one
    chance in 10^8. Hashes are Python's own, so a table lives in the process tree that built
    it (gunicorn's and Celery's forks), never on disk. Words added later (``add_word``: the
    trade's words, the villages' names) go to a small dict beside the arrays."""

    def __init__(self, freq):
        size = 1 << max(4, (2 * len(freq)).bit_length())
        self._mask = size - 1
        self._hashes = array("q", bytes(8 * size))  # 0 marks a free slot
        # jieba's counts stay far below 2**32 (the largest is under a million): 4 bytes each.
        self._freqs = array("I", bytes(4 * size))
        self._added = {}
        for word, count in freq.items():
            self._put(word, count)

    @staticmethod
    def _hash(word):
        # CPython hashes a string's stored bytes: "QQ" (two one-byte letters) and "兑"
        # (U+5151, one two-byte letter) hash alike. Mixing in the length parts them; the
        # result stays a signed 64-bit value. 0 is the free slot's mark.
        return (hash(word) ^ (len(word) << 40)) or 1

    def _put(self, word, count):
        wanted = self._hash(word)
        hashes, mask = self._hashes, self._mask
        index = wanted & mask
        while hashes[index] not in (0, wanted):
            index = (index + 1) & mask
        hashes[index] = wanted
        self._freqs[index] = count

    def get(self, word, default=None):
        # jieba asks this for every fragment of every sentence: one function, no calls.
        if word in self._added:
            return self._added[word]
        wanted = (hash(word) ^ (len(word) << 40)) or 1
        hashes, mask = self._hashes, self._mask
        index = wanted & mask
        while True:
            found = hashes[index]
            if found == wanted:
                return self._freqs[index]
            if not found:
                return default
            index = (index + 1) & mask

    def __contains__(self, word):
        return self.get(word) is not None

    def __getitem__(self, word):
        count = self.get(word)
        if count is None:
            raise KeyError(word)
        return count

    def __setitem__(self, word, count):
        self._added[word] = count


class Segmenter:
    """jieba and pypinyin behind one small interface."""

    @cached_property
    def tokenizer(self):
        # Imported on first use: only the processes that search or index need jieba and its
        # dictionary (a second to load; load_dictionaries preloads it in the gunicorn master).
        import jieba

        jieba.setLogLevel(logging.WARNING)  # jieba prints its cache banner otherwise
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        tokenizer.FREQ = WordTable(tokenizer.FREQ)  # the dict it replaces is freed here
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
