/* langopts.h - the options of the line's language and the pronunciation
 * dictionary (--languages, --dictionary), shared by `listen` and `demo`.
 * Main thread (parsing, opening); langopts_reload on the thread that uses
 * the dictionary. */
#ifndef PURG_LANGOPTS_H
#define PURG_LANGOPTS_H

#include <stdio.h>
#include "dict.h"
#include "emoji.h"
#include "lang.h"
#include "voicemap.h"

#define LANGOPT_BASE 0x400
enum {
    LANGOPT_LANGUAGES = LANGOPT_BASE,
    LANGOPT_DICTIONARY,
    LANGOPT_END
};

#define LANGOPT_LONGOPTS \
    { "languages", required_argument, NULL, LANGOPT_LANGUAGES }, \
    { "dictionary", required_argument, NULL, LANGOPT_DICTIONARY }

/* The default of --languages: see README "Every language in the room". */
#define LANGOPT_DEFAULT "auto"

typedef struct langopts {
    const char *languages;   /* NULL = LANGOPT_DEFAULT */
    const char *dictionary;  /* NULL = the shipped voices/pronounce.dict; "off" = none */
} langopts_t;

/* One option of subcommand cmd ("listen"): PURG_OPT_GO, PURG_OPT_ERROR after
 * a message on stderr, or PURG_OPT_NOT_MINE for a ch outside
 * LANGOPT_BASE..LANGOPT_END (purg.h). */
int langopts_opt(langopts_t *o, const char *cmd, int ch, const char *arg);

/* The options' lines of a --help. */
void langopts_usage(FILE *f);

/* The options, else the voices file's [languages] use and [dictionary]
 * file, else the defaults, give the guesser (NULL for off), the dictionary (NULL for off, or when the
 * shipped one is not installed) and the emoji names of the allowed
 * languages (all of `auto`'s when off; none when unicode-cldr-core is not
 * installed). 0, or -1 after a message on stderr. */
int langopts_open(const langopts_t *o, const char *cmd, const voicemap_t *voices, lang_t **lang,
                  dict_t **dict, emoji_t **emoji);

/* The voices file's [languages] CODE = VOICE into lang (after a reload of
 * the voices file too; the thread that owns both). */
void langopts_voices(lang_t *lang, const voicemap_t *voices);

/* Re-read the dictionary when asked or when its file changed; a bad file
 * keeps the previous one and says why on stderr. */
void langopts_reload(dict_t *d, const char *cmd, int asked);

#endif
