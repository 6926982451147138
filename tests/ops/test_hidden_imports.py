"""The CI check that an import inside a function says why it waits (.ci/hidden_imports.py)."""

import importlib.util
from pathlib import Path

CHECK = Path(__file__).resolve().parents[2] / ".ci" / "hidden_imports.py"
spec = importlib.util.spec_from_file_location("hidden_imports", CHECK)
hidden_imports = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hidden_imports)


def test_an_import_inside_a_function_without_a_reason_fails():
    source = "import os\n\n\ndef f():\n    from shop.order import money\n    return money\n"
    assert hidden_imports.unexplained(source) == [(5, "from shop.order import money")]


def test_a_reason_above_or_beside_the_import_passes():
    above = "def f():\n    # heavy: loaded only by the workers that use it\n    import openpyxl\n"
    beside = "def f():\n    import openpyxl  # heavy: loaded only by the workers that use it\n"
    assert hidden_imports.unexplained(above) == []
    assert hidden_imports.unexplained(beside) == []


def test_one_comment_heads_a_run_of_imports_but_not_the_code_after_it():
    run = (
        "def f():\n"
        "    # Loaded in ready(): they import models\n"
        "    from shop.core import images\n"
        "    from shop.core import (\n"
        "        receivers,\n"
        "    )\n"
        "    images.go()\n"
        "    from shop.speed import rows\n"
    )
    assert hidden_imports.unexplained(run) == [(8, "from shop.speed import rows")]


def test_a_bare_noqa_or_a_hash_in_a_string_is_no_reason():
    noqa = "def f():\n    from shop import tasks  # noqa: F401\n"
    string = 'def f():\n    x = "# not a comment"\n    from shop import tasks\n'
    assert hidden_imports.unexplained(noqa) == [(2, "from shop import tasks  # noqa: F401")]
    assert hidden_imports.unexplained(string) == [(3, "from shop import tasks")]


def test_the_shop_has_no_import_inside_a_function_without_a_reason():
    assert hidden_imports.main() == 0
