/* speechq.h - the bounded utterance queue between the net thread (producer)
 * and the synth thread (consumer), with its overflow policy.
 *
 * Overflow policy (when the channel outpaces speech):
 *  - push never blocks the net thread;
 *  - when the queue holds `capacity` utterances, the OLDEST is dropped and
 *    counted per nick; the next pop reports "skipped N lines from X" so the
 *    listener can say so before the next line;
 *  - speechq_backlog() lets the synth raise the speaking rate as the backlog
 *    grows (see synth/listen for the rate curve). */
#ifndef PURG_SPEECHQ_H
#define PURG_SPEECHQ_H

#include <stddef.h>
#include <stdint.h>
#include "voice.h"

#define SPEECHQ_NAME_MAX 64
#define SPEECHQ_SAYS_MAX 64 /* PHRASE_MAX */
#define SPEECHQ_MASK_MAX 192

typedef enum utterance_kind {
    UTT_SAY,    /* a channel line */
    UTT_ACTION, /* a /me action */
    UTT_NOTICE  /* something the listener says itself */
} utterance_kind_t;

typedef struct utterance {
    uint64_t id;                      /* assigned by speechq_push, from 1 */
    utterance_kind_t kind;
    char channel[SPEECHQ_NAME_MAX];
    char nick[SPEECHQ_NAME_MAX];
    char mask[SPEECHQ_MASK_MAX];      /* nick!user@host when known, else "" (the
                                         filter's hostmask ignores, both times) */
    voice_t voice;
    char says[SPEECHQ_SAYS_MAX];      /* the "X says:" word in the line's language
                                         ("dit :", phrases.h); "" = "says:" */
    int64_t t_recv;                   /* when the line was read off the socket */
    int64_t t_queued;                 /* when it was pushed */
    struct utterance *next;           /* queue link; owned by the queue */
    char text[];                      /* cleaned text, NUL-terminated */
} utterance_t;

/* A new utterance (names are truncated to fit). NULL when out of memory. */
utterance_t *utterance_new(utterance_kind_t kind, const char *channel, const char *nick,
                           const voice_t *v, const char *text);

typedef struct speechq speechq_t;

int speechq_create(speechq_t **out, size_t capacity);
void speechq_free(speechq_t *q); /* frees queued utterances too */

/* Takes ownership of 'u' even on error. Never blocks on the consumer. Returns
 * 0, or 1 when an older utterance was dropped to make room, or PURG_ECLOSED. */
int speechq_push(speechq_t *q, utterance_t *u);

/* Wait up to timeout_ms (-1 = forever) for an utterance. On success *out is
 * the caller's. When lines were dropped since the previous pop, skipped_msg
 * (if not NULL) receives "skipped N lines from X[, Y and others]", else "".
 * Returns 0, PURG_ETIMEOUT, or PURG_ECLOSED once closed and empty. */
int speechq_pop(speechq_t *q, int timeout_ms, utterance_t **out,
                char *skipped_msg, size_t skipped_len);

/* Drop everything queued; returns how many were dropped (not counted as skipped). */
size_t speechq_clear(speechq_t *q);

/* How many are queued now. Any thread. */
size_t speechq_backlog(speechq_t *q);

/* What is queued, for the presenter's view: copies of the first max
 * utterances (text cut to fit) into items (*nitems of them), and in *secs
 * the speaking time of the whole queue, estimated from its text at each
 * voice's rate (~6 bytes a word). Returns how many are queued. Any thread. */
typedef struct speechq_item {
    utterance_kind_t kind;
    char nick[SPEECHQ_NAME_MAX];
    char text[120];
} speechq_item_t;
size_t speechq_snapshot(speechq_t *q, speechq_item_t *items, size_t max, size_t *nitems,
                        double *secs);

/* No more pushes; pops drain what is left, then return PURG_ECLOSED.
 * With discard, what is left is dropped instead. */
void speechq_close(speechq_t *q, int discard);

/* 1 once speechq_close was called. Any thread. */
int speechq_closed(speechq_t *q);

#endif
