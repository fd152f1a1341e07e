"""Ask systemd's real environment.d generator what a session would get.

The generator (``30-systemd-environment-d-generator``) takes no arguments: it
reads ``$XDG_CONFIG_HOME/environment.d`` (else ``~/.config/environment.d``),
``/etc/environment.d``, ``/run/environment.d``, ``/usr/local/lib/environment.d``
and ``/usr/lib/environment.d``, expands ``$VAR`` against its own environment
and prints the variables it set.  We run it with a small, controlled
environment (a fixed base PATH, HOME, the config dir) so the answer does not
depend on the shell ``goswitch status`` happens to run in, and once more
against a copy of the user's environment.d without our file, so we can say
exactly what our file changes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

from . import locations
from .envfile import parse_assignments

# The PATH handed to the generator, standing in for the user manager's own.
BASE_PATH = "/usr/local/bin:/usr/bin:/bin"
_PASS = ("HOME", "USER", "LOGNAME", "LANG", "XDG_RUNTIME_DIR", "SHELL")
TIMEOUT = 10


class GeneratorError(Exception):
    pass


def run(config_home: str, environ, base_path: str | None = BASE_PATH, program=None) -> dict:
    """The environment the generator computes with ``config_home`` as XDG_CONFIG_HOME."""
    program = program or locations.generator()
    if program is None:
        raise GeneratorError("systemd's environment.d generator is not installed")
    env = {k: environ[k] for k in _PASS if environ.get(k)}
    env["HOME"] = locations.home_dir(environ)
    env["XDG_CONFIG_HOME"] = config_home
    if base_path is not None:
        env["PATH"] = base_path
    env["SYSTEMD_LOG_LEVEL"] = "err"
    try:
        proc = subprocess.run(
            [program],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GeneratorError(f"{program}: {exc}") from None
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()
        raise GeneratorError(f"{program} exited {proc.returncode}: {err}")
    return parse_assignments(proc.stdout.decode("utf-8", "surrogateescape"))


def run_without(skip_name: str, environ, base_path: str | None = BASE_PATH, program=None) -> dict:
    """Like :func:`run` for the user's config, but with ``skip_name`` left out."""
    src = locations.environment_d_dir(environ)
    with tempfile.TemporaryDirectory(prefix="goswitch-envd-") as tmp:
        dst = os.path.join(tmp, "environment.d")
        os.mkdir(dst)
        try:
            names = os.listdir(src)
        except OSError:
            names = []
        for name in names:
            if name == skip_name or not name.endswith(".conf"):
                continue
            try:
                shutil.copyfile(os.path.join(src, name), os.path.join(dst, name))
            except OSError:
                continue  # a dangling symlink etc.: the generator skips it too
        return run(tmp, environ, base_path, program)


class View:
    """The generator's answer with and without our file."""

    __slots__ = ("program", "base_path", "computed", "without", "error")

    def __init__(self):
        self.program: str | None = None
        self.base_path = BASE_PATH
        self.computed: dict = {}
        self.without: dict = {}
        self.error: str | None = None

    @property
    def changed(self) -> list[str]:
        keys = set(self.computed) | set(self.without)
        return sorted(k for k in keys if self.computed.get(k) != self.without.get(k))


def view(environ, with_file: bool = True) -> View:
    v = View()
    v.program = locations.generator()
    if v.program is None:
        v.error = "systemd's environment.d generator is not installed"
        return v
    try:
        v.computed = run(locations.config_home(environ), environ, program=v.program)
        v.without = (
            run_without(locations.FILE_NAME, environ, program=v.program)
            if with_file
            else dict(v.computed)
        )
    except GeneratorError as exc:
        v.error = str(exc)
    return v
