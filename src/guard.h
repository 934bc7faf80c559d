/* guard.h - the command guard: decides whether a persona's line may be sent.
 * A guard_t is built and configured on one thread (main), then only read:
 * guard_check, guard_check_room and guard_is_bot_name may be called from
 * any thread on a guard no longer being configured.
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
 *   as a word, anywhere, in any case (none by default), also inside
 *   brackets ("[cmdbot]").
 * - First-word command (Eggdrop binds any first word; Sopel reads /me
 *   actions so): the first word, after spaces and opening quotes/brackets,
 *   is a command word ("deploy the build", "Seen bob?", "help me").
 * - Empty lines and lines longer than max_len bytes (default 400).
 *
 * Room rules (guard_check_room with a room; lookup() says who is present):
 * - Addresses someone present: after spaces, '@' and opening quotes or
 *   brackets, the line starts with a present nick, whatever follows
 *   ("hubot deploy", "@Hubot: deploy", "sopel seen bob"). Every prefix of
 *   that first run of nick characters counts too ("hubots ..." starts with
 *   hubot: Hubot and Errbot match the name without a word boundary).
 * - Names someone present at the end (Limnoria nick.atEnd): the line, less
 *   trailing spaces, ends with a present nick that is the whole line or
 *   comes after characters including a space, ',', ';' or ':' ("deploy
 *   prod, bot"). "well done, alice." (a full stop after the nick) passes.
 * - Names a bot: any run of nick characters (or such a run without its
 *   brackets) that lookup() flags GUARD_BOT, or that is present and
 *   guard_is_bot_name() - anywhere in the line.
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

/* What the guard knows of the room a line is said in. */
#define GUARD_PRESENT 1u   /* someone other than the speaker is in the channel under this nick */
#define GUARD_BOT     2u   /* ... and is known to be a bot (server bot mode, configuration, a known bot name, another persona) */
typedef struct guard_room {
    /* Flags of the nick s[0..n) (not NUL-terminated; compare case-insensitively with IRC
     * rfc1459 case-mapping): 0 when nobody by that nick is present (the speaker itself reports 0).
     * Called from the thread that calls guard_check_room, several times per line, with
     * runs of ASCII nick characters (fullwidth forms already folded) of any length. */
    unsigned (*lookup)(void *ctx, const char *s, size_t n);
    void *ctx;
} guard_room_t;

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

/* guard_check, plus the room rules above; room may be NULL (then exactly
 * guard_check). PURG_EINVAL also for a room without lookup. A rewritten
 * line is checked again with the room rules too. */
int guard_check_room(const guard_t *g, const guard_room_t *room, const char *line,
                     char *out, size_t outlen, const char **reason);

/* True when nick is a bot by name alone: a nick added with guard_add_nick
 * (the [guard] nicks setting), or the built-in list of well-known chat-ops
 * bot names and patterns (guard.c: irccat, hubot, limnoria, sopel, errbot,
 * eggdrop, ..., and any nick ending in "bot" or "serv", starting with "bot-"
 * or "bot_", or containing "[bot]"). Case-insensitive (rfc1459); trailing
 * '_', '-', '`', '^', digits and "|away"-style suffixes are ignored, so
 * "Hubot_", "hubot2" and "hubot|afk" are hubot. False for NULL. */
bool guard_is_bot_name(const guard_t *g, const char *nick);

#endif
