"""From a directory to a concrete Go: which version, which GOROOT, or what to install.

Order: ``GOSWITCH_GO_VERSION`` (session override), the nearest project file
(see :mod:`goswitch.discovery`), the global default, else nothing (the shell
keeps its own Go).  Stdlib only and offline: the hook calls this at every cd.
A spec that no installed version satisfies comes back ``missing`` with the
spec to hand to the installer, which may use the network.
"""

from __future__ import annotations

from . import fs, paths
from .discovery import SYSTEM, Discovery, Pin, discover
from .errors import EXIT_ERROR, GoswitchError, PinError
from .store import Store
from .versions import GoVersion, Spec, VersionError

OVERRIDE_VAR = "GOSWITCH_GO_VERSION"
LATEST_FILE = "latest-stable"  # written by the index cache: newest stable version


class Resolution:
    """The answer for one directory.

    ``source``: ``override`` | ``file`` | ``global`` | ``none`` | ``system``, or
    ``argument`` for a version named on the command line (``exec``, ``env``).
    ``missing`` means the version is known or specified but not installed;
    ``install_spec`` is then what ``goswitch install`` should be given.
    """

    def __init__(self):
        self.source = "none"
        self.pin: Pin | None = None
        self.spec: Spec | None = None
        self.version: GoVersion | None = None
        self.goroot: str | None = None
        self.missing = False
        self.install_spec: str | None = None
        self.toolchain = "local"
        self.env: dict[str, str] = {}
        self.env_file: str | None = None
        self.env_untrusted = False
        self.watched: list[str] = []
        self.future: list[str] = []  # pin files dated in the future (Discovery.future)

    @property
    def describe_source(self) -> str:
        if self.source in ("file", "system") and self.pin is not None:
            where = self.pin.file + (f":{self.pin.line}" if self.pin.line else "")
            return where
        return {
            "override": f"${OVERRIDE_VAR}",
            "argument": "the command line",
            "global": "global default",
            "none": "none",
            "system": f"${OVERRIDE_VAR}",  # GOSWITCH_GO_VERSION=system
        }.get(self.source, self.source)

    def to_dict(self) -> dict:
        pin = self.pin
        return {
            "version": str(self.version) if self.version else None,
            "goroot": self.goroot,
            "source": self.source,
            "file": pin.file if pin and self.source == "file" else None,
            "line": pin.line if pin and self.source == "file" else None,
            "spec": self.spec.text if self.spec else (pin.value if pin else None),
            "installed": self.goroot is not None,
            "install_spec": self.install_spec,
            "toolchain": self.toolchain,
        }


def parse_user_spec(
    text: str,
    what: str | None = None,
    fix: str = "write e.g. 1.22.10, 1.22, 1.23rc1 or latest",
    exit_code: int = 2,
) -> Spec:
    """A version spec the user gave, or an error naming where it came from and the fix.

    ``what`` defaults to the command-line form; the exit code to a usage error.
    """
    try:
        return Spec.parse(text)
    except VersionError as exc:
        raise GoswitchError(
            what or f"version {text!r}", f"not a Go version: {exc.why}", fix, exit_code=exit_code
        ) from None


def _latest_cached(environ) -> GoVersion | None:
    """Newest stable release known from the cached index (no network)."""
    try:
        text = (
            fs.read_bytes(fs.join(paths.cache_dir(environ), LATEST_FILE), 64)
            .decode("ascii")
            .strip()
        )
        return GoVersion.parse(text)
    except (OSError, VersionError, UnicodeDecodeError):
        return None


