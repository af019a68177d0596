"""Settings for the crawlers tests build themselves (`get_crawler`), as a project run has them.

Components read every GOVREPORTS_* setting without an inline default (govreports/defaults.py), so
a crawler made outside the project settings module starts from the defaults, as
`apply_defaults` gives any other `Settings`.
"""

from __future__ import annotations

from govreports.defaults import DEFAULTS


def with_defaults(**settings: object) -> dict[str, object]:
    """Every GOVREPORTS_* default, then `settings`."""
    return {**DEFAULTS, **settings}
