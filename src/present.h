/* present.h - the presenter's experience of `listen`: the live terminal
 * view, the controls (keys and --control FIFO), what is announced (the "X
 * says" policy, /me narration, joins and parts, spoken names), the ignore
 * and mute lists, and --record.
 *
 * Threads: options and create/start/stop/free on the main thread;
 * present_hears on the net thread; the view and control threads are its
 * own; the speaker (synth thread) reaches it only through the stage events
 * it publishes (stage.h) and the filter (announce.h). They share only the
 * stage, a mutex-protected board (never touched by the audio callback),
 * the filter, the speech queue, and the sink's atomics. */
#ifndef PURG_PRESENT_H
#define PURG_PRESENT_H

#include <getopt.h>
#include <stdio.h>
#include "announce.h"
#include "audio.h"
#include "irc.h"
#include "speaker.h"
#include "speechq.h"
#include "stage.h"

#define PRESENT_OPT_BASE 0x200
#define PRESENT_LIST_MAX 64

enum {
    PRESENT_OPT_PLAIN = PRESENT_OPT_BASE,
    PRESENT_OPT_CONTROL,
    PRESENT_OPT_RECORD,
    PRESENT_OPT_SAYS,
    PRESENT_OPT_ANNOUNCE,
    PRESENT_OPT_PRONOUNCE,
    PRESENT_OPT_IGNORE,
    PRESENT_OPT_MUTE,
    PRESENT_OPT_VOLUME,
    PRESENT_OPT_CAPTIONS,
    PRESENT_OPT_END
};

/* Entries for the subcommand's getopt_long table. */
#define PRESENT_LONGOPTS \
    { "plain", no_argument, NULL, PRESENT_OPT_PLAIN }, \
    { "control", required_argument, NULL, PRESENT_OPT_CONTROL }, \
    { "record", required_argument, NULL, PRESENT_OPT_RECORD }, \
    { "says", required_argument, NULL, PRESENT_OPT_SAYS }, \
    { "announce-joins", no_argument, NULL, PRESENT_OPT_ANNOUNCE }, \
    { "pronounce", required_argument, NULL, PRESENT_OPT_PRONOUNCE }, \
    { "ignore", required_argument, NULL, PRESENT_OPT_IGNORE }, \
    { "mute", required_argument, NULL, PRESENT_OPT_MUTE }, \
    { "volume", required_argument, NULL, PRESENT_OPT_VOLUME }, \
    { "captions", required_argument, NULL, PRESENT_OPT_CAPTIONS }

typedef struct present_opts {
    const char *cmd;           /* subcommand named in messages (NULL: "listen") */
    int plain;                 /* log lines even on a terminal */
    const char *control;       /* FIFO path or NULL */
    const char *record;        /* recording path or NULL */
    const char *says;          /* "X says" policy (default "never") */
    int announce_joins;
    const char *pronounce[PRESENT_LIST_MAX];
    size_t npronounce;
    const char *ignore[PRESENT_LIST_MAX];
    size_t nignore;
    const char *mute[PRESENT_LIST_MAX];
    size_t nmute;
    int volume;                /* percent; 0 = default 100 */
    const char *title;         /* shown in the view ("host #chan") */
    const char *captions;      /* --captions [ADDR:]PORT, or NULL */
} present_opts_t;

/* Handle one option code. Returns PURG_OPT_GO, PURG_OPT_ERROR after saying
 * on stderr what is wrong, or PURG_OPT_NOT_MINE for a code outside
 * [PRESENT_OPT_BASE, PRESENT_OPT_END) (purg.h). */
int present_opt(present_opts_t *o, int code, const char *arg);
/* The options' help lines for subcommand cmd ("listen", "demo"; NULL: listen). */
void present_usage(FILE *f, const char *cmd);

typedef struct present present_t;

/* Build the presenter (the filter, the stage events and their subscribers:
 * the board, the captions server; opens the recording). */
int present_create(present_t **out, const present_opts_t *o, audio_t *audio, speechq_t *q,
                   char *err, size_t errlen);
/* What the speaker needs from the presenter (speaker_conf_t): the stage
 * events to publish into, the filter, the "X says" policy. Owned by p. */
stage_t *present_stage(present_t *p);
announce_filter_t *present_filter(present_t *p);
const char *present_says(const present_t *p);

/* Where the synth thread logs one line per utterance: stdout, or NULL
 * when the live view shows them instead. */
FILE *present_log(const present_t *p);
/* Start the view and the controls; skips go to spk (borrowed). */
int present_start(present_t *p, speaker_t *spk, char *err, size_t errlen);
/* Stop the view and the controls, restore the terminal, resume a paused
 * sink (so that shutdown never waits on a pause). NULL is fine. */
void present_stop(present_t *p);
/* After speaker_join (nothing publishes any more) and before audio_close
 * (the captions server reads the sink's clock until it stops). */
void present_free(present_t *p);
/* 1 once the key reader or the view found the terminal gone (a read or a
 * write failed: EIO, end of file). It then sent SIGTERM to the process, so
 * the owner stops in order; this says the reason was a hangup. NULL: 0. */
int present_hung_up(const present_t *p);

/* Queue a narrator's line for channel (e.g. "earlier in #chan:"); net thread. */
void present_say(present_t *p, const char *chan, const char *text);

/* Net thread: an IRC event arrived. Returns 0 when a channel line or action
 * is not to be heard (ignored or muted nick); for joins, parts, quits and
 * nick changes it queues an announcement when --announce-joins is on.
 * me: our own nick. */
int present_hears(present_t *p, const irc_event_t *ev, const char *me);

#endif
