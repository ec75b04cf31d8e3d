"""Entry point: ``python run.py --help``."""

from automations.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
