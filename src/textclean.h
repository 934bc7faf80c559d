/* textclean.h - IRC message text -> speakable text. Pure functions; net thread.
 *
 * Rules, in the order they apply (plain text for espeak-ng, never SSML):
 * - mIRC formatting vanishes: colour \x03[fg[,bg]] (1-2 digits each), hex
 *   colour \x04[RRGGBB[,RRGGBB]], bold \x02, italics \x1D, underline \x1F,
 *   strikethrough \x1E, monospace \x11, reverse \x16, reset \x0F. Other
 *   control characters (CTCP \x01, tab, NUL, DEL, C1) and Unicode spaces
 *   become a space; invisible format characters (zero-width, bidi controls,
 *   variation selectors, skin tones, tags, U+FFFD) vanish.
 * - Bytes that are not valid UTF-8 are dropped; the output is valid UTF-8.
 * - A word starting with http://, https://, ftp:// or www. (optionally after
 *   an opening bracket or quote) is spoken "link to example dot com": host
 *   only, "www." dropped; a URL without a usable host is spoken "link".
 *   These words are in the language opts.lang (phrases.h: French "lien vers
 *   exemple point fr"), or opts.words, English by default.
 * - Emoji stay as they are, each a word of its own, for espeak-ng to name
 *   in the voice's language (emoji.h names the few it cannot); a run of the
 *   same emoji is said once, and a line says at most 3 emoji (the rest
 *   vanish). Text emoticons standing alone (:) :( :D ;) :P <3 o/ ...) become
 *   the emoji they stand for and count as emoji.
 * - Floods: a run of more than 3 identical characters keeps 3 ("nooo",
 *   "!!!"); a word repeated more than 3 times in a row (ASCII case-insensitive,
 *   punctuation included) keeps 3 repeats.
 * - Whitespace is collapsed to single spaces and trimmed.
 * - A token longer than 512 characters keeps its first 512.
 * - Length cap: max_chars bytes (default 300), and never more than outlen-1.
 *   When text is left out, the kept text ends at the last word boundary in
 *   the second half of the room (else mid-word, at a code point boundary),
 *   followed by " ..."; the " ..." counts inside the cap and is omitted for
 *   caps under 12 bytes.
 */
#ifndef PURG_TEXTCLEAN_H
#define PURG_TEXTCLEAN_H

#include <stddef.h>

#include "phrases.h"

#define TEXTCLEAN_CAP_DEFAULT 300 /* max_chars when 0 */
#define TEXTCLEAN_CAP_MAX 4000    /* the largest cap a user may ask for (--max-length) */
#define TEXTCLEAN_OUT_MAX 4096    /* an output buffer that holds any cap, with its NUL */
_Static_assert(TEXTCLEAN_OUT_MAX > TEXTCLEAN_CAP_MAX, "the output buffer must hold the largest cap");

typedef struct textclean_opts {
    size_t max_chars;  /* cap on the cleaned text, in bytes (0 = TEXTCLEAN_CAP_DEFAULT) */
    const char *lang;  /* the language of the words the rules add ("link to", "dot"):
                          phrases.h; NULL or "" = English */
    const phrase_words_t *words; /* those words themselves (a voices file's
                                    [phrases.CODE]); NULL = lang's */
} textclean_opts_t;

/* Clean in[0..inlen) into out (outlen bytes, NUL-terminated, valid UTF-8).
 * o may be NULL (defaults). Returns the length written (>= 0), or 0 when
 * nothing speakable is left (the caller drops the line), or PURG_EINVAL when
 * out is NULL, outlen is 0, or in is NULL with inlen > 0. Never reads past
 * inlen; NUL bytes inside in[0..inlen) are treated as spaces. */
int textclean_clean(const textclean_opts_t *o, const char *in, size_t inlen,
                    char *out, size_t outlen);

#endif
