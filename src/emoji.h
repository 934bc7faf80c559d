/* emoji.h - names for the emoji espeak-ng says nothing for, in the line's
 * language, from CLDR's annotations (Debian's unicode-cldr-core, read at
 * start from its installed files). Loaded on the main thread; then read by
 * one thread (the one that owns the lang_t of the speech path).
 *
 * espeak-ng names most emoji itself, in many languages, from its own copy
 * of CLDR; the ones added to Unicode after its data was made (🥲 🤌 🫶 🫠 ...
 * for espeak-ng 1.51) it skips in silence. Those are listed in
 * emoji_silent.inc (made by tests/tools/emoji_silent.py from the installed
 * espeak-ng); only they are named here, with CLDR's "tts" name. */
#ifndef PURG_EMOJI_H
#define PURG_EMOJI_H

#include <stddef.h>
#include <stdint.h>

#define EMOJI_LANGS_MAX 48
#define EMOJI_NAME_MAX 96   /* bytes of one name (longer ones are left out) */
#define EMOJI_DIR "/usr/share/unicode/cldr/common/annotations"

typedef struct emoji emoji_t;

/* An empty set of names. 0 or PURG_ENOMEM. */
int emoji_create(emoji_t **out);
void emoji_free(emoji_t *e);

/* Read lang's names from dir/LANG.xml (dir NULL = EMOJI_DIR). A missing
 * file is not an error (returns PURG_ENOTFOUND, names stay as they were:
 * that language falls back to English). 0, PURG_ENOTFOUND, PURG_ETOOBIG
 * (too many languages, a file over 16 MiB) or PURG_ENOMEM. */
int emoji_load_lang(emoji_t *e, const char *dir, const char *lang);

/* Take lang's names from an annotations file held in memory (for the
 * fuzzer and tests). Entries that are not well formed are skipped. Returns
 * how many names were taken, or PURG_ETOOBIG / PURG_ENOMEM. */
int emoji_parse_string(emoji_t *e, const char *lang, const char *xml, size_t len);

/* 1 when espeak-ng says nothing for cp (it is in emoji_silent.inc). */
int emoji_is_silent(uint32_t cp);
/* How many code points emoji_silent.inc lists, and the i-th. */
size_t emoji_silent_count(void);
uint32_t emoji_silent_at(size_t i);

/* cp's name in lang, else in English, else NULL. */
const char *emoji_name(const emoji_t *e, const char *lang, uint32_t cp);

/* in with each silent emoji replaced by its name in lang (or removed when
 * it has none) into out (outlen bytes, cut at a character boundary).
 * e may be NULL (silent emoji are removed). Returns the length. */
size_t emoji_apply(const emoji_t *e, const char *lang, const char *in, char *out, size_t outlen);

#endif
