# goswitch shell hook for bash: what `goswitch init bash` prints.
# Put `eval "$(goswitch init bash)"` in ~/.bashrc.
#
# Tier 0 (every prompt) uses builtins only: same $PWD, same override and no
# watched file newer than the stamp means nothing to do, no process started.
# Otherwise one `python -I -S` run prints the changes, which are eval'd here.
# Placeholders @NAME@ are filled in (shell-quoted) by `goswitch init`.
# shellcheck shell=bash

__goswitch_python=@PYTHON@
__goswitch_code=@CODE@
__goswitch_proto=@PROTO@
# Set by the hook's output; declared here so `set -u` shells are safe.
__goswitch_pwd=
__goswitch_ovr=${__goswitch_ovr-}
__goswitch_stamp=${__goswitch_stamp-}
__goswitch_said=${__goswitch_said-}
__goswitch_watch=()
# bash >= 4.4 can tell whether a variable is exported (${VAR@a}).
__goswitch_attrs=
((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1] >= 404)) && __goswitch_attrs=1

_goswitch_stale() {
  [[ -n "$__goswitch_stamp" && -e "$__goswitch_stamp" ]] || return 0
  local f
  for f in ${__goswitch_watch[@]+"${__goswitch_watch[@]}"}; do
    [[ "$f" -nt "$__goswitch_stamp" ]] && return 0
  done
  return 1
}

