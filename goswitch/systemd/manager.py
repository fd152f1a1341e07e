"""Talking to the running systemd user manager, when there is one.

Everything here is best effort: no user manager (a container, an ssh session
without lingering, a CI job) is normal and only means that the environment.d
file takes effect at the next login.
"""

from __future__ import annotations

import shutil
import subprocess

from .envfile import parse_assignments

PROBE_TIMEOUT = 3  # seconds for `systemctl --user show-environment`
CALL_TIMEOUT = 30


class Manager:
    """``systemctl --user`` as seen from ``environ`` (its bus address, XDG_RUNTIME_DIR)."""

    def __init__(self, environ):
        self.environ = dict(environ)
        self.systemctl = shutil.which("systemctl", path=self.environ.get("PATH") or None)
        self.answers = False
        self.detail = ""
        self.environment: dict[str, str] = {}

    def _run(self, args: list[str], timeout: float) -> subprocess.CompletedProcess:
        assert self.systemctl is not None
        return subprocess.run(
            [self.systemctl, "--user", *args],
            env=self.environ,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
        )

    def probe(self) -> bool:
        """Does a user manager answer?  Fills ``environment`` when it does."""
        if self.systemctl is None:
            self.answers, self.detail = False, "systemctl is not installed"
            return False
        try:
            proc = self._run(["show-environment"], PROBE_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.answers, self.detail = False, f"no answer within {PROBE_TIMEOUT}s"
            return False
        except OSError as exc:
            self.answers, self.detail = False, str(exc)
            return False
        if proc.returncode != 0:
            err = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            self.answers = False
            self.detail = err[-1] if err else f"systemctl exited {proc.returncode}"
            return False
        self.answers, self.detail = True, "answers"
        self.environment = parse_assignments(proc.stdout.decode("utf-8", "surrogateescape"))
        return True

    def refresh_environment(self) -> None:
        proc = self._run(["show-environment"], PROBE_TIMEOUT)
        if proc.returncode == 0:
            self.environment = parse_assignments(proc.stdout.decode("utf-8", "surrogateescape"))

    def call(self, *args: str) -> tuple[bool, str]:
        """Run ``systemctl --user ARGS``; (ok, message)."""
        if self.systemctl is None:
            return False, "systemctl is not installed"
        try:
            proc = self._run(list(args), CALL_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, str(exc)
        out = (proc.stderr or proc.stdout).decode("utf-8", "replace").strip()
        return proc.returncode == 0, out
