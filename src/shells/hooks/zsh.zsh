# csi-self-check shell hook for zsh. Load it from the end of ~/.zshrc with
#   eval "$(csi-self-check shell-hook zsh)"
# At the first prompt of each interactive shell it writes the shell's live history
# settings to csi-self-check's state directory, so that the check reports what the
# shell really does rather than what a reading of the rc files suggests. It prints
# nothing and never stops the shell from starting.
if [[ -o interactive ]]; then
  __csi_self_check_record() {
    emulate -L zsh
    precmd_functions=(${precmd_functions:#__csi_self_check_record})
    local dir=${XDG_STATE_HOME:-$HOME/.local/state}/csi-self-check
    [[ -d $dir ]] || command mkdir -p -m 700 -- $dir 2>/dev/null || return 0
    local -a fields=(csi-self-check-shell-record version=1 shell=zsh)
    (( ${+HISTFILE} )) && fields+=("HISTFILE=$HISTFILE")
    (( ${+SAVEHIST} )) && fields+=("SAVEHIST=$SAVEHIST")
    (( ${+HISTSIZE} )) && fields+=("HISTSIZE=$HISTSIZE")
    (( ${+ZDOTDIR} )) && fields+=("ZDOTDIR=$ZDOTDIR")
    local option
    for option in histignorespace histnostore appendhistory incappendhistory sharehistory extendedhistory; do
      if [[ -o $option ]]; then fields+=("$option=on"); else fields+=("$option=off"); fi
    done
    fields+=(end)
    # One printf is one write, so a reader never mistakes a half-written record.
    printf '%s\0' "${fields[@]}" 2>/dev/null >|$dir/shell-zsh.record || :
    return 0
  }
  typeset -ga precmd_functions
  precmd_functions+=(__csi_self_check_record)
fi
