"""goswitch's version order agrees with the order of go.dev's index.

go.dev lists releases newest first.  Two independent witnesses: the
go.dev-style index the test mirror builds (its own regex-based ordering in
tests/support/releases.py), and an excerpt of the order go.dev itself uses
around the 1.21 naming change (pre-releases, the first ``.0`` release).
"""

from __future__ import annotations

from goswitch.versions import GoVersion
from tests.support.releases import make_index, synthetic_files

# As go.dev's index lists them (newest first).
GO_DEV_EXCERPT = [
    "go1.22.1", "go1.22.0", "go1.22rc2", "go1.22rc1", "go1.21.8", "go1.21.1", "go1.21.0",
    "go1.21rc4", "go1.21rc3", "go1.21rc2", "go1.20.14", "go1.20.1", "go1.20", "go1.20rc3",
    "go1.20rc1", "go1.19.13", "go1.19", "go1.19beta1", "go1.9.7", "go1.9", "go1.9rc2",
    "go1.9beta2",
]


def test_go_dev_excerpt_order():
    parsed = [GoVersion.parse(v) for v in GO_DEV_EXCERPT]
    assert sorted(parsed, reverse=True) == parsed
    assert [v.go_name for v in parsed] == GO_DEV_EXCERPT


def test_mirror_index_order():
    index = make_index(synthetic_files(siblings=True))
    names = [entry["version"] for entry in index]
    parsed = [GoVersion.parse(v) for v in names]
    assert len(parsed) > 5
    assert sorted(parsed, reverse=True) == parsed
    for entry in index:  # stable flags agree with pre-release parsing
        assert entry["stable"] == (not GoVersion.parse(entry["version"]).is_prerelease)
