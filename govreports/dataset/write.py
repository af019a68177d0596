"""Writing the dataset (CSV or Parquet by extension) and the cross-year checks file."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from govreports.dataset.columns import COLUMNS
from govreports.dataset.continuity import ContinuityCheck

FORMATS_BY_SUFFIX = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


class OutputFormatError(ValueError):
    """The output file's extension names no format we write."""


def output_format(path: Path | str) -> str:
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS_BY_SUFFIX[suffix]
    except KeyError:
        raise OutputFormatError(
            f"cannot tell the format of {path}: use .csv, .parquet or .pq"
        ) from None


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else value


def write_csv(rows: Sequence[dict[str, Any]], path: Path | str, *, bom: bool = False) -> None:
    """UTF-8 CSV in the documented column order; `bom` for Excel, which otherwise guesses GBK."""
    names = [column.name for column in COLUMNS]
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(names)
        for row in rows:
            writer.writerow([_csv_value(row.get(name)) for name in names])


def arrow_schema() -> Any:
    import pyarrow as pa

    types = {"string": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    return pa.schema([pa.field(column.name, types[column.type], nullable=True) for column in COLUMNS])


def write_parquet(rows: Sequence[dict[str, Any]], path: Path | str) -> None:
    """Typed Parquet: counts int64, money float64, nulls kept as nulls."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()
    columns = {column.name: [row.get(column.name) for row in rows] for column in COLUMNS}
    table = pa.table(columns, schema=schema)
    pq.write_table(table, path)


def write_dataset(rows: Sequence[dict[str, Any]], path: Path | str, *, bom: bool = False) -> str:
    """Write by extension; returns the format written."""
    kind = output_format(path)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        write_csv(rows, path, bom=bom)
    else:
        write_parquet(rows, path)
    return kind


CHECK_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ContinuityCheck))


def write_checks(checks: Sequence[ContinuityCheck], path: Path | str, *, bom: bool = False) -> None:
    """The cross-year checks: rule, ok, message, then the agency and the two reports compared."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(CHECK_COLUMNS))
        writer.writeheader()
        for check in checks:
            record = asdict(check)
            record["ok"] = "true" if check.ok else "false"
            writer.writerow(record)
