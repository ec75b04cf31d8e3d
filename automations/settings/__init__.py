"""Configuration: ``config.toml`` read into frozen dataclasses, checked in one place."""

from .load import load_config
from .model import Config

__all__ = ["Config", "load_config"]
