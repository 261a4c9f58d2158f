"""``python -m reader`` is the same as the ``reader`` command."""

from reader.cli import main

# Guarded: worker processes (spawned for entity recognition) import the main module too.
if __name__ == "__main__":
    raise SystemExit(main())
