"""Where systemd looks, by systemd's own rules (not platformdirs').

``$XDG_CONFIG_HOME`` counts only when it is an absolute path (``sd_path``'s
rule); otherwise systemd uses ``$HOME/.config``.  Note that
``$XDG_RUNTIME_DIR/environment.d`` (``%t/user/environment.d`` in some blog
recipes) is *not* a directory the generator reads.
"""

from __future__ import annotations

import os

# 60: the number environment.d(5)'s own example uses.  Files are applied in
# lexicographic order of their names across all directories, later ones
# winning, so 60 comes after distribution defaults (10-…, 50-…) and leaves the
# 70-…/90-… range (and unnumbered names such as envvars.conf, which sort after
# digits) for the user's own files, which then see our PATH in ${PATH}.
FILE_NAME = "60-goswitch.conf"
UNIT_NAME = "goswitch-env.service"

GENERATOR_CANDIDATES = (
    "/usr/lib/systemd/user-environment-generators/30-systemd-environment-d-generator",
    "/lib/systemd/user-environment-generators/30-systemd-environment-d-generator",
)


def home_dir(environ) -> str:
    home = environ.get("HOME", "")
    return home if os.path.isabs(home) else os.path.expanduser("~")


def config_home(environ) -> str:
    value = environ.get("XDG_CONFIG_HOME", "")
    if value and os.path.isabs(value):
        return value
    return os.path.join(home_dir(environ), ".config")


def environment_d_dir(environ) -> str:
    return os.path.join(config_home(environ), "environment.d")


# Where systemd-environment-d-generator reads *.conf, highest priority first; a name
# in a later directory is masked by the same name in an earlier one (environment.d(5)).
SYSTEM_ENVIRONMENT_D = (
    "/etc/environment.d", "/run/environment.d", "/usr/local/lib/environment.d",
    "/usr/lib/environment.d",
)


def environment_d_files(environ) -> list[str]:
    """Every *.conf the generator applies, in the order it applies them (by name)."""
    chosen: dict[str, str] = {}
    for directory in (environment_d_dir(environ), *SYSTEM_ENVIRONMENT_D):
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            if name.endswith(".conf") and name not in chosen:
                chosen[name] = os.path.join(directory, name)
    return [chosen[name] for name in sorted(chosen)]


def env_file(environ) -> str:
    return os.path.join(environment_d_dir(environ), FILE_NAME)


def unit_dir(environ) -> str:
    return os.path.join(config_home(environ), "systemd", "user")


def unit_file(environ) -> str:
    return os.path.join(unit_dir(environ), UNIT_NAME)


def unit_wants_link(environ) -> str:
    return os.path.join(unit_dir(environ), "default.target.wants", UNIT_NAME)


def generator() -> str | None:
    for path in GENERATOR_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return None


def display(path: str, environ) -> str:
    """``path`` with the home directory shown as ``~``."""
    home = home_dir(environ).rstrip("/")
    if home and (path == home or path.startswith(home + "/")):
        return "~" + path[len(home) :]
    return path
