# bash completion for purgatory(1)                         -*- shell-script -*-
# Installed as share/bash-completion/completions/purgatory. Every long option
# that `purgatory SUBCOMMAND --help` prints must be listed here (the test
# `completion` checks it); options that take a value go in the _args lists,
# and those whose value is a file also in the _files lists.

_purgatory_commands='listen voices train babble demo'

_purgatory_presenter='--plain --control --record --says --announce-joins
  --pronounce --ignore --mute --volume --captions'
_purgatory_listen='--server --port --nick --channel --output --audio --voices
  --salt --max-length --queue --catch-up --timing --seed --persona --intake-log
  --skip-bots --retry-banned --history --config --no-config --tls --tls-ca
  --tls-insecure --password --password-env --password-file --sasl-user
  --sasl-password-env --sasl-password-file --nickserv-password-env
  --nickserv-password-file --languages --dictionary --help'" $_purgatory_presenter"
_purgatory_demo='--persona --output --audio --seconds --lines --seed --voices
  --check-audio --languages --dictionary --help'" $_purgatory_presenter"
_purgatory_voices='--voices --salt --alone --output --line --languages --help'
_purgatory_train='--output --order --chars --format --nick --max-line --quiet
  --forget --help'
_purgatory_babble='--count --seed --reply --reply-method --verbose --weights --order --rng-seed
  --no-overlap --overlap-ratio --overlap-max --tries --help'

# options that take a value (the next word), per subcommand
_purgatory_args=' --server --port --nick --channel --output --audio --voices
  --salt --max-length --queue --catch-up --timing --persona --intake-log
  --history --config --tls-ca --password --password-env --password-file
  --sasl-user --sasl-password-env --sasl-password-file --nickserv-password-env
  --nickserv-password-file --control --record --says --pronounce --ignore
  --mute --volume --captions --seconds --lines --seed --order --format --nick --max-line
  --count --reply --reply-method --weights --rng-seed --overlap-ratio --overlap-max
  --tries --forget --languages --dictionary --line '
# of those, the ones whose value is a file
_purgatory_files=' --output --voices --timing --persona --intake-log --config
  --tls-ca --password-file --sasl-password-file --nickserv-password-file
  --control --record --dictionary '

# _purgatory_in WORD LIST - whether WORD is one of the words of LIST
_purgatory_in()
{
    local w
    for w in $2; do [ "$w" = "$1" ] && return 0; done
    return 1
}

_purgatory()
{
    local cur prev sub i
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    COMPREPLY=()

    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$_purgatory_commands --help --version" -- "$cur"))
        return
    fi
    sub=${COMP_WORDS[1]}
    _purgatory_in "$sub" "$_purgatory_commands" || return

    # the value of an option (--opt=VALUE is split by bash at '=')
    if [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 3 ]; then
        prev=${COMP_WORDS[COMP_CWORD-2]}
    elif [ "$cur" = "=" ]; then
        cur=
    fi
    case "$prev" in
        -o) prev=--output ;;
        -P) prev=--persona ;;
        -a) prev=--audio ;;
        -s|-p|-n|-c|-t|-l) return ;; # a host, port, nick, channel or number
    esac
    if [[ "$prev" == --* ]] && _purgatory_in "$prev" "$_purgatory_args"; then
        case "$sub:$prev" in
            *:--audio)
                if [ "$sub" = demo ]; then
                    COMPREPLY=($(compgen -W 'default null none' -- "$cur"))
                else
                    COMPREPLY=($(compgen -W 'default null' -- "$cur"))
                fi ;;
            *:--says) COMPREPLY=($(compgen -W 'never always change' -- "$cur")) ;;
            *:--languages) COMPREPLY=($(compgen -W 'auto off en,fr,de' -- "$cur")) ;;
            train:--format) COMPREPLY=($(compgen -W 'plain irssi weechat znc' -- "$cur")) ;;
            babble:--reply-method) COMPREPLY=($(compgen -W 'scored simple' -- "$cur")) ;;
            *)
                if _purgatory_in "$prev" "$_purgatory_files"; then
                    compopt -o filenames 2>/dev/null || :
                    COMPREPLY=($(compgen -f -- "$cur"))
                fi ;;
        esac
        return
    fi

    if [[ "$cur" == -* ]]; then
        local opts=_purgatory_$sub
        COMPREPLY=($(compgen -W "${!opts}" -- "$cur"))
        return
    fi
    case "$sub" in
        voices)
            # the action comes first; then nicks (nothing to complete)
            for ((i = 2; i < COMP_CWORD; i++)); do
                case "${COMP_WORDS[i]}" in explain|preview|list|check) return ;; esac
            done
            COMPREPLY=($(compgen -W 'explain preview list check' -- "$cur")) ;;
        train|babble)
            # corpora, models
            compopt -o filenames 2>/dev/null || :
            COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
}
complete -F _purgatory purgatory
