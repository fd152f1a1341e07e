"""Installing Go as a careful package manager would.

One concern per module:

- :mod:`.platform` - this machine as go.dev names it (``linux-amd64``, ``linux-armv6l`` ...)
- :mod:`.index` - the go.dev JSON release index: fetch, validate, cache (TTL), ``latest-stable``
- :mod:`.download` - urllib: mirrors with failover, retries, timeouts, Range resume, proxies
- :mod:`.stream` - a file read by the extractor while the downloader is still writing it
- :mod:`.verify` - sha256 from the index; the OpenPGP ``.asc`` via gpgv and our signature rule
- :mod:`.keyring` - just enough OpenPGP packet parsing for fingerprints and key expiry
- :mod:`.extract` - the safe, streaming ``.tar.gz`` extractor
- :mod:`.installer` - locks, temp dirs, atomic rename, leftovers, uninstall
- :mod:`.listing` - rows for ``goswitch list`` and ``goswitch list-remote``
- :mod:`.progress` - messages and the progress bar (stderr only)

The public entry points are :func:`install` and :func:`uninstall`.
"""

from __future__ import annotations

from .installer import install, uninstall


def cached_releases(settings, environ=None) -> list:
    """Releases in the cached index (``.version``, ``.stable``), newest first; no network.

    For shell completion; ``[]`` when nothing is cached yet.
    """
    import os

    from .index import cached

    idx = cached(settings, os.environ if environ is None else environ)
    return list(idx.releases) if idx is not None else []


__all__ = ["install", "uninstall", "cached_releases"]
