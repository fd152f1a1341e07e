"""A throwaway certificate authority and a server certificate for ``127.0.0.1``, made with
the real ``openssl`` command line (no ``cryptography`` package), for TLS on loopback.

``make_tls(directory)`` writes, in about 0.1 s (P-256 keys):

- ``ca.pem``: the test CA, what ``SSL_CERT_FILE`` points at to trust the server;
- ``server.pem`` / ``server.key``: signed by that CA, ``subjectAltName = IP:127.0.0.1``,
  what ``MirrorServer(root, tls=(cert, key))`` serves;
- ``other-ca.pem``: an unrelated CA, a trust store that exists but does not trust the server
  (so the system's CAs can never accidentally make a "not trusted" test pass).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

OPENSSL = "/usr/bin/openssl"

_CA_EXT = [
    "basicConstraints=critical,CA:TRUE",
    "keyUsage=critical,keyCertSign,cRLSign",
    "subjectKeyIdentifier=hash",
]
_SERVER_EXT = """\
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""


@dataclass(frozen=True)
class TLSFiles:
    ca: Path
    cert: Path
    key: Path
    other_ca: Path

    @property
    def server(self) -> tuple[str, str]:
        """``(certfile, keyfile)`` as ``MirrorServer(tls=...)`` takes it."""
        return str(self.cert), str(self.key)


def _openssl(*args: str | Path, cwd: Path) -> None:
    r = subprocess.run(
        [OPENSSL, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=60
    )
    if r.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(map(str, args))} failed:\n{r.stderr}")


def _ca(d: Path, name: str, subject: str) -> None:
    ext = [a for e in _CA_EXT for a in ("-addext", e)]
    _openssl(
        "req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-sha256", "-days", "2", "-subj", subject,
        "-keyout", f"{name}.key", "-out", f"{name}.pem", *ext, cwd=d,
    )  # fmt: skip


def make_tls(directory: Path) -> TLSFiles:
    """The CA, the server's certificate and key, and an unrelated CA, in ``directory``."""
    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    _ca(d, "ca", "/CN=goswitch test CA (THROWAWAY)")
    _ca(d, "other-ca", "/CN=goswitch unrelated test CA (THROWAWAY)")
    (d / "server.ext").write_text(_SERVER_EXT)
    _openssl(
        "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-subj", "/CN=127.0.0.1", "-keyout", "server.key", "-out", "server.csr", cwd=d,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-sha256", "-extfile", "server.ext",
        "-out", "server.pem", cwd=d,
    )  # fmt: skip
    return TLSFiles(d / "ca.pem", d / "server.pem", d / "server.key", d / "other-ca.pem")
