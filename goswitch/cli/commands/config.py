"""``goswitch config get|set|unset|list|path``: the user settings (settings.KEYS)."""

from __future__ import annotations

import json
import os

import click

from ... import config_file, paths, pinning
from ...config_file import key_named
from ...masking import redact, redact_value
from ...resolve import parse_user_spec
from ...settings import KEYS, KEYS_BY_NAME, lookup
from ...systemd import FILE_SETTINGS
from ...tomlread import TomlError, load_file
from ..completion import complete_config_key, complete_config_value
from ..output import data, emit_json, hint, load_settings, note

VERSION_KEYS = ("default_version", "systemd.version")


def _keys_help() -> str:
    lines = ["\b", "Keys (each also read from its GOSWITCH_* variable, which wins):"]
    for key in KEYS:
        lines.append(f"  {key.name:<19} {key.env_var}")
    return "\n".join(lines)


@click.group(
    short_help="Read and change settings (user config, GOSWITCH_* variables).",
    epilog=_keys_help(),
)
def command() -> None:
    """Read and change goswitch's settings.

    Settings live in the user config file (`goswitch config path`;
    $GOSWITCH_CONFIG moves it) and every key can be overridden by its
    GOSWITCH_* environment variable.  `set` and `unset` edit the file and
    keep its comments and layout.  `goswitch config list -v` documents
    every key.

    \b
    Examples:
      goswitch config list
      goswitch config get default_version
      goswitch config set mirrors https://mirrors.aliyun.com/golang/ https://go.dev/dl/
      goswitch config set auto_install false
      goswitch config unset index_url
    """


def _display(value) -> str:
    """A value as TOML (valid for every kind of setting), passwords in URLs masked."""
    return json.dumps(redact_value(value), ensure_ascii=False)


def _config_values() -> dict:
    try:
        return load_file(paths.config_file(os.environ)) or {}
    except (TomlError, OSError):
        return {}


def _rows(settings) -> list[dict]:
    file_values = _config_values()
    rows = []
    for key in KEYS:
        source = settings.sources.get(key.name, "default")
        rows.append(
            {
                "name": key.name,
                "value": redact_value(settings.get(key.name)),
                "source": source.split(":", 1)[0],
                "env_var": key.env_var,
                "config_value": redact_value(lookup(file_values, key.name)),
                "default": key.default,
                "type": key.kind,
                "choices": list(key.choices) or None,
                "doc": key.doc,
            }
        )
    return rows


@command.command("list", short_help="Show every setting, its value and where it comes from.")
@click.option("-v", "--verbose", is_flag=True, help="Also show each key's documentation.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (see docs).")
def list_(verbose: bool, as_json: bool) -> None:
    """Show every setting with its value and source: env, config or default.

    \b
    Examples:
      goswitch config list
      goswitch config list -v           with what each key means
      goswitch config list --json | jq '.keys[] | select(.source == "env")'
    """
    settings = load_settings(strict=False)
    for problem in settings.errors:
        hint(redact(problem))
    rows = _rows(settings)
    if as_json:
        emit_json({"config_file": settings.config_path, "keys": rows})
        return
    for row in rows:
        value = "(unset)" if row["value"] is None else _display(row["value"])
        source = row["source"]
        if source == "env":
            source = f"env {row['env_var']}"
            if row["config_value"] is not None:
                source += f", overrides config {_display(row['config_value'])}"
        data(f"{row['name']} = {value}  # {source}")
        if verbose:
            data(f"    {row['doc']}")
            extra = f"type {row['type']}"
            if row["choices"]:
                extra += ": " + ", ".join(row["choices"])
            data(f"    {extra}; default {_display(row['default'])}; variable {row['env_var']}")


@command.command("get", short_help="Print one setting's value.")
@click.argument("key", shell_complete=complete_config_key)
@click.option("--json", "as_json", is_flag=True, help="Print {name, value, source}.")
def get(key: str, as_json: bool) -> None:
    """Print the value in effect for KEY (lists one item per line; nothing if unset).

    \b
    Examples:
      goswitch config get default_version
      goswitch config get mirrors
      goswitch config get auto_install --json
    """
    key_named(key)
    settings = load_settings()
    value = redact_value(settings.get(key))  # the file has them: `goswitch config path`
    if as_json:
        source = settings.sources.get(key, "default").split(":", 1)[0]
        emit_json({"name": key, "value": value, "source": source})
    elif isinstance(value, list):
        for item in value:
            data(item)
    elif isinstance(value, bool):
        data("true" if value else "false")
    elif value is not None:
        data(str(value))


# ignore_unknown_options: `config set index_ttl -1` is a value to refuse with a reason,
# not an unknown option.
@command.command(
    "set",
    short_help="Store a setting in the user config.",
    context_settings={"ignore_unknown_options": True},
)
@click.argument("key", shell_complete=complete_config_key)
@click.argument("values", nargs=-1, required=True, shell_complete=complete_config_value)
def set_(key: str, values: tuple[str, ...]) -> None:
    """Store KEY = VALUE in the user config (comments and layout are kept).

    List keys (mirrors, stores) take several values, or one separated by
    spaces or commas.  Booleans take 1/0, true/false, yes/no or on/off.

    \b
    Examples:
      goswitch config set default_version 1.22
      goswitch config set verify_signature 1
      goswitch config set mirrors https://mirrors.aliyun.com/golang/ https://go.dev/dl/
      goswitch config set systemd.path append
    """
    spec = key_named(key)
    if spec.kind != "list" and len(values) > 1:
        raise click.UsageError(f"{key} takes one value")
    value = list(values) if spec.kind == "list" and len(values) > 1 else values[0]
    if key in VERSION_KEYS:
        value = str(parse_user_spec(value))
    stored = config_file.set_value(key, value, os.environ)
    note(f"{key} = {_display(stored)} in {paths.config_file(os.environ)}")
    _after_change(key)


@command.command("unset", short_help="Remove a setting from the user config.")
@click.argument("key", shell_complete=complete_config_key)
def unset(key: str) -> None:
    """Remove KEY from the user config; its default applies again.

    \b
    Examples:
      goswitch config unset mirrors
      goswitch config unset default_version
    """
    if config_file.unset_value(key, os.environ):
        note(f"removed {key} from {paths.config_file(os.environ)}")
    else:
        note(f"{key} was not set in {paths.config_file(os.environ)}")
    _after_change(key)


@command.command("path", short_help="Print the user config file's path.")
def path() -> None:
    """Print where the user config file is (it may not exist yet).

    \b
    Examples:
      goswitch config path
      $EDITOR "$(goswitch config path)"
    """
    data(paths.config_file(os.environ))


def _after_change(key: str) -> None:
    var = KEYS_BY_NAME[key].env_var
    if os.environ.get(var, "").strip():
        hint(f"${var} is set and overrides the config file in this environment")
    if key in FILE_SETTINGS or key.startswith("systemd."):
        message = pinning.refresh_systemd(os.environ, key)
        if message:
            note(message)
