"""Writing pins: what ``goswitch use`` does to project files and the user config.

Which file in the directory gets the pin (unless ``--file`` says):

1. the file that pins the version in this directory today, in discovery
   order (``goswitch.toml``, ``.go-version``, ``.tool-versions``) -- so the
   user's choice of format is kept;
2. else an existing ``goswitch.toml`` (it gains ``[go] version``);
3. else a new ``.go-version``.

``go.mod`` is Go's own file and is never edited; a ``.go-version`` beside it
wins over it.  Edits keep everything else in the file: ``goswitch.toml`` is
edited with tomlkit (comments, order, layout survive), ``.go-version`` and
``.tool-versions`` line by line (comments, other tools, CRLF, BOM survive).
Each write goes to a temp file that is checked by the same reader the hook
uses before it is renamed over the original.  A ``goswitch.toml`` that was
trusted stays trusted: only ``[go] version`` changed and we changed it.
"""

from __future__ import annotations

import os

from . import config_file, discovery, envexport, fs, paths, trust
from . import settings as settings_mod
from . import store as store_mod
from .atomic import write_atomic
from .discovery import GO_VERSION_NAME, TOML_NAME, TOOL_VERSIONS_NAME
from .errors import GoswitchError, NotFoundError, PinError
from .resolve import parse_user_spec
from .versions import GoVersion

FILE_NAMES = (TOML_NAME, GO_VERSION_NAME, TOOL_VERSIONS_NAME)
SYSTEM = discovery.SYSTEM


class PinWrite:
    """What :func:`write_pin` did."""

    def __init__(self, path: str, value: str, created: bool, retrusted: bool, target: str = ""):
        self.path, self.value, self.created, self.retrusted = path, value, created, retrusted
        self.target = target or path  # the file written: a symlinked pin's target
        self.shadowed_by: discovery.Pin | None = None  # a pin that still wins here


class UseResult:
    def __init__(self, value: str, version: GoVersion | None, goroot: str | None):
        self.value = value  # what was written (spec text, exact version or "system")
        self.version, self.goroot = version, goroot
        self.pin: PinWrite | None = None
        self.config_path: str | None = None  # --global
        self.systemd: str | None = None  # what the systemd writer reported, if anything


# -- choosing the file --------------------------------------------------------


def _reader(name: str):
    if name == TOML_NAME:
        return lambda p: discovery.read_goswitch_toml(p)[0]
    if name == GO_VERSION_NAME:
        return discovery.read_go_version
    return discovery.read_tool_versions


def choose_file(directory: str, requested: str | None = None) -> str:
    if requested is not None:
        if requested not in FILE_NAMES:
            raise GoswitchError(
                f"--file {requested}",
                "goswitch writes goswitch.toml, .go-version or .tool-versions",
                "pick one of those",
                exit_code=2,
            )
        return os.path.join(directory, requested)
    for name in FILE_NAMES:
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        try:
            if _reader(name)(path) is not None:
                return path
        except PinError:
            return path  # a broken pin in this directory: replace it
    toml = os.path.join(directory, TOML_NAME)
    if os.path.isfile(toml):
        return toml
    return os.path.join(directory, GO_VERSION_NAME)


# -- writing ------------------------------------------------------------------


def _read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise GoswitchError(
            path, f"cannot read it: {exc.strerror}", "check its permissions"
        ) from None


def _split_text(raw: bytes, path: str) -> tuple[bool, str]:
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        return bom, raw[3 if bom else 0 :].decode("utf-8")
    except UnicodeDecodeError:
        raise GoswitchError(path, "not UTF-8 text", "fix or remove the file") from None


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _edit_toml(text: str, value: str, path: str) -> str:
    import tomlkit

    try:
        doc = tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:
        raise GoswitchError(
            path, f"invalid TOML: {exc}", "fix the file, then run this again"
        ) from None
    go = doc.get("go")
    if go is None:
        table = tomlkit.table()
        table["version"] = value
        if text and not text.endswith("\n"):
            doc.add(tomlkit.nl())
        doc.append("go", table)
    elif isinstance(go, dict):
        go["version"] = value
    else:
        raise GoswitchError(path, "`go` is not a table", "make it a [go] table")
    return tomlkit.dumps(doc)


