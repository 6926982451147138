"""The search dictionaries in their small form (issue 23) answer exactly as the libraries'
own: jieba's word table as flat arrays in a mapped file (shop.search.word_table), its HMM
tables read from pickles, pypinyin's phrase table with shared syllable lists
(pinyin_reader)."""

import json
import logging
import os
import pickle
import subprocess
import sys
from pathlib import Path

import jieba
import jieba.finalseg
import pytest

from shop.search.segmenter import (
    TRADE_WORDS,
    Segmenter,
    WordTable,
    json_object_items,
    segmenter,
    word_table_path,
)
from tests.fresh_interpreter import last_json_of

TEXTS = [
    "散养土鸡蛋30枚礼盒装，驻村工作队消费帮扶",
    "王大姐家的笨鸡蛋，石磨玉米面，紫皮蒜和红薯粉条",
    "小明硕士毕业于中国科学院计算所，后在日本京都大学深造",
    "QQ号和4S店，BP机，IP电话",  # ASCII words whose bytes match a Chinese letter's
    "西红柿炒鸡蛋 tomato 2kg 装",
]


@pytest.fixture(scope="module")
def plain():
    """jieba's own tokenizer with its dict, taught the same trade words."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for word in TRADE_WORDS:
        tokenizer.add_word(word, freq=20000)
    return tokenizer


def test_word_table_answers_every_word_and_prefix_as_jiebas_dict(plain):
    table = segmenter.tokenizer.FREQ
    assert isinstance(table, WordTable)
    wrong = [word for word, count in plain.FREQ.items() if table.get(word) != count]
    assert wrong == []
    # Words jieba does not know stay unknown (a collision would make them known).
    unknown = [w + "鿿" for w in list(plain.FREQ)[::50]] + ["兑兑兑", "qq", "zz"]
    assert [w for w in unknown if w in table or table.get(w) is not None] == []
    with pytest.raises(KeyError):
        table["鿿鿿"]


def test_strings_with_the_same_bytes_keep_their_own_frequencies():
    # "QQ" (two one-byte letters) and "兑" (U+5151, one two-byte letter) share
    # CPython's string hash; the table keeps them apart.
    table = WordTable.from_counts({"QQ": 0, "兑": 1295, "BP": 47})
    assert (table["QQ"], table["兑"], table["BP"]) == (0, 1295, 47)
    assert table.get("偂") is None


TABLE_BYTES = """
import hashlib, sys
from shop.search.word_table import table_bytes
print(hashlib.sha256(table_bytes({"鸡蛋": 5, "鸡": 0, "QQ": 1, "兑": 2}, 8)).hexdigest())
"""


def test_word_table_file_is_the_same_whichever_process_builds_it():
    """The file is built once and read by other processes: its hashes are not Python's
    hash(), which changes with each process (PYTHONHASHSEED)."""
    digests = {
        subprocess.run(
            [sys.executable, "-c", TABLE_BYTES],
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=Path(__file__).resolve().parents[2],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


def test_the_tokenizer_reads_the_table_file_with_jiebas_total(plain):
    # A fresh segmenter: the shared one may have been taught the villages' names meanwhile.
    assert Segmenter().tokenizer.total == plain.total  # the trade words' counts included
    table = WordTable.open(word_table_path())
    assert table.total == plain.total - 20000 * len(TRADE_WORDS)
    assert table["鸡蛋"] == plain.FREQ["鸡蛋"] > 0


def test_hmm_tables_from_pickles_are_jiebas_own():
    """jieba_module() reads the HMM tables from jieba's pickles, not its modules; both
    forms ship with jieba and must hold the same probabilities."""
    folder = Path(jieba.finalseg.__file__).parent
    for name in ("prob_start", "prob_trans", "prob_emit"):
        with open(folder / f"{name}.p", "rb") as file:
            assert pickle.load(file) == getattr(jieba.finalseg, name[5:] + "_P"), name


def test_cuts_match_jiebas_own_tokenizer(plain):
    for text in TEXTS:
        assert list(segmenter.tokenizer.cut(text)) == list(plain.cut(text)), text
        assert list(segmenter.tokenizer.cut_for_search(text)) == list(plain.cut_for_search(text)), (
            text
        )


def test_words_taught_later_are_cut_whole():
    seg = Segmenter()
    assert "岔河口村" not in seg.query_words("岔河口村的鸡蛋")
    seg.add_words(["岔河口村"])
    assert "岔河口村" in seg.query_words("岔河口村的鸡蛋")
    assert seg.tokenizer.FREQ["岔河口村"] == 20000


def test_json_entries_one_at_a_time_match_the_decoder():
    text = ' { "一丁": [["yī"], ["dīng"]] ,\n"a\\u4e00" : 2, "b": {"c": [1]} } '
    assert dict(json_object_items(text)) == json.loads(text)
    assert list(json_object_items("{ }")) == []
    with pytest.raises(ValueError):
        list(json_object_items('{"a" 1}'))


SPELL = """
import json, sys
words = ["重庆", "银行", "长寿", "一丁点儿", "土鸡蛋", "行长", "朝阳", "鸡蛋", "驻村"]
if sys.argv[1] == "shop":
    from shop.search.segmenter import segmenter, pinyin_reader
    out = [segmenter.pinyin(w) for w in words]
    from pypinyin.constants import PHRASES_DICT
    lists = {id(x) for row in PHRASES_DICT.values() for x in row}
    print(json.dumps({"out": out, "phrases": len(PHRASES_DICT), "lists": len(lists)}))
else:
    from pypinyin import Style, lazy_pinyin
    from pypinyin.constants import PHRASES_DICT
    out = []
    for w in words:
        s = lazy_pinyin(w, style=Style.NORMAL)
        out.append(["".join(s), "".join(x[0] for x in s)])
    print(json.dumps({"out": out, "phrases": len(PHRASES_DICT)}))
"""


def spell(mode):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYPINYIN")}
    return last_json_of(SPELL, mode, env=env, timeout=120, tail=2000)


def test_pinyin_reads_phrases_as_pypinyin_does_with_its_own_table():
    shop, library = spell("shop"), spell("pypinyin")
    assert shop["out"] == library["out"]
    assert shop["out"][:2] == [["chongqing", "cq"], ["yinhang", "yh"]]  # phrase readings
    assert shop["phrases"] == library["phrases"] > 40000
    # Every phrase's syllable lists are shared: a few thousand lists for ~47,000 phrases.
    assert shop["lists"] < 10000
