"""Passwords in URLs (``https://user:password@host/``) never reach the screen.

Mirror and index URLs may carry Basic credentials (Artifactory, Nexus); every
message, listing and echo shows them as ``***@host``.  A regular expression, not
urllib: it also masks URLs inside free text (a setting's error message).
"""

from __future__ import annotations

import re

# scheme://, then the userinfo up to the authority's last "@" (a raw "@" in a
# password must not leave its tail visible).
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s'\"]*@")


# A query parameter that carries a credential: signed-URL mirrors (S3's
# X-Amz-Signature/-Credential, GCS, CDN tokens) put it there instead of userinfo.
_SECRET_PARAM = re.compile(
    r"(?i)([?&][^=&#\s'\"]*(?:token|sig|secret|passw|auth|key|credential)[^=&#\s'\"]*=)"
    r"[^&#\s'\":]+"  # a value stops at ":" too: messages go on with "URL: why"
)


def redact(text: str) -> str:
    """``text`` with the user:password of every URL in it, and the values of query
    parameters named like credentials (``?token=``, ``&X-Amz-Signature=``), as ``***``."""
    if "@" in text:
        text = _USERINFO.sub(r"\1***@", text)
    if "=" in text:
        text = _SECRET_PARAM.sub(r"\1***", text)
    return text


def redact_value(value):
    """A setting's value (a string, a list of them, anything else) with URLs masked."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redact_value(v) for v in value]
    return value