def _lines(text: str) -> list[tuple[str, str]]:
    """(line, its ending) for each line, split as the hook's reader splits them
    (discovery.split_lines: at ``\n`` only; ``\r\n`` is an ending, a lone ``\r`` not)."""
    pieces = text.split("\n")
    out = [(p[:-1], "\r\n") if p.endswith("\r") else (p, "\n") for p in pieces[:-1]]
    if pieces[-1]:
        out.append((pieces[-1], ""))  # no newline at the end of the file
    return out


def _edit_go_version(text: str, value: str) -> str:
    split = _lines(text)
    lines = [line + ending for line, ending in split]
    for i, (raw, ending) in enumerate(split):
        line = raw.strip(" \t")
        if line and not line.startswith("#"):
            lines[i] = value + ending
            return "".join(lines)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines.append(_newline(text))
    lines.append(value + _newline(text))
    return "".join(lines)


def _edit_tool_versions(text: str, value: str) -> str:
    split = _lines(text)
    lines = [line + ending for line, ending in split]
    for i, (raw, ending) in enumerate(split):
        body, sep, comment = raw.partition("#")
        fields = discovery.split_fields(body)
        if len(fields) >= 2 and fields[0] in ("golang", "go"):
            indent = body[: len(body) - len(body.lstrip(" \t"))]
            # asdf's fallbacks after the first version (`golang 1.22.1 system`) stay.
            new = " ".join([f"{indent}{fields[0]}", value, *fields[2:]])
            if sep:
                new += " #" + comment
            lines[i] = new + ending
            return "".join(lines)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines.append(_newline(text))
    lines.append(f"golang {value}{_newline(text)}")
    return "".join(lines)


def _write_target(path: str, name: str) -> str:
    """Where the pin for ``path`` is written: the file itself, or the file a symlink
    names when that file already pins a version (a shared pin of a monorepo).

    A cloned project decides where its links point, so a link to anything else
    (``~/.bashrc``, a file that does not exist yet) is refused, never written
    through; and a pipe or a device is refused before it is opened (reading a
    pipe would wait forever), in the hook's words (discovery.stat_pin).
    """
    if discovery.stat_pin(path) is None or not os.path.islink(path):
        return path
    target = os.path.realpath(path)
    try:
        pinned = _reader(name)(target)
    except (PinError, OSError):
        pinned = None
    if pinned is None:
        raise GoswitchError(
            path, f"it is a symlink to {target}, which does not already pin a Go version",
            f"remove the link to have goswitch write a file of its own, or edit {target} "
            "yourself",
        )
    return target


def _atomic_write(path: str, target: str, data: bytes, check) -> None:
    """Write ``target`` (``path`` or its symlink's file) via a temp file, ``check`` first."""
    try:
        write_atomic(target, data, check=check)
    except OSError as exc:
        raise GoswitchError(
            path, f"cannot write it: {exc.strerror}", "check the directory's permissions"
        ) from None


def write_pin(directory: str, value: str, requested: str | None = None, environ=os.environ):
    """Pin ``value`` (a spec text or ``system``) in ``directory``; returns a PinWrite."""
    path = choose_file(directory, requested)
    name = os.path.basename(path)
    target = _write_target(path, name)
    raw = _read_bytes(target)
    bom, text = _split_text(raw, path) if raw is not None else (False, "")
    was_trusted = name == TOML_NAME and raw is not None and trust.is_trusted(environ, path)
    if name == TOML_NAME:
        new_text = _edit_toml(text, value, path)
    elif name == GO_VERSION_NAME:
        new_text = _edit_go_version(text, value)
    else:
        new_text = _edit_tool_versions(text, value)
    data = (b"\xef\xbb\xbf" if bom else b"") + new_text.encode("utf-8")

    def check(tmp: str) -> None:
        try:
            pin = _reader(name)(tmp)
        except PinError as exc:
            raise GoswitchError(path, f"the edit would not read back: {exc.why}") from None
        if pin is None or pin.value != value:
            raise GoswitchError(
                path,
                "the edited file would not pin the version (unusual layout)",
                "edit it by hand",
            )

    _atomic_write(path, target, data, check)
    if was_trusted:
        trust.trust(environ, path)
    result = PinWrite(path, value, raw is None, was_trusted, target)
    try:
        found = discovery.discover(directory, use_go_mod=False)
        if found.pin is not None and os.path.realpath(found.pin.file) != os.path.realpath(path):
            result.shadowed_by = found.pin
    except PinError:
        pass
    return result


