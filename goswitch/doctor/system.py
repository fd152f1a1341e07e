"""How the doctor sees the machine: files under a root prefix, and external commands.

Every read of ``/proc``, ``/sys`` and ``/etc`` goes through :class:`SystemView`,
whose root is ``/`` for real runs.  Tests point it at a fake tree under
``tests/fixtures/doctor/`` (the hidden ``--root`` option or
``GOSWITCH_DOCTOR_ROOT``; a testing aid, not a feature).  Absolute symlinks are
followed *inside* the root, so a fixture's ``etc/resolv.conf ->
/run/systemd/resolve/stub-resolv.conf`` stays in the fixture.

Facts that are not files (the uid, RLIMIT_NPROC, the CPU count) and the
commands run (getsebool, ausearch, go) live on :class:`Context` so tests can
pass them explicitly.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from typing import Any, Mapping

from .. import fs

ROOT_ENV = "GOSWITCH_DOCTOR_ROOT"  # testing aid: read /proc, /sys, /etc from a fake tree
_MAX_READ = 8 << 20  # /proc/net/tcp on a busy host is a few MB; nothing else comes close
_CHUNK = 64 << 10
_MAX_LINKS = 40  # the kernel's MAXSYMLINKS


class SystemView:
    """Read-only access to system files through a root prefix."""

    def __init__(self, root: str = "/"):
        self.root = os.path.abspath(root or "/")

    @property
    def is_real(self) -> bool:
        return self.root == "/"

    def host_path(self, path: str) -> str:
        """The path on this machine for the system path ``path`` (absolute)."""
        if self.is_real:
            return path
        parts = [p for p in path.split("/") if p]
        resolved: list[str] = []
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == ".":
                continue
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            candidate = os.path.join(self.root, *resolved, part)
            if os.path.islink(candidate):
                hops += 1
                if hops > _MAX_LINKS:
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
                target = os.readlink(candidate)
                if target.startswith("/"):
                    resolved = []
                parts = [p for p in target.split("/") if p] + parts
                continue
            resolved.append(part)
        return os.path.join(self.root, *resolved)

    def read(self, path: str) -> tuple[str | None, str | None]:
        """(text, None) or (None, why): ``why`` is "missing", "permission denied", ..."""
        try:
            # Non-blocking, and regular files only (procfs and sysfs entries are): a
            # named pipe would hang the doctor and /dev/zero would never end.
            fd = os.open(self.host_path(path), os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
            with open(fd, "rb", buffering=0) as f:
                what = fs.kind(os.fstat(fd))
                if what:
                    return None, f"{what}, not a file"
                # Small reads: procfs sysctl files fail a multi-MB read() with ENOMEM.
                chunks, size = [], 0
                while size < _MAX_READ:
                    chunk = f.read(_CHUNK)
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                data = b"".join(chunks)
        except FileNotFoundError:
            return None, "missing"
        except NotADirectoryError:
            return None, "missing"
        except PermissionError:
            return None, "permission denied"
        except OSError as exc:
            return None, exc.strerror or str(exc)
        return data.decode("utf-8", "replace"), None

    def read_text(self, path: str) -> str | None:
        return self.read(path)[0]

    def read_int(self, path: str) -> int | None:
        text = self.read_text(path)
        if text is None:
            return None
        try:
            return int(text.split()[0])
        except (ValueError, IndexError):
            return None

    def listdir(self, path: str) -> list[str] | None:
        try:
            return os.listdir(self.host_path(path))
        except OSError:
            return None

    def readlink(self, path: str) -> str | None:
        """The target of a symlink at ``path`` (as written in the link), else None."""
        try:
            parent = self.host_path(os.path.dirname(path) or "/")
            return os.readlink(os.path.join(parent, os.path.basename(path)))
        except OSError:
            return None

    def exists(self, path: str) -> bool:
        try:
            return os.path.exists(self.host_path(path))
        except OSError:
            return False

    def isdir(self, path: str) -> bool:
        try:
            return os.path.isdir(self.host_path(path))
        except OSError:
            return False


@dataclass
class Completed:
    returncode: int
    stdout: str
    stderr: str


# System tools live in sbin, which an ordinary user's PATH often lacks.
_SBIN = ("/usr/local/sbin", "/usr/sbin", "/sbin")


class Commands:
    """Finds and runs external programs, never through a shell, in the C locale."""

    def __init__(self, path: str | None = None):
        base = path if path is not None else os.environ.get("PATH", os.defpath)
        entries = [p for p in base.split(os.pathsep) if p]
        self.search_path = os.pathsep.join(entries + [s for s in _SBIN if s not in entries])

    def which(self, name: str) -> str | None:
        return shutil.which(name, path=self.search_path)

    def run(self, argv: list[str], timeout: float = 15.0, env: Mapping[str, str] | None = None,
            cwd: str | None = None) -> Completed:
        run_env = dict(os.environ if env is None else env)
        run_env["LC_ALL"] = "C"  # parse English, unlocalised output
        try:
            # Its own session: a timeout kills what it started too (a `go` wrapper
            # script's children), not only the script.
            proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env=run_env, cwd=cwd, start_new_session=True,
            )
        except FileNotFoundError:
            return Completed(127, "", f"{argv[0]}: not found")
        except PermissionError:
            return Completed(126, "", f"{argv[0]}: permission denied")
        except OSError as exc:
            return Completed(126, "", f"{argv[0]}: {exc.strerror or exc}")
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass
            try:  # one that left the session may keep the pipes open: do not wait on it
                proc.communicate(timeout=2)
            except subprocess.TimeoutExpired:
                pass
            return Completed(124, "", f"{argv[0]}: no answer within {timeout:g} s")
        return Completed(
            proc.returncode,
            stdout.decode("utf-8", "replace"),
            stderr.decode("utf-8", "replace"),
        )


class ScriptedCommands(Commands):
    """System tools answered from a table; anything else (a Go binary) really runs.

    Used with a fake root, where the real getsebool/ausearch would describe this
    machine instead of the fixture.  ``tools`` maps a name to a :class:`Completed`
    or to a function taking argv and returning one; a name not in the table is
    "not installed".
    """

    def __init__(self, tools: Mapping[str, Any] | None = None, path: str | None = None):
        super().__init__(path)
        self.tools = dict(tools or {})
        self.calls: list[list[str]] = []

    def which(self, name: str) -> str | None:
        return f"/scripted/{name}" if name in self.tools else None

    def run(self, argv, timeout=15.0, env=None, cwd=None) -> Completed:
        if argv and argv[0].startswith("/scripted/"):
            self.calls.append(list(argv))
            answer = self.tools[argv[0][len("/scripted/"):]]
            return answer(list(argv)) if callable(answer) else answer
        return super().run(argv, timeout=timeout, env=env, cwd=cwd)


def _real_rlimit_nproc() -> tuple[int | None, int | None]:
    """(soft, hard) RLIMIT_NPROC; None means unlimited (or unknown on this OS)."""
    try:
        import resource
    except ImportError:  # not a POSIX system
        return None, None
    soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)

    def norm(v: int) -> int | None:
        return None if v == resource.RLIM_INFINITY or v < 0 else v

    return norm(soft), norm(hard)


def _usable_cpus() -> int:
    """CPUs this process may run on, as Go's runtime.NumCPU counts them.

    Go sizes GOMAXPROCS and `go test -p` from the affinity mask
    (sched_getaffinity), not from the CPUs installed: under `taskset -c 0-3` or a
    cpuset of 4 on a 64-CPU host it runs 4-wide, and so should the budget.
    """
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


_UNSET: Any = object()


@dataclass
class Context:
    """Everything a check may look at.  Build one with :meth:`create`."""

    system: SystemView
    environ: Mapping[str, str]
    cwd: str
    commands: Commands
    uid: int
    cpu_count: int
    rlimit_nproc: tuple[int | None, int | None]
    qps: float | None = None
    lifetime: float = 0.0
    settings: Any = None
    # The Go resolution for cwd, computed on first use (see :meth:`resolution`).
    _resolution: Any = field(default=_UNSET, repr=False)
    _resolve_error: Any = field(default=None, repr=False)

    @classmethod
    def create(cls, root: str | None = None, environ: Mapping[str, str] | None = None,
               cwd: str | None = None, commands: Commands | None = None,
               uid: int | None = None, cpu_count: int | None = None,
               rlimit_nproc: tuple[int | None, int | None] | None = None,
               qps: float | None = None, lifetime: float = 0.0, settings: Any = None
               ) -> Context:
        environ = dict(os.environ if environ is None else environ)
        system = SystemView(root or "/")
        if commands is None:
            # With a fake root, real system tools would describe the wrong machine.
            commands = (Commands(environ.get("PATH")) if system.is_real
                        else ScriptedCommands({}, environ.get("PATH")))
        return cls(
            system=system,
            environ=environ,
            cwd=os.path.abspath(cwd or os.getcwd()),
            commands=commands,
            uid=os.getuid() if uid is None else uid,
            cpu_count=_usable_cpus() if cpu_count is None else cpu_count,
            rlimit_nproc=_real_rlimit_nproc() if rlimit_nproc is None else rlimit_nproc,
            qps=qps,
            lifetime=lifetime,
            settings=settings,
        )

    def load_settings(self):
        if self.settings is None:
            from .. import settings as settings_mod

            # Not strict: a typo in config.toml must not stop the doctor; it is reported.
            self.settings = settings_mod.load(self.environ, strict=False)
        return self.settings

    def resolution(self):
        """The goswitch resolution for ``cwd`` or None; the error is in ``resolve_error``."""
        if self._resolution is _UNSET:
            self._resolution = None
            try:
                from ..resolve import resolve

                self._resolution = resolve(self.cwd, self.load_settings(), self.environ)
            except Exception as exc:  # a bad pin file or config is a finding, not a crash
                self._resolve_error = exc
        return self._resolution

    @property
    def resolve_error(self):
        return self._resolve_error
