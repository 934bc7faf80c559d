/* hear.h - what the listener does with one heard event: the presenter's
 * decision (ignored and muted nicks, join announcements), the text made
 * speakable, the speaker's voice, and the utterance queued for the synth
 * thread; roster events keep the voice map current. Shared by `listen`
 * (events from IRC) and `demo` (events from the offline room).
 *
 * Thread: the one that delivers the events (the net thread of `listen`, the
 * demo's loop), which also owns the voice map. A hear_t is plain state of
 * that thread; it borrows everything it points to. */
#ifndef PURG_HEAR_H
#define PURG_HEAR_H

#include <stddef.h>

#include "dict.h"
#include "emoji.h"
#include "irc.h"
#include "lang.h"
#include "present.h"
#include "speechq.h"
#include "textclean.h"
#include "voicemap.h"

#define HEAR_HISTORY_MAX 20   /* lines of replayed history kept per channel, at most */

typedef struct hear_hist hear_hist_t;

typedef struct hear {
    voicemap_t *voices;       /* borrowed; this thread's */
    speechq_t *queue;         /* borrowed; the synth thread pops */
    present_t *pres;          /* borrowed, or NULL: no presenter (hear everyone) */
    textclean_opts_t clean;
    lang_t *lang;             /* borrowed, or NULL: --languages off (the nick's voice as is) */
    dict_t *dict;             /* borrowed, or NULL: no pronunciation dictionary */
    emoji_t *emoji;           /* borrowed, or NULL: emoji espeak-ng cannot say are dropped */
    unsigned long queued;     /* channel lines queued so far */
    size_t history_keep;      /* --history N: replayed lines spoken per channel, once */
    hear_hist_t *hist;        /* their buffers (hear_set_history), or NULL */
} hear_t;

/* Set up h; max_chars caps each spoken line (0 = textclean's default). */
void hear_init(hear_t *h, voicemap_t *voices, speechq_t *queue, present_t *pres,
               size_t max_chars);

/* Replayed history (ev->history, see irc.h) is never spoken as live. With
 * keep > 0 (at most HEAR_HISTORY_MAX) the last `keep` replayed lines of each
 * channel are spoken once, after "earlier in #chan:", before the next live
 * line there (or by hear_tick a second after the replay); a replay after a
 * rejoin is not spoken again. 0 or PURG_ENOMEM. */
int hear_set_history(hear_t *h, size_t keep);
/* Speaks the history buffers that have been idle a second. */
void hear_tick(hear_t *h);
/* Frees what hear_set_history allocated; accepts a hear_t without it. */
void hear_fini(hear_t *h);

/* One event heard by the nick 'me' (the listener's own nick). Returns 1
 * when a channel line or action was queued for speech, else 0 (not a line,
 * ignored or muted, nothing speakable left, or out of memory). */
int hear_event(hear_t *h, const irc_event_t *ev, const char *me);

#endif
