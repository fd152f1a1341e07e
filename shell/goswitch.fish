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

function _goswitch_hook --on-event fish_prompt --on-variable PWD
    set -l goswitch_status $status
    set -l ovr ''
    set -q GOSWITCH_GO_VERSION; and set ovr "$GOSWITCH_GO_VERSION"
    if test "$__goswitch_pwd" != "$PWD"; or test "$__goswitch_ovr" != "$ovr"; or _goswitch_stale
        $__goswitch_python -I -S -c $__goswitch_code hook fish \
            $__goswitch_proto $fish_pid "$__goswitch_said" | source
        # After the run: a Ctrl-C cancels this function and leaves it to the next prompt.
        set -g __goswitch_pwd "$PWD"
        set -g __goswitch_ovr "$ovr"
    end
    return $goswitch_status
end

# `fish -c CMD` (not interactive) never shows a prompt: switch now.  (`fish -ic`
# cannot be told apart from an interactive session here; it switches at the first cd.)
status is-interactive; or _goswitch_hook
