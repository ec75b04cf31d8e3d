"""Drafting a service's mapping and config from its own workbooks (``python run.py draft``)."""
