/* phrases.h - the few words purgatory itself adds inside a user's line, in
 * the line's language. Pure functions, any thread.
 *
 * A user's line is spoken in one voice, the language of the line (lang.h);
 * the words purgatory adds to it ("alice says:", "link to example dot com")
 * are read by that same voice, so they come in the same language: a French
 * line is "alice dit : ..." and "lien vers exemple point fr". The narrator's
 * own notices (joins, skipped lines, "earlier in #chan:") are not here: the
 * narrator's voice is English, and so are its words.
 *
 * French typography puts a space before the colon ("dit :"); espeak-ng
 * reads both the same, the space is for the log and the captions. */
#ifndef PURG_PHRASES_H
#define PURG_PHRASES_H

typedef enum phrase {
    PHRASE_SAYS,    /* after the spoken name, before the line: "says:" */
    PHRASE_LINK,    /* a URL without a usable host: "link" */
    PHRASE_LINK_TO, /* before a URL's host: "link to" */
    PHRASE_DOT,     /* between a host's labels: "dot" */
    PHRASE_COUNT
} phrase_t;

#include <stddef.h>

#define PHRASE_MAX 64 /* bytes of one phrase, with its NUL (a voices file's own words) */

/* The words of one language, indexed by phrase_t. */
typedef struct phrase_words {
    const char *w[PHRASE_COUNT];
} phrase_words_t;

/* The phrase in the language code ("fr", "pt", also "pt-br": the part
 * before '-' counts). English for NULL, "" and any language the table does
 * not have. Never NULL; static storage. */
const char *phrases_get(const char *code, phrase_t which);

/* All of code's words into out (phrases_get for each). */
void phrases_words(const char *code, phrase_words_t *out);

/* The phrase a voices file key names ("says", "link", "link_to", "dot"),
 * or -1. */
int phrases_key(const char *key);

/* The keys, for messages: "says, link, link_to, dot". */
const char *phrases_keys(void);

/* Whether value may be a phrase: 1 to PHRASE_MAX - 1 bytes of valid UTF-8
 * with no control character. 0, or PURG_EINVAL with why (n bytes). */
int phrases_check(const char *value, char *why, size_t n);

/* 1 when the table has code's own words (English included). */
int phrases_known(const char *code);

/* The languages of the table, comma-separated ("en,de,fr,..."). */
const char *phrases_list(void);

#endif
