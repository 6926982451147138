"""The run's lists as a printer or a phone's PDF reader sees them: Chinese text that
extracts (so it was drawn with real glyphs), the font embedded, phone numbers that call."""

import shutil
import subprocess
from pathlib import Path

import pytest

from fulfilment import lists
from fulfilment.documents import pdf

needs_poppler = pytest.mark.skipif(
    not shutil.which("pdftotext") or not shutil.which("pdffonts"),
    reason="poppler-utils is not installed (make browser-deps)",
)
needs_font = pytest.mark.skipif(
    not any(Path(path).exists() for path, _ in pdf.FONT_FILES),
    reason="no CJK TrueType font installed (make browser-deps)",
)


def _pdf(client, run, kind, tmp_path):
    response = client.get(f"/shop/team/runs/{run.pk}/lists/{kind}/?format=pdf")
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / f"{kind}.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return text, fonts


@needs_poppler
@needs_font
@pytest.mark.django_db
def test_pdf_lists_carry_their_chinese_text_and_embed_the_font(
    client, closed_run, member, tmp_path
):
    client.force_login(member)
    text, fonts = _pdf(client, closed_run, "packing", tmp_path)
    assert "装袋单" in text and "张三" in text and "李四" in text
    assert "·" in text  # the title's separator, an empty box with the old CID font
    # pdffonts columns: name type encoding emb sub uni object-id. reportlab's canvas always
    # lists Helvetica (unused); the text's font is a TrueType subset, embedded.
    rows = [line.split() for line in fonts.splitlines()[2:] if "TrueType" in line]
    assert rows and all(row[-5] == "yes" and "+" in row[0] for row in rows), fonts
    assert "STSong" not in fonts

    text, fonts = _pdf(client, closed_run, "collection", tmp_path)
    assert "收货单" in text and "吴奶奶家" in text
    text, _fonts = _pdf(client, closed_run, "sheet", tmp_path)
    assert "行车单" in text and "张三" in text


@pytest.mark.django_db
def test_buyers_phone_numbers_call_from_the_packing_list_and_the_run_sheet(
    client, closed_run, member
):
    client.force_login(member)
    base = f"/shop/team/runs/{closed_run.pk}/lists"
    phones = {lists.packed_order(link).phone for link in closed_run.order_links.all()}
    assert phones and "" not in phones
    for kind in ("packing", "sheet"):
        page = client.get(f"{base}/{kind}/").content.decode()
        for phone in phones:
            assert f'href="{dialled(phone)}"' in page, kind
    driver = client.get(f"/shop/team/runs/{closed_run.pk}/driver/").content.decode()
    assert all(f'href="{dialled(phone)}"' in driver for phone in phones)


def dialled(phone):
    """What a dialer needs: the digits (and a leading +), no spaces or dashes."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return f"tel:{'+' if phone.startswith('+') else ''}{digits}"
