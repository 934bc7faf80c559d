/* synth.h - the one espeak-ng engine: text in a voice -> stereo PCM into an
 * audio sink. espeak-ng is not thread-safe and has one global engine, so one
 * synth_t exists per process and it is used from a single thread only: the
 * synth thread in `listen`, or the main thread in one-shot tools. */
#ifndef PURG_SYNTH_H
#define PURG_SYNTH_H

#include <stdint.h>
#include "audio.h"
#include "voice.h"

typedef struct synth synth_t;

/* Initialize espeak-ng (synchronous mode, callback output) writing into a. */
int synth_create(synth_t **out, audio_t *a, char *err, size_t errlen);
/* Frees the handle only (no espeak-ng call), so any thread may do it once
 * the synthesizing thread is done with it. */
void synth_free(synth_t *s);

/* Speak text (plain UTF-8, no SSML) in voice v, panned by v->pan. Blocks
 * until all PCM is handed to the sink (not until it was played). id marks
 * the utterance for latency records (0 = no mark). t_first_ns, if not NULL,
 * receives the time of the first PCM chunk. Returns 0 or a negative code. */
int synth_say(synth_t *s, const voice_t *v, const char *text, uint64_t id, int64_t *t_first_ns);

/* Called on the synth thread during synth_say for each word espeak-ng
 * reaches: its character position (from 1) and length in characters in the
 * text given, and where it starts in the audio, in ms from the line's first
 * sample. */
typedef void (*synth_word_fn)(void *ctx, int char_pos, int char_len, int audio_ms);
/* Set (or with NULL clear) the word function. Synth thread. */
void synth_on_word(synth_t *s, synth_word_fn fn, void *ctx);

/* Stereo frames the last synth_say handed to the sink. Synth thread. */
uint64_t synth_last_frames(const synth_t *s);

/* Ask a running synth_say to stop early (skip). Any thread. */
void synth_cancel(synth_t *s);

/* True when espeak-ng knows the voice (the part before any "+variant";
 * variants are not checked here). Same thread as synth_say. */
int synth_voice_known(synth_t *s, const char *name);

#endif
