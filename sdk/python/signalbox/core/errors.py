"""Errors raised and caught inside compilation only."""


class ConfigError(Exception):
    """A config the engine cannot read."""
