"""The cache tests' fixtures (the Accelerate emulator in front of the executor), for
integrations that show cache statuses."""

from tests.cache.conftest import accelerate, cache_installed  # noqa: F401
