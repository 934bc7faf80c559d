#!/usr/bin/env bash
# completion.sh - the bash completion (completion/purgatory.bash) knows every
# subcommand and every long option that `purgatory SUBCOMMAND --help` prints:
# `purgatory SUB --<TAB>` offers each of them. Values: file names after
# --voices, --persona, --output; the kinds after --audio; the actions of
# `purgatory voices <TAB>`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

purg_tmpdir
script=$PURG_SOURCE_DIR/completion/purgatory.bash
[ -r "$script" ] || purg_fail "no completion script at $script"
# shellcheck source=/dev/null
. "$script"

# complete WORD... - COMPREPLY for the command line WORD..., the last one
# being completed, one word a line in $PURG_TMP/reply
complete_line() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMPREPLY=()
  _purgatory
  printf '%s\n' "${COMPREPLY[@]}" >"$PURG_TMP/reply"
}
offers() { grep -qxF -- "$1" "$PURG_TMP/reply"; }

complete_line purgatory ''
for sub in listen voices train babble demo; do
  offers "$sub" || purg_fail "'purgatory <TAB>' does not offer $sub"
done

missing=()
for sub in listen demo voices train babble; do
  "$PURG_BIN" "$sub" --help >"$PURG_TMP/$sub.help" 2>&1 || purg_fail "purgatory $sub --help failed"
  complete_line purgatory "$sub" --
  n=0
  for opt in $(grep -oE -- '--[a-z][a-z0-9-]+' "$PURG_TMP/$sub.help" | sort -u); do
    n=$((n + 1))
    offers "$opt" || missing+=("$sub $opt")
  done
  purg_log "$sub: $n long options in --help, all offered" # (unless listed below)
done
[ ${#missing[@]} -eq 0 ] || purg_fail "not in completion/purgatory.bash (add them to the" \
  "subcommand's list, and to _purgatory_args/_files if they take a value): ${missing[*]}"

# values
mkdir -p "$PURG_TMP/files"
touch "$PURG_TMP/files/voices.ini" "$PURG_TMP/files/bofh.ini" "$PURG_TMP/files/out.wav"
for line in "listen --voices" "demo --persona" "demo -P" "demo --output" "listen --record" \
            "voices --voices" "train -o"; do
  # shellcheck disable=SC2086
  complete_line purgatory $line "$PURG_TMP/files/"
  [ "$(wc -l <"$PURG_TMP/reply")" -eq 3 ] || purg_fail "'purgatory $line <TAB>' offers no file names"
done
complete_line purgatory demo --audio ''
for k in default null none; do offers "$k" || purg_fail "demo --audio <TAB> lacks $k"; done
complete_line purgatory voices ''
for a in explain preview list check; do offers "$a" || purg_fail "voices <TAB> lacks $a"; done
complete_line purgatory listen --server ''
[ ! -s "$PURG_TMP/reply" ] || [ "$(cat "$PURG_TMP/reply")" = "" ] \
  || purg_fail "listen --server <TAB> offers something: $(head -3 "$PURG_TMP/reply")"
purg_log "completion ok"
