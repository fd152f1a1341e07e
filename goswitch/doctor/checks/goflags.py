"""GOFLAGS: ask the go itself whether it accepts them, as a build and in this module.

Two trials, each only re-run without GOFLAGS when it fails (so a failure that is
not GOFLAGS' doing blames nothing):

* ``go build -n`` of a one-file module in a temporary directory: flag names and
  values (``-bogus``, ``-mod`` without a value, ``-race=maybe``, ``-p=0``);
* ``go list -m`` in the directory examined, when it is in a module or workspace:
  what depends on the project (``-mod=vendor`` without a matching vendor/).

Neither compiles, caches or downloads anything: ``-n`` only prints commands,
GOPROXY=off and GOTOOLCHAIN=local.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from ..model import FAIL, NA, OK, WARN, Finding
from .goprobe import PROBE_TIMEOUT, TIMED_OUT, GoProbe, probe_env

TITLE = "GOFLAGS"
EXPLAIN = ("GOFLAGS adds its flags to every go command that takes them (build, test, run, "
           "install, list, vet): space-separated `-flag` or `-flag=value` words. One unknown "
           "flag or bad value makes all of them fail before anything is built (`go: parsing "
           "$GOFLAGS: unknown flag -x`, `flag needs an argument`). A value cannot contain a "
           "space: `-ldflags=-s -w` passes `-ldflags=-s` only.")
# Flags whose value is itself a list of flags: the usual place for a space that splits it.
_LIST_FLAGS = ("-asmflags=", "-gcflags=", "-gccgoflags=", "-ldflags=")


def split_values(value: str) -> list[str]:
    """Words that go takes as flags of their own although they look like the rest of the
    value before them (``-ldflags=-s -w``: ``-w``)."""
    words = value.split()
    out = []
    for before, word in zip(words, words[1:]):
        if before.lstrip("-").startswith(tuple(f.lstrip("-") for f in _LIST_FLAGS)) \
                and word.startswith("-") and "=" not in word:
            out.append(word)
    return out


def late_failure(value: str, cwd: str, goroot: str) -> str:
    """What makes builds fail only when they compile or link, which ``go build -n``
    does not: a profile that is not there, a shared standard library that is not."""
    last = {}  # go applies the last of repeated flags: `-pgo=x.pprof -pgo=off` is off
    for word in value.split():
        name, sep, arg = word.lstrip("-").partition("=")
        last[name] = arg if sep else ""
    for name, arg in last.items():
        if name == "pgo" and arg not in ("", "auto", "off") \
                and not os.path.isfile(os.path.join(cwd, arg)):
            return (f"-pgo={arg} is no file (`PGO error: error opening profile: open {arg}: "
                    "no such file or directory`)")
        if name == "linkshared" and arg in ("", "true", "1") and not _shared_std(goroot):
            return ("-linkshared links against a shared standard library that `go install "
                    "-buildmode=shared std` must have built (`link: cannot implicitly include "
                    "runtime/cgo in a shared library`)")
    return ""


def _shared_std(goroot: str) -> bool:
    """Was the standard library built as a shared library in this tree (pkg/*_dynlink)?"""
    try:
        names = os.listdir(os.path.join(goroot, "pkg"))
    except OSError:
        return False
    return any(n.endswith("_dynlink") and os.path.isfile(os.path.join(goroot, "pkg", n,
                                                                      "libstd.so"))
               for n in names)


def finding(ctx, probe: GoProbe, setting: tuple[str, str], go: str | None,
            module_file: str | None) -> Finding:
    value_raw, source = setting
    data = {"value": value_raw or None, "source": source, "go": go, "error": None}
    if not value_raw.strip():
        return Finding("goflags", TITLE, OK, "unset", EXPLAIN, data=data)
    value = f"{value_raw} (from {source})"
    if go is None:
        return Finding("goflags", TITLE, NA, value + "; no go to try it with", EXPLAIN,
                       data=data)
    trials = [("every go build fails", _temp_module_trial)]
    if module_file:
        trials.append((f"go commands in {os.path.dirname(module_file)} fail",
                       _project_trial))
    for consequence, trial in trials:
        if not probe.may_run(go):
            why = "did not answer" if go in probe.hung else "is found through a relative PATH entry"
            return Finding("goflags", TITLE, NA, value + f"; not tried: {go} {why}",
                           EXPLAIN, data=data)
        error = trial(ctx, probe, go, value_raw)
        if error is None:
            continue
        if go in probe.hung or trial(ctx, probe, go, None) is not None:
            # It fails without GOFLAGS too: the trial says nothing about them.
            return Finding("goflags", TITLE, NA, value + f"; could not try it: {error}",
                           EXPLAIN, data=data)
        data["error"] = error
        return Finding("goflags", TITLE, FAIL, value + f" -> {consequence}: {error}",
                       EXPLAIN, _fix(source), data)
    late = late_failure(value_raw, ctx.cwd, os.path.dirname(os.path.dirname(go)))
    if late:
        data["error"] = late
        return Finding("goflags", TITLE, FAIL, value + f" -> every go build fails: {late}",
                       EXPLAIN, _fix(source), data)
    split = split_values(value_raw)
    if split:
        data["split"] = split
        return Finding("goflags", TITLE, WARN, value + f"; {', '.join(split)} is taken as a "
                       "flag of its own, not as part of the value before it (go build "
                       "ignores it; `go env` fails on `-w`)", EXPLAIN,
                       "GOFLAGS cannot hold a value with a space: give that value on the "
                       "command line (`go build -ldflags='-s -w'`) instead. " + _fix(source),
                       data)
    return Finding("goflags", TITLE, OK, value + f"; accepted by {go}", EXPLAIN, data=data)


def _fix(source: str) -> str:
    if source == "environment":
        return ("Correct or unset GOFLAGS where it is set (a shell startup file, a "
                "goswitch.toml [env] table, CI settings).")
    return f"Correct it in {source}: `go env -w GOFLAGS=...` with valid flags, or " \
           "`go env -u GOFLAGS`."


def _temp_module_trial(ctx, probe: GoProbe, go: str, goflags: str | None) -> str | None:
    """Why ``go build -n`` of a one-file module fails with these GOFLAGS, or None."""
    work = tempfile.mkdtemp(prefix="goswitch-doctor-")
    try:
        with open(os.path.join(work, "go.mod"), "w", encoding="utf-8") as f:
            f.write("module goswitchdoctor\n")
        with open(os.path.join(work, "main.go"), "w", encoding="utf-8") as f:
            f.write("package main\n\nfunc main() {}\n")
        return _run(ctx, probe, [go, "build", "-n", "-o", os.devnull, "."], goflags, work,
                    probe_env(ctx.environ))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _project_trial(ctx, probe: GoProbe, go: str, goflags: str | None) -> str | None:
    """Why ``go list -m`` in the examined directory fails with these GOFLAGS, or None:
    it loads go.mod (and go.work, as the user's GOWORK says) and checks vendor/."""
    env = probe_env(ctx.environ)
    env.pop("GOWORK")
    if "GOWORK" in ctx.environ:
        env["GOWORK"] = ctx.environ["GOWORK"]
    return _run(ctx, probe, [go, "list", "-m"], goflags, ctx.cwd, env)


def _run(ctx, probe: GoProbe, argv: list[str], goflags: str | None, cwd: str,
         env: dict) -> str | None:
    env["GOPROXY"] = "off"
    if goflags is not None:
        env["GOFLAGS"] = goflags
    done = ctx.commands.run(argv, timeout=PROBE_TIMEOUT, env=env, cwd=cwd)
    if done.returncode == 0:
        return None
    if done.returncode == TIMED_OUT:
        probe.hung.add(argv[0])
    # go's reason, without the warnings before it and the usage lines after it.
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()
             and not line.startswith(("warning:", "usage:", "Run 'go help"))]
    return ascii(lines[0] if lines else f"exit {done.returncode}")[1:-1]
