"""What a parse worker computes for the crawl process: the item's key, content hashes and JSON.

The crawl process does navigation and I/O only (one core for the reactor; parsing has the
others). So the parse worker, which has just built the item, also computes what the pipelines after
it would otherwise compute on the reactor: the dedup key (`keys.py`), the content hash over
`GOVREPORTS_DEDUP_HASH_FIELDS` and the body hash DedupPipeline compares within a run, and the
item's JSON, written once and used twice (the archive's item row and the feed line). Everything
but `revision`, the item's last field, which only the crawl process knows (it comes from the
state store): `Prepared.line` splices it in.

A `Prepared` rides on the item it was computed from (`attach` / `prepared_of`), and is only valid
while the item is unchanged: a pipeline that changes any field but `revision` calls `discard`
(DedupPipeline sets `id` to the key's id, which the worker already set). Items that come without
one (rebuilt from the archive, built by a test or by `scrapy extract`) get everything computed
where it is asked for, by the same functions.

Pure: no Scrapy import (the parse worker imports it).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from govreports.items import REPORT_FIELDS, ReportItem, field_of
from govreports.keys import government_key, id_of_key, key_string

# the fields that carry a report's content (module docstring of pipelines/dedup.py): not the URL,
# not `source` (fetch time, raw-body hash), not checks/warnings (derived by our code)
HASH_FIELDS: tuple[str, ...] = (
    "title", "agency", "report_year", "publish_date", "index_no", "publisher", "doc_no", "topic", "format",
    "text", "sections", "tables", "figures", "attachments",
)
# what makes two postings within one site the same report whatever their metadata
BODY_FIELDS: tuple[str, ...] = ("title", "text", "tables")

# `revision` is spliced in last (`Prepared.line`): it must stay the record's last field
assert REPORT_FIELDS[-1] == "revision", "ReportItem.revision must be the last field"
_HEAD_FIELDS = REPORT_FIELDS[:-1]
_ATTRIBUTE = "_govreports_prepared"


@dataclass(frozen=True, slots=True)
class Prepared:
    key: str                 # keys.key_string: what the state store keys the report by
    government: str | None   # keys.government_key: its key when reposted on another site
    content_hash: str        # over the hash fields: unchanged content is not delivered again
    body_hash: str           # over BODY_FIELDS: a second posting within the site
    head: str                # the item's JSON without `revision` (and its closing brace)
    hash_fields: tuple[str, ...] = HASH_FIELDS  # what content_hash covers

    def line(self, revision: int) -> str:
        """The item's JSON with its revision: what `item_json` gives for the whole item."""
        return f'{self.head}, "revision": {int(revision)}}}'


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _hashable(item: Any, names: tuple[str, ...]) -> dict[str, Any]:
    selected: dict[str, Any] = {}
    for name in names:
        value = field_of(item, name)
        if name == "attachments":
            value = sorted(str((a or {}).get("sha256") or "") for a in (value or []))
        selected[name] = value
    return selected


def content_hash(item: Any, fields: tuple[str, ...] = HASH_FIELDS) -> str:
    """sha256 of the report's meaningful content (see HASH_FIELDS)."""
    return _hashes(item, fields)[0]


def key_of(item: Any) -> str:
    """The report's identity (`keys.key_string`): the worker's when it prepared the item."""
    prepared = prepared_of(item)
    return prepared.key if prepared is not None else key_string(item)


def _fields(item: ReportItem, names: tuple[str, ...]) -> dict[str, Any]:
    # a shallow dict of the fields: ItemAdapter.asdict deep-copies every nested table first
    # (dataclasses.asdict), which cost ~15 ms per report
    return {name: getattr(item, name) for name in names}


def item_json(item: Any) -> str:
    """The item as the archive stores it and the feeds write it: its fields in declaration order."""
    if isinstance(item, ReportItem):
        prepared = prepared_of(item)
        if prepared is not None:
            return prepared.line(item.revision)
        return json.dumps(_fields(item, REPORT_FIELDS), ensure_ascii=False, default=str)
    return json.dumps(dict(item), ensure_ascii=False, default=str)  # a feed line read back


def _hashes(item: Any, *field_sets: tuple[str, ...]) -> list[str]:
    """The content hash of each field set, each field encoded once (text and tables are in both
    sets): the sha256 of the canonical JSON of a dict with sorted keys, spelled out."""
    names = {name for names in field_sets for name in names}
    encoded = {name: canonical_json(value) for name, value in _hashable(item, tuple(names)).items()}
    payloads = ("{" + ",".join(f"{canonical_json(name)}:{encoded[name]}" for name in sorted(set(names))) + "}"
                for names in field_sets)
    return [hashlib.sha256(payload.encode("utf-8")).hexdigest() for payload in payloads]


def prepare(item: ReportItem, hash_fields: tuple[str, ...] = HASH_FIELDS) -> Prepared:
    """Give the item its id and attach what the crawl process needs (in the parse worker)."""
    key = key_string(item)
    item.id = id_of_key(key)
    content, body = _hashes(item, hash_fields, BODY_FIELDS)
    prepared = Prepared(
        key=key, government=government_key(item), content_hash=content, body_hash=body,
        head=json.dumps(_fields(item, _HEAD_FIELDS), ensure_ascii=False, default=str)[:-1],
        hash_fields=hash_fields,
    )
    attach(item, prepared)
    return prepared


def attach(item: ReportItem, prepared: Prepared) -> None:
    setattr(item, _ATTRIBUTE, prepared)


def prepared_of(item: Any) -> Prepared | None:
    found = getattr(item, _ATTRIBUTE, None)
    return found if isinstance(found, Prepared) else None


def discard(item: Any) -> None:
    """The item changed after the worker: what was prepared no longer describes it."""
    if prepared_of(item) is not None:
        delattr(item, _ATTRIBUTE)