# -- goswitch use ---------------------------------------------------------------


def use(
    spec_text: str,
    cwd: str,
    settings,
    environ,
    *,
    global_: bool = False,
    file: str | None = None,
    install: bool = True,
    exact: bool = False,
) -> UseResult:
    """Install (when needed and allowed) and pin ``spec_text`` here or globally."""
    if spec_text.strip().lower() == SYSTEM:
        result = UseResult(SYSTEM, None, None)
    else:
        spec = parse_user_spec(spec_text)
        res = envexport.resolve_spec(spec, settings, environ)
        if res.missing and install:
            installed = envexport.install(res.install_spec or str(spec), settings, environ)
            res.version, res.goroot, res.missing = installed.version, installed.root, False
        if exact and (res.missing or res.version is None):
            raise GoswitchError(
                f"--exact {spec_text}",
                "the exact version is known only once it is installed",
                "drop --no-install, or name an exact version",
                exit_code=2,
            )
        value = res.version.spec_text if exact else str(spec)  # type: ignore[union-attr]
        result = UseResult(value, None if res.missing else res.version, res.goroot)
        if result.version is not None:
            store_mod.mark_used(environ, result.version)
    if global_:
        set_global(result, environ)
    else:
        result.pin = write_pin(cwd, result.value, file, environ)
    return result


def set_global(result: UseResult, environ) -> None:
    """Write ``default_version`` (``system`` removes it) and refresh the systemd file."""
    if result.value == SYSTEM:
        config_file.unset_value("default_version", environ)
    else:
        config_file.set_value("default_version", result.value, environ)
    result.config_path = paths.config_file(environ)
    result.systemd = refresh_systemd(environ)


def refresh_systemd(environ, key: str = "default_version") -> str | None:
    """Let the systemd writer rewrite its file when enabled, after the setting ``key``
    changed; returns its message, if any."""
    try:
        from .systemd import refresh_if_enabled
    except ImportError:
        return None
    return refresh_if_enabled(settings_mod.load(environ), environ, key)


# -- goswitch trust / untrust ---------------------------------------------------


def project_toml(path: str | None, cwd: str, must_exist: bool = True) -> str:
    """The goswitch.toml meant by PATH (a file or a directory), else the nearest one upward."""
    if path is None:
        for directory in fs.ancestors(os.path.abspath(cwd)):
            candidate = os.path.join(directory, TOML_NAME)
            if os.path.isfile(candidate):
                return candidate
        raise NotFoundError(
            TOML_NAME,
            f"none in {cwd} or the directories above it",
            "name the file, or create one with `goswitch use --file goswitch.toml 1.22`",
        )
    target = os.path.abspath(path)
    # A directory, or a path that is gone and was not a goswitch.toml: a project
    # directory (`untrust` of a removed project still forgets its record).
    if os.path.isdir(target) or (
        not os.path.lexists(target) and os.path.basename(target) != TOML_NAME
    ):
        target = os.path.join(target, TOML_NAME)
    if os.path.basename(target) != TOML_NAME:
        raise GoswitchError(
            path,
            f"only {TOML_NAME} files have an [env] table to trust",
            f"name a {TOML_NAME} or its directory",
            exit_code=2,
        )
    if must_exist and not os.path.isfile(target):
        raise NotFoundError(target, "no such file", "check the path")
    return target


def check_trustable(path: str) -> dict:
    """The [env] of a goswitch.toml that reads cleanly (a broken file is not trusted)."""
    try:
        _pin, env, _toolchain = discovery.read_goswitch_toml(path)
    except PinError as exc:
        raise GoswitchError(exc.what, exc.why, "fix the file, then trust it") from None
    return env
