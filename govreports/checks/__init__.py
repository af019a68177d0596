"""Validation rules over a parsed report (pure: no Scrapy). See `rules.run_checks`."""

from govreports.checks.rules import run_checks

__all__ = ["run_checks"]
