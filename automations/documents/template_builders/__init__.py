"""The builders of the shipped Word templates (``templates/``): one module per template, run by ``__main__``."""
