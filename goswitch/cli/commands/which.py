"""``goswitch which TOOL``: the path of a Go program for the version active here."""

from __future__ import annotations

import os

import click

from ... import envexport
from ..completion import complete_tool
from ..output import cwd, data, load_settings


@click.command(short_help="Print the path of go, gofmt or another Go tool used here.")
@click.argument("tool", default="go", shell_complete=complete_tool)
def command(tool: str) -> None:
    """Print the full path of TOOL for the Go version active here.

    Looks in GOROOT/bin (go, gofmt), then in the directory `go install`
    writes to (GOBIN, shared by all versions), then in GOROOT/pkg/tool
    (vet, compile, ... -- run those as `go tool NAME`).  Nothing is
    installed; exit status 3 when TOOL or the version is missing.

    \b
    Examples:
      goswitch which                    the go binary (same as `which go`)
      goswitch which gofmt
      goswitch which golangci-lint      a `go install`ed tool
      goswitch which vet
    """
    envexport.check_tool_name(tool)
    settings = load_settings()
    res = envexport.select_go(None, cwd(), settings, os.environ, may_install=False, mark=False)
    data(envexport.find_tool(res, tool, settings, os.environ))
