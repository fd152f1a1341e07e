"""Shared fixtures: real Go archives, a throwaway OpenPGP key, a local mirror on loopback,
real interactive shells, and an isolated environment for running goswitch.

Markers are applied automatically, so ``-m "not slow"`` and ``-m "not shells"`` are reliable:
a test that (even indirectly) uses ``go_archives`` is ``slow``; one that uses
``shell_session`` is ``shells``. Use ``synthetic_mirror`` for fast download/verify tests.
"""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tests.support.archives import build_archives
from tests.support.gpgkey import SigningKey, make_key
from tests.support.httpmirror import MirrorServer
from tests.support.mirror import Mirror, build_mirror

# Where "the internet" points in tests unless a test asks for a mirror: the discard port on
# loopback, where nothing listens. A test that forgets to set a mirror fails fast, offline.
NOWHERE = "http://127.0.0.1:9/dl/"

_SLOW_FIXTURES = {"go_archives"}
_SHELL_FIXTURES = {"shell_session"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & _SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)
        if names & _SHELL_FIXTURES:
            item.add_marker(pytest.mark.shells)


# ---- archives, key, mirror --------------------------------------------------------------


@pytest.fixture(scope="session")
def go_archives() -> dict[str, Path]:
    """``{"go1.22.10": Path(...tar.gz), "go1.21.13": ...}``: real, cached across runs."""
    return build_archives()


@pytest.fixture(scope="session")
def gpg_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SigningKey]:
    """Throwaway key: ``.gnupghome``, ``.fingerprint`` (primary), ``.subkey_fingerprint``,
    ``.pubkey_path`` (armored), ``.keyring_path`` (for gpgv), ``.sign(path)``."""
    key = make_key(tmp_path_factory.mktemp("gpg"))
    yield key
    key.close()


@pytest.fixture(scope="session")
def mirror_content(
    tmp_path_factory: pytest.TempPathFactory, go_archives: dict[str, Path], gpg_key: SigningKey
) -> Mirror:
    """Real + synthetic releases, sidecars, signatures, index. Shared: never modify it."""
    return build_mirror(tmp_path_factory.mktemp("mirror"), gpg_key, go_archives)


@pytest.fixture(scope="session")
def synthetic_mirror_content(
    tmp_path_factory: pytest.TempPathFactory, gpg_key: SigningKey
) -> Mirror:
    """Synthetic releases only (built in ~0.3 s): for fast install-path tests."""
    return build_mirror(tmp_path_factory.mktemp("synthetic-mirror"), gpg_key, None)


@pytest.fixture
def mirror(mirror_content: Mirror) -> Iterator[MirrorServer]:
    """A running server over ``mirror_content``; fresh per test (no faults, empty log)."""
    with MirrorServer(mirror_content) as server:
        yield server


@pytest.fixture
def synthetic_mirror(synthetic_mirror_content: Mirror) -> Iterator[MirrorServer]:
    """A running server over ``synthetic_mirror_content``; fresh per test."""
    with MirrorServer(synthetic_mirror_content) as server:
        yield server


# ---- environment ------------------------------------------------------------------------


class IsolatedEnv(dict):
    """Environment for a goswitch process or shell: every location under ``root``, the
    network pointed at nothing, the test key as keyring. Pass it as ``env=``."""

    root: Path

    @property
    def home(self) -> Path:
        return Path(self["HOME"])

    def use_mirror(self, server: MirrorServer | Mirror | str) -> IsolatedEnv:
        """Point ``GOSWITCH_INDEX_URL``/``GOSWITCH_MIRRORS`` at a running ``MirrorServer``;
        a ``Mirror`` (directory) gives a ``file://`` mirror (the index stays unreachable,
        like an air-gapped machine); a string is used as the mirror base URL."""
        if isinstance(server, MirrorServer):
            self["GOSWITCH_INDEX_URL"] = server.index_url
            self["GOSWITCH_MIRRORS"] = server.base_url
        elif isinstance(server, Mirror):
            self["GOSWITCH_MIRRORS"] = server.file_url
        else:
            self["GOSWITCH_MIRRORS"] = server
        return self

    def run(self, args: list[str], **kw: Any) -> subprocess.CompletedProcess:
        """``subprocess.run`` in this environment, text output captured, cwd ``home``."""
        kw.setdefault("cwd", self.home)
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        kw.setdefault("timeout", 120)
        return subprocess.run(args, env=self, **kw)


def make_isolated_env(root: Path, keyring: Path | None) -> IsolatedEnv:
    """See ``IsolatedEnv``; the directories exist except ``GOSWITCH_HOME`` and the config."""
    dirs = {
        "HOME": root / "home",
        "XDG_CONFIG_HOME": root / "home" / ".config",
        "XDG_DATA_HOME": root / "home" / ".local" / "share",
        "XDG_CACHE_HOME": root / "home" / ".cache",
        "XDG_STATE_HOME": root / "home" / ".local" / "state",
    }
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    env = IsolatedEnv({k: str(v) for k, v in dirs.items()})
    env.root = root
    bindir = os.path.dirname(sys.executable)  # the venv: `goswitch` and `python` are here
    env.update(
        PATH=os.pathsep.join([bindir, "/usr/local/bin", "/usr/bin", "/bin"]),
        USER=getpass.getuser(),
        LANG="C.UTF-8",
        GOSWITCH_HOME=str(root / "goswitch"),
        GOSWITCH_CACHE_DIR=str(root / "home" / ".cache" / "goswitch"),
        GOSWITCH_CONFIG=str(root / "home" / ".config" / "goswitch" / "config.toml"),
        GOSWITCH_INDEX_URL=NOWHERE + "?mode=json&include=all",
        GOSWITCH_MIRRORS=NOWHERE,
    )
    if keyring is not None:
        env["GOSWITCH_KEYRING"] = str(keyring)
    return env


@pytest.fixture
def isolated_env(tmp_path: Path, gpg_key: SigningKey) -> IsolatedEnv:
    """A clean env dict (nothing inherited but what is listed in ``make_isolated_env``)."""
    return make_isolated_env(tmp_path / "env", gpg_key.pubkey_path)


# ---- shells -----------------------------------------------------------------------------


@pytest.fixture
def shell_session(isolated_env: IsolatedEnv, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """Factory: ``shell_session("zsh", rc=TEXT, env=None, cwd=None, strace_to=None)``
    starts a real interactive shell (env defaults to ``isolated_env``); all are closed after
    the test. See ``tests/support/shells.py``."""
    from tests.support.shells import ShellSession  # pexpect only where shells are used

    sessions: list[ShellSession] = []

    def start(shell: str, rc: str = "", env: dict | None = None, **kw: Any) -> ShellSession:
        kw.setdefault("cwd", tmp_path)
        sess = ShellSession(shell, rc=rc, env=isolated_env if env is None else env, **kw)
        sessions.append(sess)
        return sess

    yield start
    for sess in sessions:
        sess.close()
