# goswitch shell hook for fish: what `goswitch init fish` prints.
# Put `goswitch init fish | source` in ~/.config/fish/config.fish.
#
# Tier 0 (every prompt) uses builtins only: same $PWD, same override and no
# watched file newer than the stamp means nothing to do, no process started.
# Placeholders @NAME@ are filled in (fish-quoted) by `goswitch init`.

set -g __goswitch_python @PYTHON@
set -g __goswitch_code @CODE@
set -g __goswitch_proto @PROTO@
set -g __goswitch_pwd ''  # empty: evaluate at the next prompt
set -q __goswitch_ovr; or set -g __goswitch_ovr ''
set -q __goswitch_stamp; or set -g __goswitch_stamp ''
set -q __goswitch_said; or set -g __goswitch_said ''
set -g __goswitch_watch

function _goswitch_stale
    if test -z "$__goswitch_stamp"; or not test -e "$__goswitch_stamp"
        return 0
    end
    for f in $__goswitch_watch
        if test "$f" -nt "$__goswitch_stamp"
            return 0
        end
    end
    return 1
end

# goswitch was uninstalled or moved under this shell (its Python or its package is
# gone; the launch code prints `_goswitch_off`): say so once, not at every cd.
function _goswitch_off
    printf 'goswitch: %s%s\ngoswitch: %s\n' \
        "cannot run its hook any more: $__goswitch_python or its goswitch package " \
        "is gone (uninstalled or moved?); the hook stops in this shell, its Go stays." \
        "remove the goswitch init line from ~/.config/fish/config.fish, or reinstall goswitch and open a new shell." >&2
    functions --erase _goswitch_hook
end

function _goswitch_hook --on-event fish_prompt --on-variable PWD
    set -l goswitch_status $status
    # Any cd evaluates, even to the same directory: `cd .` picks up what the
    # prompt's date check cannot see (a pin copied over by `cp -p`, older).
    test "$argv[1]" = VARIABLE; and set -g __goswitch_pwd ''
    # The hook sees only an exported override, so exporting one set earlier
    # must count as a change too.
    set -l ovr ''
    set -q GOSWITCH_GO_VERSION; and set ovr ":$GOSWITCH_GO_VERSION"
    set -qx GOSWITCH_GO_VERSION; and set ovr "x$ovr"
    # So do the settings read from the environment (GOSWITCH_*, GOWORK, ...).
    set ovr "$ovr|@ENV_VALUES@"
    if test "$__goswitch_pwd" != "$PWD"; or test "$__goswitch_ovr" != "$ovr"; or _goswitch_stale
        if string match -q '/*' -- $__goswitch_python; and not test -x $__goswitch_python
            _goswitch_off
            return $goswitch_status
        end
        $__goswitch_python -I -S -c $__goswitch_code hook fish \
            $__goswitch_proto $fish_pid "$__goswitch_said" | source
        # After the run: a Ctrl-C cancels this function and leaves it to the next prompt.
        set -g __goswitch_pwd "$PWD"
        set -g __goswitch_ovr "$ovr"
    end
    return $goswitch_status
end

# fish rebuilds PATH when fish_user_paths changes (`fish_add_path`, often from
# another terminal, as it is usually universal) and puts those entries before
# ours, so another Go could come first: evaluate again now, before the next
# command (fish's own handler has run by then).
function _goswitch_user_paths --on-variable fish_user_paths
    set -g __goswitch_pwd ''
    _goswitch_hook
end

# A shell running a command string never shows a prompt: switch now.  `fish -c CMD`
# is not interactive; `fish -ic`/`-ilc` (VS Code reads the environment so) is, and only
# its command line, read from /proc without a process, tells it from a session.
if not status is-interactive
    _goswitch_hook
else if test -r /proc/$fish_pid/cmdline
    set -l __goswitch_args (string split0 < /proc/$fish_pid/cmdline)
    if string match -qr -- '^(-[a-zA-Z]*c[a-zA-Z]*|--command(=.*)?)$' $__goswitch_args[2..-1]
        _goswitch_hook
    end
end
