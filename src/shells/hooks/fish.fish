# csi-self-check shell hook for fish. Load it from the end of ~/.config/fish/config.fish with
#   csi-self-check shell-hook fish | source
# At the first prompt of each interactive shell it writes the shell's live history
# settings to csi-self-check's state directory, so that the check reports what the
# shell really does rather than what a reading of the config files suggests. It
# prints nothing and never stops the shell from starting.
if status is-interactive
    function __csi_self_check_record --on-event fish_prompt
        functions --erase __csi_self_check_record
        set -l state $HOME/.local/state
        set -q XDG_STATE_HOME[1]; and set state $XDG_STATE_HOME[1]
        set -l dir $state/csi-self-check
        test -d $dir; or command mkdir -p -m 700 -- $dir 2>/dev/null; or return 0
        set -l fields csi-self-check-shell-record version=1 shell=fish
        set -q fish_history; and set -a fields "fish_history=$fish_history"
        set -q fish_private_mode; and set -a fields "fish_private_mode=$fish_private_mode"
        set -q XDG_DATA_HOME; and set -a fields "XDG_DATA_HOME=$XDG_DATA_HOME"
        functions -q fish_should_add_to_history; and set -a fields fish_should_add_to_history=defined
        set -a fields end
        # fish writes each field on its own, so the record is written under a
        # private name and renamed: a reader sees the old record or the new one.
        set -l temp $dir/.shell-fish.record.$fish_pid
        if printf '%s\0' $fields 2>/dev/null >$temp
            command mv -f -- $temp $dir/shell-fish.record 2>/dev/null
        end
        or command rm -f -- $temp 2>/dev/null
        return 0
    end
end
