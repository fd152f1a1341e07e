"""One hook evaluation: from the environment and $PWD to the changes to make.

Pure computation plus the file reads of resolution; the caller turns the
:class:`Plan` into shell code.  Leaving a project restores every variable
goswitch touched to its value from before; from PATH it removes exactly the
entries it added, so entries the user added meanwhile stay.
"""

from __future__ import annotations

import sys

from .. import fs, paths
from .. import settings as settings_mod
from ..errors import GoswitchError
from ..goenv import go_environment
from ..resolve import Resolution, resolve
from ..store import Store, mark_used
from .state import STATE_VAR, State, StateError, remove_entries


class Plan:
    """What the shell must do: ``exports`` (name → value, None = unset) and messages."""

    def __init__(self):
        self.exports: dict[str, str | None] = {}
        self.messages: list[str] = []
        self.watched: list[str] = []
        # Kept until the next evaluation like messages, never printed (_failed_install_memo).
        self.memos: list[str] = []


def base_environment(environ, state: State) -> dict[str, str]:
    """The environment as it was before goswitch changed anything."""
    base = dict(environ)
    for name, value in state.saved.items():
        if value is None:
            base.pop(name, None)
        else:
            base[name] = value
    base["PATH"] = remove_entries(environ.get("PATH", ""), state.path_added)
    base.pop(STATE_VAR, None)
    return base


# A lazy install holds the prompt, so the network gets less patience there than
# `goswitch install` gives it: per read/connect, and attempts per mirror.
PROMPT_TIMEOUT = 10
PROMPT_RETRIES = 2


def _install(spec: str, environ, settings) -> bool:
    """Hand over to the installer (tier 2); its output goes to our stderr."""
    import subprocess

    from ..selfcommand import command_line

    sys.stderr.write(f"goswitch: Go {spec} is not installed; installing it (Ctrl-C stops)\n")
    env = dict(environ)
    env["GOSWITCH_TIMEOUT"] = str(min(settings.timeout, PROMPT_TIMEOUT))
    env["GOSWITCH_RETRIES"] = str(min(settings.retries, PROMPT_RETRIES))
    argv, env = command_line("install", spec, environ=env)
    try:
        done = subprocess.run(argv, stdout=2, stdin=subprocess.DEVNULL, env=env, cwd="/")
    except KeyboardInterrupt:
        return False
    except OSError as exc:
        sys.stderr.write(f"goswitch: cannot run the installer ({exc})\n")
        return False
    return done.returncode == 0


def _removed_under_us(spec: str, environ, state: State) -> bool:
    """Is the missing version the one this shell has active (its tree gone under it)?"""
    if state.empty:
        return False
    return environ.get("GOROOT") == fs.join(paths.versions_dir(environ), spec)


def _watch_list(looked_at, res: Resolution | None, settings, environ) -> list[str]:
    """``looked_at``: the project files and directories resolution read, also when it
    failed (a broken pin file fixed is then seen at the next prompt)."""
    watched = list(looked_at)
    config = settings.config_path
    watched += [config, fs.dirname(config)]
    store_dirs = [paths.versions_dir(environ), *settings.stores]
    watched += store_dirs
    if res is not None:
        if res.env_file:
            watched.append(paths.trust_file(environ))
        if res.spec is not None and res.spec.kind == "latest":
            watched.append(fs.join(paths.cache_dir(environ), "latest-stable"))
    return watched


def _failed_install_memo(spec: str, where: str, settings) -> str:
    """What a failed lazy install is remembered by (in the shell's ``__goswitch_said``).

    While it holds, later prompts in this directory do not try again: a failed
    attempt changes the store directory, which would otherwise re-run the hook
    and the download at every prompt, each time blocking it (and a Ctrl-C
    would be followed by the same install at once).  Another directory, pin,
    or mirror/index setting makes a new memo, hence a new attempt.
    """
    return f"memo: install failed: {spec} {where} {settings.mirrors} {settings.index_url}"


def _remembered(memo_file: str | None) -> str:
    if not memo_file:
        return ""
    try:
        return fs.read_bytes(memo_file, 4096).decode("utf-8", "surrogateescape")
    except OSError:
        return ""


def _remember(memo_file: str | None, memo: str) -> None:
    """Also on disk: a Ctrl-C makes the shell drop this run's output, memo included."""
    if not memo_file:
        return
    try:
        fs.makedirs(fs.dirname(memo_file), 0o700)
        fd = fs.open_fd(memo_file, fs.O_WRONLY | fs.O_CREAT | fs.O_TRUNC, 0o600)
        try:
            fs.write(fd, memo.encode("utf-8", "surrogateescape"))
        finally:
            fs.close(fd)
    except OSError:
        pass


