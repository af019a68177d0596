"""Suite-wide fixtures: the sample portal farm (one per session read-only, one per test to mutate)."""

from govreports_farm.fixtures import farm, fresh_farm  # noqa: F401
