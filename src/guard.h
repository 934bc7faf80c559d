/* guard.h - the command guard: decides whether a persona's line may be sent.
 * A guard_t is built and configured on one thread (main), then only read:
 * guard_check may be called from any thread on a guard no longer being configured.
 *
 * Persona bots once made a chat-ops bot run its karma command thirty
 * thousand times overnight. Every line a persona would send passes through
 * guard_check first, which refuses anything a command bot could act on.
 *
 * Default rules (strict; the line is dropped on any hit):
 * - CTCP (\x01), CR/LF, any other control character (C0, DEL, C1 incl.
 *   mIRC formatting codes), invalid UTF-8, invisible characters (zero-width,
 *   bidi controls, soft hyphen, BOM, variation selectors, tags) and unusual
 *   spaces (no-break, ideographic, ...). Fullwidth forms (U+FF01..U+FF5E)
 *   are read as the ASCII they imitate for all rules below.
 * - Leading sigil: the first character after spaces and opening quotes or
 *   brackets ( " ' ( [ { < ) is one of  ! # $ % & * + , - . / : ; = > ? @ \ ^ ` | ~
 * - Sigil-prefixed word: any word (after opening quotes or brackets) that
 *   starts with one of  ! ? . / @ ~ $ >  and contains a letter or digit
 *   ("!help", ".net", "@bob", "~5"); "what?" and "..." are fine.
 * - sed-style substitution: a word "s/.../..." with a second slash.
 * - Karma: "++" anywhere; "--" anywhere except as a lone dash between two
 *   words ("wait -- what").
 * - Addressed command: the line starts "nick:", "nick," or "nick>" (nick =
 *   IRC nick characters) and the next word is a command word (default list
 *   in guard.c: deploy, restart, help, kick, ban, op, karma, quote, say, do,
 *   run, exec, rm, shutdown, reload, ...) or starts with a leading sigil.
 * - Known bots: a line that contains a nick registered with guard_add_nick
 *   as a word, anywhere, in any case (none by default).
 * - Empty lines and lines longer than max_len bytes (default 400).
 *
 * Rewrite mode (off by default): a line refused only for karma or sigils
 * is rewritten - runs of two or more '+' or '-' removed, sigils at the start
 * of words removed - and the result is checked again with every rule; it is
 * sent only if it passes. Nothing else is ever rewritten.
 */
#ifndef PURG_GUARD_H
#define PURG_GUARD_H

#include <stdbool.h>
#include <stddef.h>

#define GUARD_MAX_LINE 510      /* hard limit on max_len: an IRC line's payload */
#define GUARD_WORD_MAX 32       /* command words and nicks, bytes incl. NUL */

typedef struct guard guard_t;

/* A guard with the default (strict) rules. Returns 0 or PURG_ENOMEM. */
int guard_create(guard_t **out);

/* Accepts NULL. */
void guard_free(guard_t *g);

/* Adds ASCII punctuation characters to both sigil sets (leading and
 * word-initial). Returns 0, or PURG_EINVAL for anything but ASCII
 * punctuation (no letters, digits, spaces or controls). */
int guard_add_sigils(guard_t *g, const char *chars);

/* Adds a command word (ASCII letters, digits, '_' or '-'; 1..31 bytes;
 * matched case-insensitively). Returns 0, PURG_EINVAL or PURG_ENOMEM. */
int guard_add_command_word(guard_t *g, const char *w);

/* Registers a bot's nick (IRC nick characters, 1..31 bytes): any line
 * containing it as a word is refused. Returns 0, PURG_EINVAL or PURG_ENOMEM. */
int guard_add_nick(guard_t *g, const char *nick);

/* Rewrite mode, see above. Off by default. */
void guard_set_rewrite(guard_t *g, bool on);

/* Longest line accepted, in bytes: 1..GUARD_MAX_LINE. Returns 0 or PURG_EINVAL. */
int guard_set_max_len(guard_t *g, size_t n);

/* One configuration setting, as found in an INI section (for inih handlers):
 *   sigils = chars            (added, e.g. "+-")
 *   command_words = w1 w2 ... (added; separated by spaces or commas)
 *   nicks = n1 n2 ...         (added; separated by spaces or commas)
 *   rewrite = yes|no|true|false|1|0
 *   max_len = N
 * Returns 0, PURG_ENOTFOUND for an unknown key, PURG_EINVAL for a bad value,
 * or PURG_ENOMEM. */
int guard_set(guard_t *g, const char *key, const char *value);

/* Checks the NUL-terminated 'line'. Returns 0 when the line in 'out' (the
 * line itself, or its rewrite) may be sent; PURG_EDENIED when it must be
 * dropped; PURG_ETOOBIG when out (outlen bytes) cannot hold the line;
 * PURG_EINVAL for NULL arguments. *reason (if reason is not NULL) is set to
 * a short static string for logs: why it was refused or rewritten, or "ok". */
int guard_check(const guard_t *g, const char *line, char *out, size_t outlen,
                const char **reason);

#endif
