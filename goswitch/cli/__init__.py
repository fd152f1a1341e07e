"""The click command-line interface: one small module per command in ``commands/``."""
