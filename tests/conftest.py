"""Suite-wide fixtures: the sample portal farm (one per session read-only, one per test to mutate)."""

from tests.farm.fixtures import farm, fresh_farm  # noqa: F401
