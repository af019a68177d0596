"""Parse one hostile file in a fresh process and report what it cost (used by the hostile tests).

A child process gives clean measurements (peak RSS above the post-import baseline, wall time)
and a safety net: its address space is capped, so a limit that fails shows up as a failed
test instead of a machine out of memory. Output: one JSON line on stdout.

    python -m tests.hostile.probe <report|pdf|docx> <file> [url] [max_seconds]
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ADDRESS_SPACE_LIMIT = 3 * 1024**3


def main(argv: list[str]) -> int:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_LIMIT, ADDRESS_SPACE_LIMIT))
    kind, path = argv[1], Path(argv[2])
    from govreports.parsing.office import docx_to_document
    from govreports.parsing.pdf import pdf_to_document
    from govreports.parsing.report import parse_report

    data = path.read_bytes()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    if kind == "report":
        parsed = parse_report(data, url=argv[3])
        warnings, blocks, meta = list(parsed.warnings), parsed.grid_count, {}
        text_chars = len(parsed.text)
    else:
        if kind == "pdf":
            document = pdf_to_document(data, max_seconds=float(argv[4]) if len(argv) > 4 else 60.0)
        else:
            document = docx_to_document(data)
        warnings, blocks, meta = list(document.warnings), len(document.blocks), dict(document.meta)
        text_chars = sum(len(getattr(block, "text", "")) for block in document.blocks)
    seconds = time.monotonic() - started
    peak_extra = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline) / 1024
    print(json.dumps({"seconds": seconds, "peak_extra_mb": peak_extra, "warnings": warnings, "blocks": blocks,
                      "meta": meta, "text_chars": text_chars, "file_bytes": len(data)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
