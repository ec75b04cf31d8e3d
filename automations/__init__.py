"""Automation layer of a social-action service: committees, sessions, invitations."""

__version__ = "0.1.0"
