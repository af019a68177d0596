"""Pure parsing: bytes and strings in, plain data out. Nothing below here imports Scrapy."""
