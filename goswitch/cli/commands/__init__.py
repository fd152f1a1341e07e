"""One module per command; each exposes a click command named ``command``.

Command functions stay short: parse options, call the logic module, print.
"""
