/* audio.h - where samples go: a PortAudio output stream (callback mode), a WAV
 * file, or nowhere. Samples are 16-bit interleaved stereo at AUDIO_RATE.
 *
 * Threads: audio_open/close on the main thread; audio_write/audio_mark/
 * audio_drain from ONE producer thread (the synth thread); the PortAudio
 * callback (or the file/null sink's own thread) is the single consumer of the
 * sample ring and never locks, allocates, logs or does I/O (the file sink's
 * thread does the file I/O, not a callback). */
#ifndef PURG_AUDIO_H
#define PURG_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#define AUDIO_RATE 22050
#define AUDIO_CHANNELS 2

typedef enum audio_kind {
    AUDIO_DEVICE, /* PortAudio default output device */
    AUDIO_WAV,    /* a WAV (or FLAC, by extension) file, written as fast as produced */
    AUDIO_NULL    /* discard, paced by nothing */
} audio_kind_t;

typedef struct audio audio_t;

/* Open a sink. path is the file for AUDIO_WAV (ignored otherwise).
 * On failure returns a negative code and a sentence for the user in err. */
int audio_open(audio_t **out, audio_kind_t kind, const char *path, char *err, size_t errlen);

/* Queue nframes stereo frames; blocks while the ring is full (and, for a
 * file sink, while paused). Returns 0, PURG_EIO when the file cannot be
 * written, or the error of a device that cannot be reopened. */
int audio_write(audio_t *a, const int16_t *frames, size_t nframes);

/* The next frame written starts utterance id; the consumer notes the time it
 * hands that frame out (see audio_take_started). */
void audio_mark(audio_t *a, uint64_t id);

/* Take one "utterance id started playing at t_ns" record; returns 0 or PURG_EEMPTY.
 * Any single thread. */
int audio_take_started(audio_t *a, uint64_t *id, int64_t *t_ns);

/* Frames heard so far: handed to the device by the callback (a skip counts
 * the frames it dropped, so the position never lags what was written
 * before it), or, for the file and null sinks (no clock), written. Lines
 * are placed on this clock by audio_written. Any thread; the callback
 * keeps it with one lock-free atomic store. */
uint64_t audio_position(const audio_t *a);
/* Frames written so far: where the next frame written will be heard on the
 * audio_position clock. The producer thread. */
uint64_t audio_written(const audio_t *a);

/* Wait until every written frame was consumed (played or written out). */
void audio_drain(audio_t *a);

/* Device sink: one sleep (at most 100 ms, sized to what is left to play)
 * toward the point where at most `lead` frames are left. Returns 1 when
 * there (at once for the file and null sinks, and when the device is
 * gone), 0 when the caller should call again; while paused it keeps
 * returning 0. The producer calls it in a loop after each line, so the
 * next line is taken from the queue (and synthesized in one go) just
 * before this one ends: mutes, skips and the overflow policy still reach
 * it, and the thread sleeps instead of polling. */
int audio_settle(audio_t *a, size_t lead);

/* Stop and free the sink; finalizes a WAV file. NULL is fine. */
void audio_close(audio_t *a);

/* ---- presenter controls (any thread; the callback reads them as atomics) ---- */

#define AUDIO_VOLUME_MAX 200

/* Skip: what is buffered for the device and not yet played is dropped (the
 * callback, the ring's consumer, discards it on its next run). Pair it with
 * stopping the synthesis of the current line (speaker_skip). */
void audio_flush(audio_t *a);
/* Paused: the device plays silence and takes nothing from the ring (so the
 * synth thread stalls once the ring is full); a file sink holds the
 * producer in audio_write. */
void audio_set_paused(audio_t *a, int paused);
int audio_paused(const audio_t *a);
/* Volume in percent (0..AUDIO_VOLUME_MAX), applied by the device callback. */
void audio_set_volume(audio_t *a, int percent);
int audio_volume(const audio_t *a);
/* Frames waiting for the device. */
size_t audio_buffered(const audio_t *a);
/* Producer thread, on its idle tick (a few times a second): close a device
 * stream the callback ended after a silence, so that an idle listener holds
 * no device open; reopen one that ended or was closed while paused once
 * play resumes. */
void audio_kick(audio_t *a);

/* 1 while audio_kick has work to come: a device stream is open, or samples
 * wait in the ring (play paused). Producer thread. */
int audio_wants_kick(const audio_t *a);

/* Keep a recording (WAV or FLAC by the name's extension) of exactly what is
 * played: for the device, the frames the callback hands to the device after
 * volume, copied into a second SPSC ring that a recorder thread writes out
 * (so skipped audio is absent, pauses and underruns add no silence); for
 * file sinks, what audio_write writes. Main thread, after audio_open and
 * before the producer starts; finalized by audio_close. */
int audio_record(audio_t *a, const char *path, char *err, size_t errlen);
/* Callback runs whose frames did not fit the recorder's ring (0 = complete). */
uint64_t audio_record_lost(const audio_t *a);

#endif