def evaluate(
    environ, pwd: str, said: frozenset | set = frozenset(), memo_file: str | None = None
) -> Plan:
    """``said``: what the previous run said and remembered; ``memo_file``: this shell's
    on-disk copy of a failed-install memo (see _failed_install_memo)."""
    plan = Plan()
    try:
        state = State.decode(environ.get(STATE_VAR))
    except StateError as exc:  # touch nothing
        # Named per directory, so each cd reminds (the Go here may be the wrong one),
        # while the prompts in one place stay quiet.
        plan.messages.append(
            f"goswitch: {STATE_VAR} was written by another goswitch version ({exc}); "
            f"leaving this shell's Go environment as it is, also in {pwd} (start a new shell)"
        )
        return plan
    base = base_environment(environ, state)
    settings = settings_mod.load(base, strict=False)
    plan.messages.extend(f"goswitch: {e}" for e in settings.errors)
    store = Store.from_settings(settings, base)

    res: Resolution | None = None
    try:
        res = resolve(pwd, settings, base, store)
        looked_at, future = res.watched, res.future
    except GoswitchError as exc:
        plan.messages.append(f"goswitch: {exc.message}")
        looked_at, future = exc.watched, exc.future
    plan.watched = _watch_list(looked_at, res, settings, base)

    if res is not None and res.missing and res.install_spec:
        where = res.describe_source
        if settings.auto_install:
            memo = _failed_install_memo(res.install_spec, where, settings)
            # Only on disk: the run that failed was interrupted (Ctrl-C), said why, and
            # the shell dropped its output; say it once, not again now.
            interrupted = memo not in said and _remembered(memo_file) == memo
            tried = memo in said or interrupted
            removed = f"memo: removed: {res.install_spec} {where}"
            if removed in said or (
                not tried and _removed_under_us(res.install_spec, environ, state)
            ):
                # `goswitch uninstall` of the Go this shell uses (to free the disk): not
                # downloaded again at the next prompts here; the next cd here does.
                plan.memos.append(removed)
                plan.messages.append(
                    f"goswitch: Go {res.install_spec} ({where}) was removed while this "
                    f"shell used it, so it is not installed again here now (`goswitch "
                    f"install {res.install_spec}` does, and so does coming back after a cd "
                    "elsewhere)"
                )
            elif not tried and _install(res.install_spec, base, settings):
                res = resolve(pwd, settings, base, store)
            else:
                if not tried:
                    _remember(memo_file, memo)
                plan.memos.append(memo)
                (plan.memos if interrupted else plan.messages).append(
                    f"goswitch: could not install Go {res.install_spec} asked for by {where} "
                    f"(retry with `goswitch install {res.install_spec}`; coming back after a "
                    "cd elsewhere tries again too)"
                )
        else:
            plan.messages.append(
                f"goswitch: Go {res.install_spec} ({where}) is not installed "
                f"(run `goswitch install {res.install_spec}`)"
            )
    if not plan.memos and memo_file:
        try:  # somewhere else now: coming back tries the install again (one syscall)
            fs.unlink(memo_file)
        except OSError:
            pass
    for path in future:
        plan.messages.append(
            f"goswitch: {path}: dated in the future, so a change to it shows at the next cd, "
            f"not at the next prompt (a clock skew? `touch {path}` fixes it)"
        )
    if res is not None and res.env_untrusted:
        plan.messages.append(
            f"goswitch: {res.env_file}: [env] not applied, the file is not trusted "
            f"(review it, then run `goswitch trust {res.env_file}`)"
        )

    new_state = State()
    target: dict[str, str] = {}
    if res is not None and res.goroot:
        env = go_environment(res.goroot, settings, base, res.toolchain, res.env)
        target = env.set
        base_path = base.get("PATH", "")
        base_entries = base_path.split(":") if base_path else []
        added = [p for i, p in enumerate(env.path) if i == 0 or p not in base_entries]
        new_state.path_added = added
        target["PATH"] = ":".join([*added, *base_entries])
        mark_used(base, res.version)  # type: ignore[arg-type]
    for name in target:
        if name != "PATH":
            new_state.saved[name] = base.get(name)

    # Everything goswitch touched before and does not set now goes back.
    wanted: dict[str, str | None] = {name: base.get(name) for name in state.saved}
    wanted["PATH"] = base.get("PATH", "")
    wanted.update(target)
    for name, value in wanted.items():
        if environ.get(name) != value:
            plan.exports[name] = value
    encoded = new_state.encode() if not new_state.empty else None
    if environ.get(STATE_VAR) != encoded:
        plan.exports[STATE_VAR] = encoded
    return plan
