"""Pure parsing: bytes and strings in, plain data out. Nothing below here imports Scrapy."""

# Bump PARSER_VERSION whenever a parser change may alter an item built from the same bytes: an
# archived item is reused without parsing only while its bytes and this version are unchanged, and
# `scrapy reparse` re-derives the archive with a new version (revisions with reason parser_changed).
PARSER_VERSION = "2026.12.1"
