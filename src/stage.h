/* stage.h - the stage events: one stream of what happens to what is spoken
 * (an utterance starts, reaches a word, ends or is skipped; the queue, the
 * pause, the volume and the mutes change), published by the parts that make
 * it happen and read by whoever subscribes (the live view, the captions
 * server). Publishers know nothing of the subscribers.
 *
 * Threads and locks (asserted in stage.c):
 *  - stage_subscribe on the main thread only, before stage_seal; after the
 *    seal the subscriber list never changes, so publishing reads it unlocked.
 *  - stage_publish from any thread (the synth thread, the control thread).
 *    Publications are serialized by the stage's mutex, so every subscriber
 *    sees one total order, numbered by stage_event_t.seq.
 *  - A subscriber's function runs on the publishing thread with that mutex
 *    held: it must return quickly, never block on I/O or on another thread,
 *    and never publish (a nested publish is refused and counted). A slow
 *    consumer copies the event into a bounded buffer of its own and drops
 *    its oldest entries: a subscriber never delays the speaker.
 *  - Never from the audio callback. */
#ifndef PURG_STAGE_H
#define PURG_STAGE_H

#include <stddef.h>
#include <stdint.h>

#define STAGE_SUBSCRIBERS_MAX 8
#define STAGE_NAME_MAX 64
#define STAGE_VOICE_MAX 48

typedef enum stage_kind {
    STAGE_START,   /* an utterance begins at sample frame pos (its first sample) */
    STAGE_WORD,    /* it reaches a word at frame pos: text[off, off+len) of its START */
    STAGE_END,     /* it ended at frame pos (value: 1 when skipped) */
    STAGE_QUEUE,   /* value: utterances waiting */
    STAGE_CLEAR,   /* the queue was cleared; value: how many were dropped */
    STAGE_PAUSE,   /* value: 1 paused, 0 resumed */
    STAGE_VOLUME,  /* value: percent */
    STAGE_MUTE     /* nick muted (value 1) or unmuted (value 0) */
} stage_kind_t;

/* One event. Strings are borrowed for the duration of the call only. */
typedef struct stage_event {
    stage_kind_t kind;
    uint64_t seq;             /* set by stage_publish: 1, 2, 3, ... */
    uint64_t id;              /* the utterance (START, WORD, END), else 0 */
    uint64_t pos;             /* the sink's frame position at which it is heard
                                 (audio_position), 0 = now */
    int64_t t_ns;             /* set by stage_publish: when (util_now_ns) */
    int utt_kind;             /* START: utterance_kind_t */
    const char *channel;      /* START: "" for the listener's own notices */
    const char *nick;         /* START, MUTE */
    const char *mask;         /* START: nick!user@host, or "" */
    const char *voice;        /* START: espeak-ng voice name */
    int pan;                  /* START: -100 (left) .. 100 (right) */
    int color;                /* START: the view's nick colour (31..36) */
    const char *text;         /* START: the text as spoken ("alice says: hi") */
    const char *line;         /* START: the line itself ("hi") */
    size_t off, len;          /* WORD: byte range in START's text */
    int value;                /* see the kinds */
} stage_event_t;

typedef void (*stage_fn)(void *ctx, const stage_event_t *ev);

typedef struct stage stage_t;

int stage_create(stage_t **out);
void stage_free(stage_t *s);   /* NULL is fine; no publisher may be left */

/* Main thread, before stage_seal: fn(ctx, ev) for every event from now on.
 * 0, PURG_ETOOBIG past STAGE_SUBSCRIBERS_MAX, or PURG_EINVAL after the seal. */
int stage_subscribe(stage_t *s, stage_fn fn, void *ctx);
/* Main thread: no more subscribers; publishing may begin. */
void stage_seal(stage_t *s);

/* Any thread but the audio callback: number ev (seq, t_ns) and hand it to
 * every subscriber in order. NULL s is fine (nobody listens). Returns the
 * seq given, or 0 when refused (nested publish from a subscriber). */
uint64_t stage_publish(stage_t *s, stage_event_t *ev);

/* Events refused so far (a subscriber published). Any thread. */
unsigned long stage_refused(const stage_t *s);

/* A stable name for a kind ("start", "word", ...). */
const char *stage_kind_name(stage_kind_t k);

#endif
