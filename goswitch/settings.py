"""User settings: the config file, overridden by ``GOSWITCH_*`` variables.

Stdlib only (the hook reads settings at every ``cd``).  :data:`KEYS` is the
single list of settings: ``goswitch config`` documents and validates from it,
and every key ``a.b_c`` has the variable ``GOSWITCH_A_B_C``.
"""

from __future__ import annotations

from . import fs, paths

DEFAULT_INDEX_URL = "https://go.dev/dl/?mode=json&include=all"
DEFAULT_MIRRORS = ("https://go.dev/dl/",)


class Key:
    __slots__ = ("name", "kind", "default", "doc", "choices")

    def __init__(self, name: str, kind: str, default, doc: str, choices=()):
        self.name, self.kind, self.default, self.doc = name, kind, default, doc
        self.choices = tuple(choices)

    @property
    def env_var(self) -> str:
        return "GOSWITCH_" + self.name.replace(".", "_").upper()


KEYS = (
    Key(
        "default_version",
        "str",
        None,
        "Go version used where no project file pins one (set by `goswitch use --global`).",
    ),
    Key(
        "auto_install",
        "bool",
        True,
        "May the shell hook install a missing version when you cd into a project.",
    ),
    Key(
        "mirrors",
        "list",
        list(DEFAULT_MIRRORS),
        "Ordered download bases tried in turn (https://, http://, file://).",
    ),
    Key(
        "index_url",
        "str",
        DEFAULT_INDEX_URL,
        "The go.dev-style JSON release index (golang.google.cn serves the same JSON).",
    ),
    Key("index_ttl", "int", 3600, "Seconds the cached index stays fresh."),
    Key(
        "verify_signature",
        "choice",
        "auto",
        "Check the OpenPGP .asc signature: 1, 0, or auto (when gpgv or gpg is installed).",
        ("auto", "1", "0"),
    ),
    Key(
        "keyring",
        "str",
        None,
        "Armored OpenPGP public key file(s), ':'-separated, used instead of the bundled key.",
    ),
    Key("read_go_mod", "bool", True, "Let go.mod's toolchain/go lines pin a version."),
    Key(
        "stores",
        "list",
        [],
        "Extra read-only stores holding <version>/ Go trees (CI caches, /opt, fleet images).",
    ),
    Key(
        "toolchain",
        "choice",
        "local",
        "What the hook sets GOTOOLCHAIN to: local, auto, or inherit (leave it alone).",
        ("local", "auto", "inherit"),
    ),
    Key(
        "gobin",
        "str",
        None,
        "Directory put on PATH for `go install`ed tools (default: $GOBIN, $GOPATH/bin, ~/go/bin).",
    ),
    Key("gopath", "str", None, "If set, the hook exports GOPATH with this value."),
    Key("timeout", "int", 30, "Network connect/read timeout in seconds."),
    Key("retries", "int", 3, "Download attempts per mirror on transient errors."),
    Key(
        "systemd.path",
        "choice",
        "prepend",
        "Put Go's bin before (prepend) or after (append) the session PATH.",
        ("prepend", "append"),
    ),
    Key(
        "systemd.toolchain",
        "choice",
        "local",
        "GOTOOLCHAIN written to the systemd environment.d file: local, auto or inherit.",
        ("local", "auto", "inherit"),
    ),
    Key(
        "systemd.enabled",
        "bool",
        False,
        "Set by `goswitch systemd enable`; the file is rewritten when the default changes.",
    ),
    Key(
        "systemd.version",
        "str",
        None,
        "Version the systemd file pins; unset means follow the global default.",
    ),
)
KEYS_BY_NAME = {k.name: k for k in KEYS}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingError(ValueError):
    def __init__(self, where: str, key: str, value, why: str):
        from .masking import redact_value  # only on this error path (it imports re)

        super().__init__(f"{where}: {key} = {redact_value(value)!r}: {why}")
        self.where, self.key, self.value, self.why = where, key, value, why


_URL_SCHEMES = ("https://", "http://", "file://")