_goswitch_hook() {
  local rc=$? ovr=${GOSWITCH_GO_VERSION-}
  # The hook sees only an exported override, so exporting one set earlier must
  # count as a change too.
  [[ -z $__goswitch_attrs ]] || ovr=${GOSWITCH_GO_VERSION+${GOSWITCH_GO_VERSION@a}}:$ovr
  # So do the settings read from the environment (GOSWITCH_*, GOWORK, ...).
  ovr+="|@ENV_VALUES@"
  if [[ "$__goswitch_pwd" != "$PWD" || "$__goswitch_ovr" != "$ovr" ]] || _goswitch_stale; then
    if [[ $__goswitch_python == /* && ! -x $__goswitch_python ]]; then
      _goswitch_off
      return "$rc"
    fi
    # PATH passed along: a shell started with `env -i` keeps it unexported, and the
    # hook must not take "no PATH in my environment" for an empty one.  Under its own
    # name: `PATH=... cmd` is an error when PATH is read-only.
    eval "$(__GOSWITCH_PATH=$PATH "$__goswitch_python" -I -S -c "$__goswitch_code" hook bash \
      "$__goswitch_proto" "$$" "$__goswitch_said")"
    # Recorded after the run: a Ctrl-C aborts this function and so leaves it for the
    # next prompt to evaluate again; a python that cannot run still errs only once.
    __goswitch_pwd=$PWD
    __goswitch_ovr=$ovr
  fi
  return "$rc"
}

# The hook's output sets its variables only through this check: one that is
# read-only (`readonly PATH`, `declare -r GOROOT` in a start-up file) would fail
# alone and leave go and GOROOT disagreeing, so then nothing is set, and that is
# said once (again only when other variables are the cause).  bash < 4.4 cannot
# tell without a subshell and just tries.
__goswitch_ro=${__goswitch_ro-}
_goswitch_writable() {
  [[ -n $__goswitch_attrs ]] || return 0
  local - n ro=
  set +u  # ${!n@a} of an unset variable
  for n in "$@"; do
    [[ ${!n@a} == *r* ]] && ro+=" $n"
  done
  [[ -z $ro ]] && return 0
  if [[ $__goswitch_ro != "$ro" ]]; then
    printf 'goswitch: %s\n' "read-only in this shell:$ro (readonly or declare -r in a start-up file?), so goswitch leaves the Go environment as it is; remove that declaration and open a new shell" >&2
    __goswitch_ro=$ro
  fi
  return 1
}
# goswitch was uninstalled or moved under this shell (its Python or its package is
# gone; the launch code prints `_goswitch_off`): say so once, not at every cd.
_goswitch_off() {
  printf 'goswitch: %s%s\ngoswitch: %s\n' \
    "cannot run its hook any more: $__goswitch_python or its goswitch package " \
    "is gone (uninstalled or moved?); the hook stops in this shell, its Go stays." \
    "remove the goswitch init line from ~/.bashrc, or reinstall goswitch and open a new shell." >&2
  _goswitch_hook() { return; }
}
# Run first, so the user's own prompt commands already see the new Go.
# Array form (bash >= 5.1) or a string.  ${x@a} needs bash >= 4.4 and only
# runs there; `declare -p` would cost a subshell at every shell start.
__goswitch_pc_attrs=
if [[ -n $__goswitch_attrs ]]; then
  __goswitch_pc_attrs=${PROMPT_COMMAND+${PROMPT_COMMAND@a}}
fi
if [[ $__goswitch_pc_attrs == *a* ]]; then
  if [[ " ${PROMPT_COMMAND[*]} " != *" _goswitch_hook "* ]]; then
    PROMPT_COMMAND=(_goswitch_hook "${PROMPT_COMMAND[@]}")
  fi
elif [[ ";${PROMPT_COMMAND-};" != *";_goswitch_hook;"* ]]; then
  # The string form, on purpose: the user's PROMPT_COMMAND is not an array.
  # shellcheck disable=SC2128,SC2178
  PROMPT_COMMAND="_goswitch_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
fi
unset __goswitch_pc_attrs

# Also switch right after cd, pushd and popd, so `cd proj && go build` on one
# line already uses proj's Go (zsh and fish have events for this, bash has
# none).  The rvm/mise convention: __zsh_like_cd runs the functions listed in
# chpwd_functions after a successful builtin.  Join it when another tool set
# it up; otherwise set it up, except for commands the user made a function or
# an alias of.  Subshells are skipped: `$(cd dir && pwd)` must stay cheap.
# Any cd evaluates, even to the same directory: `cd .` picks up what the
# prompt's date check cannot see (a pin copied over by `cp -p`, older).
_goswitch_chpwd() {
  ((BASH_SUBSHELL)) || { __goswitch_pwd=; _goswitch_hook; } || :
  return 0
}
[[ " ${chpwd_functions[*]-} " == *" _goswitch_chpwd "* ]] || chpwd_functions+=(_goswitch_chpwd)
# Which of them are not functions yet (and whether bash-preexec is loaded); one
# redirection for all the lookups, as each costs an open() at every shell start.
__goswitch_free=
__goswitch_bp=
{
  declare -F __zsh_like_cd || __goswitch_free+=" __zsh_like_cd"
  declare -F cd || __goswitch_free+=" cd"
  declare -F pushd || __goswitch_free+=" pushd"
  declare -F popd || __goswitch_free+=" popd"
  declare -F __bp_precmd_invoke_cmd && __goswitch_bp=1
} >/dev/null
# bash-preexec (atuin, starship, iTerm2's integration use it) runs its
# precmd_functions before the rest of PROMPT_COMMAND: be first there too, so
# prompt themes show the new Go (the second call finds nothing to do).
if [[ -n $__goswitch_bp && " ${precmd_functions[*]-} " != *" _goswitch_hook "* ]]; then
  precmd_functions=(_goswitch_hook ${precmd_functions[@]+"${precmd_functions[@]}"})
fi
unset __goswitch_bp
if [[ $__goswitch_free == *" __zsh_like_cd"* ]]; then
  __zsh_like_cd() {
    builtin "$@" || return
    local __goswitch_fn
    # Every hook runs whatever the others return, as in zsh (rvm's version stops at
    # the first failure: a user's `chpwd() { [[ -f .nvmrc ]] && nvm use; }` would
    # keep goswitch from switching).
    for __goswitch_fn in chpwd ${chpwd_functions[@]+"${chpwd_functions[@]}"}; do
      if declare -F "$__goswitch_fn" >/dev/null; then
        "$__goswitch_fn" || :
      fi
    done
    return 0
  }
fi
# An alias such as `alias cd='cd -P'` still reaches the function, one that
# names another command does not.  `function NAME` so that an alias of the
# same name is never expanded here.
if [[ $__goswitch_free == *" cd"* && "${BASH_ALIASES[cd]-cd} " == "cd "* ]]; then
  function cd { __zsh_like_cd cd "$@"; }
fi
if [[ $__goswitch_free == *" pushd"* && "${BASH_ALIASES[pushd]-pushd} " == "pushd "* ]]; then
  function pushd { __zsh_like_cd pushd "$@"; }
fi
if [[ $__goswitch_free == *" popd"* && "${BASH_ALIASES[popd]-popd} " == "popd "* ]]; then
  function popd { __zsh_like_cd popd "$@"; }
fi
unset __goswitch_free

# A shell running a command string (`bash -ic CMD`: an IDE reading the shell's
# environment, `ssh host bash -ic ...`) never shows a prompt: switch now.
if [[ $- == *c* ]]; then
  _goswitch_hook
fi
