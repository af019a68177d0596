"""What every parse worker reads and never changes, loaded once in the forkserver.

`ParsePipeline` names this module in `set_forkserver_preload`: the forkserver imports it before it
forks any worker, so the parser modules, their compiled patterns and label tables, OpenCC's
dictionaries (several MB of C++ data per converter) and the label caches filled by one warm-up
parse live in pages the workers share copy-on-write, counted once in the process tree's PSS
instead of once per worker. `gc.freeze()` then moves these objects out of the collector's reach,
so a collection in a worker does not write to (and so copy) the pages that hold them.
"""

from __future__ import annotations

import gc
import html

from govreports import spec
from govreports.build import item_from_page
from govreports.checks import run_checks
from govreports.items import ReportPage
from govreports.parsing import (  # noqa: F401  (imported for their module-level tables)
    attachments,
    figures,
    grid,
    metadata,
    numbers,
    office,
    pdf,
    plaintext,
    sections,
    table_labels,
    tables,
    text,
)
from govreports.parsing import html as html_parser  # noqa: F401
from govreports.workers import exit_with_the_crawl  # noqa: F401  (each worker's initializer)


def _warm_up_page() -> bytes:
    """A small report page holding every official row label of the three tables."""
    labels = [*spec.ACTIVE_ROW_LABELS.values(), *spec.APPLICATION_ROW_LABELS.values(),
              *spec.REVIEW_GROUP_LABELS.values()]
    rows = "".join(f"<tr><td>{html.escape(label)}</td><td>0</td><td>1</td></tr>" for label in labels)
    columns = "".join(f"<td>{html.escape(label)}</td>" for label in spec.APPLICANT_COLUMN_LABELS.values())
    return (
        "<html><head><title>某县人民政府2021年政府信息公开工作年度报告</title></head><body>"
        "<div id='zoom'><p>根据《中华人民共和国政府信息公开条例》规定，现公布本年度报告。</p>"
        "<p>一、总体情况</p><p>本年度共受理政府信息公开申请12件，同比增长20%。</p>"
        f"<table><tr><td>项目</td>{columns}</tr>{rows}</table>"
        "<p>二、主动公开政府信息情况</p><p>三、收到和处理政府信息公开申请情况</p></div></body></html>"
    ).encode()


def warm_up() -> None:
    """Fill what the first parse would fill lazily (OpenCC converters, label caches, lazy imports)."""
    text._t2s()
    text._s2t()
    page = ReportPage(url="http://example.gov.cn/warm-up.html", body=_warm_up_page(), media_type="text/html")
    item = item_from_page(page)
    run_checks(item.tables, item.figures, item.format)


warm_up()
gc.freeze()
