/* speaker.h - the synth thread: takes utterances off the speech queue, logs
 * each one, speaks it through the one espeak-ng engine into the audio sink,
 * publishes what it does as stage events (stage.h), and (optionally) records
 * per-line timings. It knows nothing of who reads those events. */
#ifndef PURG_SPEAKER_H
#define PURG_SPEAKER_H

#include <stdio.h>
#include "announce.h"
#include "audio.h"
#include "speechq.h"
#include "stage.h"
#include "textclean.h"

typedef struct speaker_conf {
    audio_t *audio;     /* borrowed; outlives the speaker */
    speechq_t *queue;   /* borrowed; close it to make the speaker finish */
    FILE *log;          /* one line per utterance (stdout), or NULL */
    FILE *timing;       /* per-line timestamps for benchmarks, or NULL */
    int catch_up;       /* while lines wait, speak up to this % faster (10 %
                           per waiting line beyond two); 0: never faster */
    stage_t *stage;     /* borrowed: where the stage events go, or NULL */
    announce_filter_t *filter; /* borrowed: who may be heard (asked again just
                           before a line is spoken: mutes come late) and the
                           spoken names; or NULL: everyone, as they are */
    const char *says;   /* the "X says" policy (announce_parse_says), NULL: never */
} speaker_conf_t;

typedef struct speaker speaker_t;

#define SPEAKER_CATCH_UP 60 /* the default of speaker_conf_t.catch_up */
/* What the synth thread speaks: a cleaned line (hear.c cleans into
 * TEXTCLEAN_OUT_MAX bytes) after "NAME says: " (a spoken name is shorter than
 * ANNOUNCE_NAME_MAX); rounded up to 4400. */
#define SPEAKER_TEXT_MAX (TEXTCLEAN_OUT_MAX + 304)
_Static_assert(SPEAKER_TEXT_MAX >= TEXTCLEAN_OUT_MAX + ANNOUNCE_NAME_MAX + sizeof " says: ",
               "a cleaned line and its announcement must fit");

/* Start the synth thread; returns once espeak-ng is up (or failed, with a
 * sentence in err). */
int speaker_start(speaker_t **out, const speaker_conf_t *conf, char *err, size_t errlen);

/* Stop the line being spoken now (skip). Any thread, until speaker_join. */
void speaker_skip(speaker_t *s);

/* Wait for the thread to end (it ends when the queue is closed and drained,
 * or when the sink is aborted), drain the sink, free. NULL is fine. */
void speaker_join(speaker_t *s);

/* Utterances spoken so far. Any thread. */
unsigned long speaker_spoken(const speaker_t *s);

#endif
