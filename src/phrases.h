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

/* The phrase in the language code ("fr", "pt", also "pt-br": the part
 * before '-' counts). English for NULL, "" and any language the table does
 * not have. Never NULL; static storage. */
const char *phrases_get(const char *code, phrase_t which);

/* 1 when the table has code's own words (English included). */
int phrases_known(const char *code);

/* 1 when the words for code are the English ones (NULL, "", "en", or a
 * language the table does not have). */
int phrases_english(const char *code);

/* The languages of the table, comma-separated ("en,de,fr,..."). */
const char *phrases_list(void);

#endif
