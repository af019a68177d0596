"""Hostile attachments are refused or cut by a limit, with a warning, in bounded time and memory.

Each file is built at test time (a gigabyte-sized bomb costs a megabyte) and parsed in a child
process (conftest.py) that measures wall time and peak memory above its post-import baseline,
with its address space capped at 3 GB so a broken limit fails the test, not the machine.
"""

from __future__ import annotations

import zlib

from tests.hostile.bombs import (
    CATALOG,
    GIB,
    HELVETICA,
    ONE_PAGE_TREE,
    docx_bomb,
    pdf_file,
    text_page,
    zlib_bomb,
)
from tests.hostile.conftest import MAX_EXTRA_MB, MAX_SECONDS

DOCX_URL = "http://127.0.0.1/module/download/downfile.jsp?filename=report.docx"
PDF_URL = "http://127.0.0.1/attach/P020240115.pdf"


def within_bounds(result) -> None:  # type: ignore[no-untyped-def]
    assert result.seconds < MAX_SECONDS, result
    assert result.peak_extra_mb < MAX_EXTRA_MB, result


# --- DOCX zip bombs -----------------------------------------------------------------------------


def test_docx_bomb_declaring_a_gigabyte_document_is_refused_before_inflating(probe) -> None:  # type: ignore[no-untyped-def]
    bomb = docx_bomb(GIB)
    assert len(bomb) < 2 * 1024 * 1024  # a gigabyte of XML in about a megabyte
    result = probe("report", bomb, DOCX_URL)
    assert result.warned("docx refused", "zip bomb"), result.warnings
    assert result.text_chars == 0
    within_bounds(result)
    assert result.seconds < 5 and result.peak_extra_mb < 50  # refused from the zip directory alone


def test_docx_bomb_lying_about_its_size_is_cut_at_the_xml_limit(probe) -> None:  # type: ignore[no-untyped-def]
    # the central directory says 100 kB; the deflate stream holds a gigabyte
    result = probe("report", docx_bomb(GIB, declared_size=100_000), DOCX_URL)
    assert result.warned("docx cut", "zip bomb"), result.warnings
    within_bounds(result)


def test_docx_bomb_without_a_central_directory_is_cut_at_the_xml_limit(probe) -> None:  # type: ignore[no-untyped-def]
    # a "truncated" download: only local headers, so the salvage path inflates the part itself
    result = probe("docx", docx_bomb(GIB, central_directory=False))
    assert result.warned("docx truncated") and result.warned("docx cut", "zip bomb"), result.warnings
    within_bounds(result)


# --- PDFs that loop, explode or never end -----------------------------------------------------------


def test_pdf_object_referring_to_itself_is_refused_instead_of_looping_forever(probe) -> None:  # type: ignore[no-untyped-def]
    # pdfminer's resolve1 follows "4 0 obj 4 0 R endobj" with a while loop that never ends
    pdf = pdf_file({1: CATALOG, 2: ONE_PAGE_TREE, 3: text_page(), 4: b"4 0 R", 5: HELVETICA})
    result = probe("report", pdf, PDF_URL)
    assert result.warned("pdf refused", "loop", "4 → 4"), result.warnings
    within_bounds(result)


def test_pdf_objects_referring_to_each_other_are_refused(probe) -> None:  # type: ignore[no-untyped-def]
    pdf = pdf_file({1: CATALOG, 2: ONE_PAGE_TREE, 3: text_page("6 0 R"), 5: HELVETICA, 6: b"7 0 R", 7: b"8 0 R",
                    8: b"6 0 R"})
    result = probe("pdf", pdf)
    assert result.warned("pdf refused", "6 → 7 → 8 → 6"), result.warnings
    within_bounds(result)


def test_pdf_page_tree_containing_itself_ends_with_a_no_pages_warning(probe) -> None:  # type: ignore[no-untyped-def]
    pdf = pdf_file({1: CATALOG, 2: b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2000000000 >>",
                    3: b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Parent 2 0 R /Count 2000000000 >>"})
    result = probe("pdf", pdf)
    assert result.warned("no pages"), result.warnings
    within_bounds(result)


def test_pdf_with_five_thousand_pages_is_cut_to_the_page_limit(probe) -> None:  # type: ignore[no-untyped-def]
    pages = 5_000
    objects = {1: CATALOG, 2: b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
               + b"] /Count %d >>" % pages}
    for index in range(pages):
        objects[3 + index] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"
    result = probe("pdf", pdf_file(objects))
    assert result.warned("pdf truncated", "only the first 200 of more than 1000 pages"), result.warnings
    within_bounds(result)


def test_pdf_declaring_two_billion_pages_through_one_repeated_kid_reads_one_page(probe) -> None:  # type: ignore[no-untyped-def]
    kids = b" ".join([b"3 0 R"] * 20_000)
    pdf = pdf_file({1: CATALOG, 2: b"<< /Type /Pages /Kids [" + kids + b"] /Count 2000000000 >>",
                    3: text_page(), 4: b"<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 712 Td (Hello) Tj ET\nendstream",
                    5: HELVETICA})
    result = probe("pdf", pdf)
    assert result.meta["pages"] == "1"
    within_bounds(result)


def test_pdf_flate_bomb_is_refused_before_pdfminer_inflates_it(probe) -> None:  # type: ignore[no-untyped-def]
    deflated = zlib_bomb(GIB // 2)  # half a gigabyte of spaces in half a megabyte
    assert zlib.decompressobj().decompress(deflated, 1 << 20) == b" " * (1 << 20)
    stream = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(deflated) + deflated + b"\nendstream"
    result = probe("report", pdf_file({1: CATALOG, 2: ONE_PAGE_TREE, 3: text_page(), 4: stream, 5: HELVETICA}), PDF_URL)
    assert result.warned("pdf refused", "decompression bomb"), result.warnings
    within_bounds(result)


def test_pdfminer_call_that_outlives_the_time_limit_is_interrupted(probe) -> None:  # type: ignore[no-untyped-def]
    # one page-tree object of 300,000 references takes pdfminer far longer than 1 s (+ 5 s grace) to parse
    kids = b" ".join([b"3 0 R"] * 300_000)
    pdf = pdf_file({1: CATALOG, 2: b"<< /Type /Pages /Kids [" + kids + b"] /Count 1 >>", 3: text_page(),
                    4: b"<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 712 Td (Hello) Tj ET\nendstream", 5: HELVETICA})
    result = probe("pdf", pdf, "", "1")
    # on a slow machine the hard limit interrupts pdfminer; on a fast one pdfminer returns just in
    # time and the soft limit stops the page loop: either way the work is cut and said so
    assert result.warned("pdf truncated", "time limit"), result.warnings
    assert result.seconds < 1 + 5 + 3
    within_bounds(result)
