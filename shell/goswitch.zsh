# goswitch shell hook for zsh: what `goswitch init zsh` prints.
# Put `eval "$(goswitch init zsh)"` in ~/.zshrc.
#
# Tier 0 (every prompt) uses builtins only: same $PWD, same override and no
# watched file newer than the stamp means nothing to do, no process started.
# chpwd makes a `cd` take effect at once; precmd catches edited files.
# Placeholders @NAME@ are filled in (shell-quoted) by `goswitch init`.
# shellcheck shell=bash disable=SC2034

typeset -g __goswitch_python=@PYTHON@
typeset -g __goswitch_code=@CODE@
typeset -g __goswitch_proto=@PROTO@
typeset -g __goswitch_pwd=
typeset -g __goswitch_ovr=${__goswitch_ovr-}
typeset -g __goswitch_stamp=${__goswitch_stamp-}
typeset -g __goswitch_said=${__goswitch_said-}
typeset -ga __goswitch_watch
__goswitch_watch=()

_goswitch_stale() {
  [[ -n "$__goswitch_stamp" && -e "$__goswitch_stamp" ]] || return 0
  local f
  for f in "${__goswitch_watch[@]}"; do
    [[ "$f" -nt "$__goswitch_stamp" ]] && return 0
  done
  return 1
}

_goswitch_hook() {
  local rc=$?
  # The hook sees only an exported override, so exporting one set earlier must
  # count as a change too ($parameters: "scalar" or "scalar-export").
  local ovr=${parameters[GOSWITCH_GO_VERSION]-}:${GOSWITCH_GO_VERSION-}
  # So do the settings read from the environment (GOSWITCH_*, GOWORK, ...).
  ovr+="|@ENV_VALUES@"
  if [[ "$__goswitch_pwd" != "$PWD" || "$__goswitch_ovr" != "$ovr" ]] || _goswitch_stale; then
    # The hook's output assigns globals from inside this function: no warning for
    # each under `setopt warn_nested_var` (zsh >= 5.3).
    if [[ -n ${options[warnnestedvar]-} ]]; then
      setopt localoptions nowarnnestedvar
    fi
    if [[ $__goswitch_python == /* && ! -x $__goswitch_python ]]; then
      _goswitch_off
      return "$rc"
    fi
    # PATH passed along: a shell started with `env -i` keeps it unexported, and the
    # hook must not take "no PATH in my environment" for an empty one.  Under its own
    # name: `PATH=... cmd` is an error when PATH is read-only (zsh 5.9 even aborts).
    eval "$(__GOSWITCH_PATH=$PATH "$__goswitch_python" -I -S -c "$__goswitch_code" hook zsh \
      "$__goswitch_proto" "$$" "$__goswitch_said")"
    # After the run: a Ctrl-C aborts this function and leaves it to the next prompt.
    __goswitch_pwd=$PWD
    __goswitch_ovr=$ovr
  fi
  return "$rc"
}

# The hook's output sets its variables only through this check: one that is
# read-only (`readonly PATH`, `typeset -r GOROOT` in a start-up file) would stop
# the eval half-way and leave go and GOROOT disagreeing, so then nothing is set,
# and that is said once (again only when other variables are the cause).
typeset -g __goswitch_ro=${__goswitch_ro-}
_goswitch_writable() {
  local n ro=
  for n in "$@"; do
    [[ ${parameters[$n]-} == *readonly* ]] && ro+=" $n"
  done
  [[ -z $ro ]] && return 0
  if [[ $__goswitch_ro != "$ro" ]]; then
    printf 'goswitch: %s\n' "read-only in this shell:$ro (readonly or typeset -r in a start-up file?), so goswitch leaves the Go environment as it is; remove that declaration and open a new shell" >&2
    typeset -g __goswitch_ro=$ro
  fi
  return 1
}

# goswitch was uninstalled or moved under this shell (its Python or its package is
# gone; the launch code prints `_goswitch_off`): say so once, not at every cd.
_goswitch_off() {
  printf 'goswitch: %s%s\ngoswitch: %s\n' \
    "cannot run its hook any more: $__goswitch_python or its goswitch package " \
    "is gone (uninstalled or moved?); the hook stops in this shell, its Go stays." \
    "remove the goswitch init line from ~/.zshrc, or reinstall goswitch and open a new shell." >&2
  _goswitch_hook() { return; }
}

# A cd in a subshell does not switch (as in bash): `$(cd dir && pwd)` is
# everywhere in prompt themes and must not start a process.  `|| :` keeps
# every status here out of ERR_EXIT / TRAPZERR (`setopt err_exit` shells).
# Any cd evaluates, even to the same directory: `cd .` picks up what the
# prompt's date check cannot see (a pin copied over by `cp -p`, older).
_goswitch_chpwd() {
  ((ZSH_SUBSHELL)) || { typeset -g __goswitch_pwd=; _goswitch_hook; } || :
  return 0
}

# First among the precmd functions, like bash's PROMPT_COMMAND (direnv does the
# same): a prompt theme's precmd (starship, powerlevel10k), registered before
# this line, then already shows the new Go, also at a new shell's first prompt.
_goswitch_first() {
  emulate -L zsh
  local f
  local -a fns=(_goswitch_hook)
  for f in "${precmd_functions[@]}"; do
    [[ $f == _goswitch_hook ]] || fns+=("$f")
  done
  precmd_functions=("${fns[@]}")
}
_goswitch_first
unfunction _goswitch_first
autoload -Uz add-zsh-hook
add-zsh-hook -d chpwd _goswitch_hook  # what older init scripts registered
add-zsh-hook chpwd _goswitch_chpwd

# A shell running a command string (`zsh -ic CMD`: an IDE reading the shell's
# environment, `ssh host zsh -ic ...`) never shows a prompt: switch now.
if [[ -n ${ZSH_EXECUTION_STRING-} ]]; then
  _goswitch_hook
fi