def _check_url(key: Key, url: str, where: str) -> None:
    """A download base or index: a URL goswitch can fetch, or an absolute local path."""
    if url.lower().startswith("file://") and not url[7:].startswith("/"):
        raise SettingError(
            where, key.name, url, "a file:// URL takes an absolute path: file:///srv/go/"
        )
    if not (url.lower().startswith(_URL_SCHEMES) or url.startswith("/")):
        raise SettingError(where, key.name, url,
                           "expected an https://, http:// or file:// URL, or an absolute path")
    if url.lower().startswith(("https://", "http://")):
        problem = _host_problem(url)
        if problem:
            raise SettingError(where, key.name, url, problem)


def _host_problem(url: str) -> str | None:
    """What is wrong with the host:port of an http(s) URL, or None.

    Checked here, by hand (urllib costs the hook an import), so that a typo such as
    `http://[::1/` or `:99999` is a setting error naming the value, not a failure
    at download time."""
    authority = url.split("://", 1)[1]
    for stop in "/?#":
        authority = authority.split(stop, 1)[0]
    hostport = authority.rpartition("@")[2]
    if hostport.startswith("["):
        host, bracket, port = hostport[1:].partition("]")
        if not bracket or not host or (port and not port.startswith(":")):
            return "an IPv6 address goes in brackets: http://[::1]:8080/"
        port = port[1:]
    else:
        host, _, port = hostport.partition(":")
        if not host or "[" in host or "]" in host:
            return "no host name in it (write e.g. https://mirror.example/golang/)"
    if port and not (port.isascii() and port.isdigit() and 0 < int(port) <= 65535):
        return f"{port!r} is not a port number (1 to 65535)"
    return None


# Keys naming directories or files: exported, or put on PATH, so never relative
# (that would mean another place after every cd).  `~/` is expanded where used.
_PATH_KEYS = frozenset({"stores", "gobin", "gopath", "keyring"})
# Whole-number keys and their least sensible value (seconds, attempts).
_MINIMUM = {"index_ttl": 0, "timeout": 1, "retries": 1}


def _check_paths(key: Key, items, where: str) -> None:
    for item in items:
        if item and not item.startswith(("/", "~/")) and item != "~":
            raise SettingError(
                where, key.name, item, "expected an absolute path (or one starting with ~/)"
            )


def _list(key: Key, value, where: str) -> list:
    if isinstance(value, str):
        # Environment form: space-, comma- or (for paths) colon-separated.
        seps = value.replace(",", " ")
        if key.name == "stores":
            seps = seps.replace(fs.pathsep, " ")
        return [v for v in seps.split() if v]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise SettingError(where, key.name, value, "expected a list of strings")


def coerce(key: Key, value, where: str, environ=None):
    """Turn a config or environment value into the key's type, or raise SettingError.

    ``environ`` (for ``~/`` in mirror paths): the process environment when None.
    """
    if value is None:
        return None
    kind = key.kind
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise SettingError(where, key.name, value, "expected 1/0, true/false, yes/no or on/off")
    if kind == "int":
        if isinstance(value, bool):
            raise SettingError(where, key.name, value, "expected a whole number")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise SettingError(where, key.name, value, "expected a whole number") from None
        least = _MINIMUM.get(key.name, 0)
        if number < least:
            raise SettingError(where, key.name, value, f"expected a whole number >= {least}")
        return number
    if kind == "list":
        items = _list(key, value, where)
        if key.name == "mirrors":
            items = [fs.expanduser(i, environ) if i.startswith("~/") else i for i in items]
            for item in items:
                _check_url(key, item, where)
        if key.name in _PATH_KEYS:
            _check_paths(key, items, where)
        return items
    if kind == "choice":
        text = str(value).strip().lower()
        if isinstance(value, bool):
            text = "1" if value else "0"
        aliases = {"true": "1", "false": "0", "yes": "1", "no": "0", "on": "1", "off": "0"}
        text = aliases.get(text, text) if "1" in key.choices else text
        if text not in key.choices:
            if "1" in key.choices:  # a boolean with extra words (verify_signature: auto)
                others = [c for c in key.choices if c not in ("0", "1")]
                listed = ", ".join([*others, "1/0, true/false, yes/no or on/off"])
            else:
                listed = ", ".join(key.choices[:-1]) + " or " + key.choices[-1]
            raise SettingError(where, key.name, value, "expected " + listed)
        return text
    if not isinstance(value, str):
        raise SettingError(where, key.name, value, "expected a string")
    if key.name == "index_url" and value.strip():
        _check_url(key, value.strip(), where)
    if key.name in _PATH_KEYS and value.strip():
        _check_paths(key, value.split(fs.pathsep), where)
    return value if value.strip() else None