def choose(
    spec: Spec | None, minimum: GoVersion | None, store: Store, environ, res: Resolution
) -> None:
    """Fill ``res.version``/``goroot``/``missing`` for a spec or a go.mod minimum."""
    if minimum is not None:
        candidates = [
            v
            for v in store.versions()
            if v.line == minimum.line and v >= minimum and not v.is_prerelease
        ]
        best = max(candidates) if candidates else None
        if best is None and minimum.is_prerelease:
            best = minimum if store.find(minimum) else None
        if best is not None:
            res.version, res.goroot = best, store.find(best)
        else:
            res.version, res.missing, res.install_spec = minimum, True, minimum.spec_text
        return
    assert spec is not None
    if spec.kind == "exact":
        res.version = spec.version
        res.goroot = store.find(spec.version)  # type: ignore[arg-type]
        if res.goroot is None:
            res.missing, res.install_spec = True, spec.version.spec_text  # type: ignore[union-attr]
        return
    installed = store.versions()
    if spec.kind == "latest":
        newest = _latest_cached(environ)
        if newest is not None and (not installed or newest > max(installed)):
            res.version = newest
            res.goroot = store.find(newest)
            if res.goroot is None:
                res.missing, res.install_spec = True, newest.spec_text
            return
    best = spec.pick(installed)
    if best is not None:
        res.version, res.goroot = best, store.find(best)
    else:
        res.missing, res.install_spec = True, str(spec)


def installed_choice(text: str | None, store: Store, environ) -> GoVersion | None:
    """The installed version a spec text (the default, systemd.version) selects now.

    Exactly the hook's choice: ``latest`` means the newest release in the
    cached index, so when that one is not installed yet nothing is, and the
    hook would install it rather than use an older one.
    """
    if not text:
        return None
    try:
        spec = Spec.parse(text)
    except VersionError:
        return None
    res = Resolution()
    choose(spec, None, store, environ, res)
    return None if res.missing else res.version


def resolve(cwd: str, settings, environ=None, store: Store | None = None) -> Resolution:
    """Resolve the Go for ``cwd``.

    Raises :class:`PinError` for a bad project file and :class:`GoswitchError`
    for a bad override or default, each naming the place and the fix.
    """
    environ = fs.environ() if environ is None else environ
    res = Resolution()
    store = store or Store.from_settings(settings, environ)
    res.toolchain = settings.toolchain
    override = environ.get(OVERRIDE_VAR, "").strip()
    try:
        found: Discovery = discover(cwd, settings.read_go_mod, environ.get("GOWORK", ""))
    except PinError:
        if not override:
            raise
        found = Discovery()  # the override wins; a broken project file is moot
    res.watched, res.future = found.watched, found.future
    try:
        _decide(res, found, override, settings, store, environ)
    except GoswitchError as exc:  # a bad override or default: a pin file created fixes it
        exc.watched, exc.future = res.watched, res.future
        raise
    return res


def _decide(res: Resolution, found: Discovery, override: str, settings, store, environ) -> None:
    """The rest of :func:`resolve`, once the project files are read."""
    if found.toolchain:
        res.toolchain = found.toolchain
    if found.env_file:
        res.env_file = found.env_file
        from . import trust  # hashlib is costly; only [env] tables need it

        if trust.is_trusted(environ, found.env_file):
            res.env = found.env
        else:
            res.env_untrusted = True

    if override.lower() == SYSTEM:  # this shell keeps its own Go, whatever the files say
        res.source = "system"
        return
    if override:
        res.source = "override"
        res.spec = parse_user_spec(
            override,
            f"${OVERRIDE_VAR}={override!r}",
            f"unset {OVERRIDE_VAR} or set it to e.g. 1.22.10 or system",
            EXIT_ERROR,
        )
        choose(res.spec, None, store, environ, res)
        return

    pin = found.pin
    if pin is not None:
        res.source, res.pin = "file", pin
        if pin.kind == "system":
            res.source = "system"
            return
        res.spec = pin.spec
        choose(pin.spec, pin.minimum, store, environ, res)
        return

    default = settings.default_version
    if default:
        res.source = "global"
        res.spec = parse_user_spec(
            default,
            f"{settings.config_path}: default_version = {default!r}",
            "run `goswitch use --global 1.22.10`",
            EXIT_ERROR,
        )
        choose(res.spec, None, store, environ, res)


__all__ = ["Resolution", "resolve", "choose", "PinError", "GoswitchError", "OVERRIDE_VAR"]
