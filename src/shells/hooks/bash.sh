# csi-self-check shell hook for bash. Load it from the end of ~/.bashrc with
#   eval "$(csi-self-check shell-hook bash)"
# At the first prompt of each interactive shell it writes the shell's live history
# settings to csi-self-check's state directory, so that the check reports what the
# shell really does rather than what a reading of the rc files suggests. It prints
# nothing and never stops the shell from starting.
if [[ $- == *i* ]]; then
  __csi_self_check_record() {
    PROMPT_COMMAND=${PROMPT_COMMAND#__csi_self_check_record;}
    local dir=${XDG_STATE_HOME:-$HOME/.local/state}/csi-self-check
    [[ -d $dir ]] || command mkdir -p -m 700 -- "$dir" 2>/dev/null || return 0
    local -a fields=(csi-self-check-shell-record version=1 shell=bash)
    [[ -n ${HISTFILE+set} ]] && fields+=("HISTFILE=$HISTFILE")
    [[ -n ${HISTCONTROL+set} ]] && fields+=("HISTCONTROL=$HISTCONTROL")
    [[ -n ${HISTIGNORE+set} ]] && fields+=("HISTIGNORE=$HISTIGNORE")
    [[ -n ${HISTSIZE+set} ]] && fields+=("HISTSIZE=$HISTSIZE")
    [[ -n ${HISTFILESIZE+set} ]] && fields+=("HISTFILESIZE=$HISTFILESIZE")
    if shopt -q histappend; then fields+=(histappend=on); else fields+=(histappend=off); fi
    if [[ -o history ]]; then fields+=(history=on); else fields+=(history=off); fi
    fields+=(end)
    # One printf is one write, so a reader never mistakes a half-written record.
    printf '%s\0' "${fields[@]}" 2>/dev/null >|"$dir/shell-bash.record" || :
    return 0
  }
  PROMPT_COMMAND="__csi_self_check_record;${PROMPT_COMMAND:-}"
fi