def lookup(data: dict, name: str):
    """The value at dotted ``name`` (``systemd.path``) in parsed TOML, or None."""
    node = data
    for part in name.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _tables() -> set[str]:
    """The TOML tables settings live in (``systemd`` for ``systemd.path``)."""
    return {k.name.split(".")[0] for k in KEYS if "." in k.name}


def unknown_keys(data: dict) -> list[str]:
    """Dotted names in a parsed config that are no setting (typos: ``auto_instal``)."""
    tables = _tables()
    out = []
    for name, value in data.items():
        if name in tables and isinstance(value, dict):
            out += [f"{name}.{sub}" for sub in value if f"{name}.{sub}" not in KEYS_BY_NAME]
        elif name not in KEYS_BY_NAME:
            out.append(name)
    return out


def _did_you_mean(name: str) -> str:
    from difflib import get_close_matches  # only for a config with a typo

    close = get_close_matches(name, [*KEYS_BY_NAME, *_tables()], n=1)
    return f"; did you mean {close[0]}?" if close else "; `goswitch config list` shows the keys"


class Settings:
    """Resolved settings; attribute names are the keys with '.' → '_'."""

    def __init__(self, values: dict, config_path: str, sources: dict):
        self._values = values
        self.config_path = config_path
        self.sources = sources  # key -> "default" | "config" | "env:VAR"

    def get(self, name: str):
        return self._values[name]

    def __getattr__(self, attr: str):
        name = attr.replace("systemd_", "systemd.", 1) if attr.startswith("systemd_") else attr
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(attr) from None

    def items(self):
        return [(k.name, self._values[k.name]) for k in KEYS]


def _configured(key: Key, data: dict, path: str, environ) -> tuple | None:
    """(value, source) from the environment, else the config file; None when neither sets
    it.  Empty means unset, for a list too: GOSWITCH_MIRRORS="" and " , " alike."""
    raw_env = environ.get(key.env_var)
    if raw_env is not None and not raw_env.strip():
        raw_env = None
    for raw, where, source in ((raw_env, key.env_var, "env:" + key.env_var),
                               (lookup(data, key.name), path, "config")):
        if raw is not None:
            value = coerce(key, raw, where, environ)
            if value != []:
                return value, source
    return None


def load(environ=None, strict: bool = True) -> Settings:
    """Read the config file and the environment.

    ``strict=False`` (the hook) turns a bad value into the default and keeps
    going, recording the problem in ``settings.errors``: a typo in the config
    must not break every prompt.
    """
    environ = fs.environ() if environ is None else environ
    path = paths.config_file(environ)
    errors: list[str] = []
    data: dict = {}
    try:
        if fs.exists(path):
            from .tomlread import load_file  # only when there is a file: saves a hook import

            data = load_file(path) or {}
    except ValueError as exc:  # tomlread.TomlError
        if strict:
            raise
        errors.append(f"{exc} (fix the file or run `goswitch config list`)")
        data = {}
    for name in paths.LOCATION_VARS:
        value = environ.get(name, "")
        if value and not paths.location(environ, name):
            problem = SettingError(name, name, value, "expected an absolute path")
            if strict:
                raise problem
            errors.append(f"{problem} (ignored; the default applies)")
    for name in unknown_keys(data):
        errors.append(f"{path}: unknown setting {name!r} (ignored{_did_you_mean(name)})")
    values: dict = {}
    sources: dict = {}
    for key in KEYS:
        try:
            found = _configured(key, data, path, environ)
            if found is not None:
                values[key.name], sources[key.name] = found
                continue
        except SettingError as exc:
            if strict:
                raise
            errors.append(f"{exc} (ignored; the default applies)")
        default = key.default
        values[key.name] = list(default) if isinstance(default, list) else default
        sources[key.name] = "default"
    settings = Settings(values, path, sources)
    settings.errors = errors  # type: ignore[attr-defined]
    return settings
