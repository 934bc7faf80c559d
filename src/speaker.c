/* speaker.c - the synth thread: speech queue -> espeak-ng -> audio sink.
 *
 * DESIGN: this thread is the only one that touches espeak-ng: it creates the
 * engine, speaks, and terminates it. It shares with other threads only the
 * speech queue (locked, short), the sink's ring (lock-free) and two atomics. */
#include "speaker.h"
#include "present.h"
#include "purg.h"
#include "synth.h"
#include "util.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define TIMING_SLOTS 1024
#define LEAD_FRAMES (AUDIO_RATE * 3 / 10) /* the next line starts when 0.3 s are left
                                             (its first chunk takes < 1 ms) */

typedef struct timing {
    uint64_t id;
    int64_t t_recv, t_queued, t_first_chunk;
    uint64_t frames;   /* how long it played: frames at AUDIO_RATE */
} timing_t;

struct speaker {
    speaker_conf_t conf;
    pthread_t thread;
    sem_t ready;
    int init_rc;
    char init_err[256];
    _Atomic(synth_t *) synth;
    atomic_ulong spoken;
    timing_t timings[TIMING_SLOTS];  /* synth thread only */
};

/* The narrator: how the listener speaks for itself ("skipped 3 lines"). */
static const voice_t narrator = { "en", 50, 30, 190, 0 };

/* v: the voice as spoken (the rate with any catch-up); who: the spoken name
 * when the line is announced ("alice says: ..."), or "". */
static void log_line(speaker_t *s, const utterance_t *u, const voice_t *v, const char *who)
{
    FILE *f = s->conf.log;
    if (!f)
        return;
    /* nicks come from the server as they are (ESC, BEL...): the log is a
     * terminal's, so they are shown with their control bytes made visible;
     * a notice names nicks too ("skipped 3 lines from ...") */
    char vn[UTIL_VIS_MAX], vw[UTIL_VIS_MAX];
    if (u->kind == UTT_NOTICE) {
        char vt[UTIL_VIS_MAX * 2];
        fprintf(f, "%s -: %s\n", u->channel[0] ? u->channel : "*",
                util_visible(vt, sizeof vt, u->text));
    } else {
        fprintf(f, "%s <%s> [%s pitch=%d range=%d rate=%d pan=%+d] %s%s%s\n", u->channel,
                util_visible(vn, sizeof vn, u->nick), v->name, v->pitch, v->range, v->rate,
                v->pan, u->kind == UTT_ACTION ? "* " : util_visible(vw, sizeof vw, who),
                who[0] ? " says: " : "", u->text);
    }
    fflush(f);
}

/* Write out every "first sample played" record the sink has for us. */
static void drain_timings(speaker_t *s)
{
    uint64_t id;
    int64_t t_play;
    while (audio_take_started(s->conf.audio, &id, &t_play) == 0) {
        timing_t *t = &s->timings[id % TIMING_SLOTS];
        if (t->id != id || !s->conf.timing)
            continue;
        fprintf(s->conf.timing, "%llu %lld %lld %lld %lld %llu\n", (unsigned long long)id,
                (long long)t->t_recv, (long long)t->t_queued, (long long)t->t_first_chunk,
                (long long)t_play, (unsigned long long)t->frames);
        fflush(s->conf.timing);
    }
}

#define CATCH_UP_PER_LINE 10 /* % faster per waiting line beyond two */

static int boosted_rate(const speaker_t *s, int rate, size_t backlog)
{
    if (backlog <= 2 || s->conf.catch_up <= 0)
        return rate;
    long pct = (long)(backlog - 2) * CATCH_UP_PER_LINE;
    if (pct > s->conf.catch_up)
        pct = s->conf.catch_up;
    return (int)(rate + rate * pct / 100);
}

static void speak(speaker_t *s, synth_t *syn, utterance_t *u)
{
    voice_t v = u->voice;
    v.rate = boosted_rate(s, v.rate, speechq_backlog(s->conf.queue));
    char said[SPEAKER_TEXT_MAX], who[64] = "";
    const char *text = u->text;
    if (s->conf.present) {
        if (!present_utterance(s->conf.present, u, said, sizeof said, who, sizeof who))
            return; /* muted after it was queued */
        text = said;
    }
    log_line(s, u, &v, who);
    int64_t t_first = 0;
    synth_say(syn, &v, text, u->id, &t_first);
    /* the line is in the sink; on a sound card it plays for seconds: wait
     * until it is nearly over, so that it counts as speaking until then and
     * the next line is taken (muted, skipped, sped up) as late as possible */
    while (!audio_settle(s->conf.audio, LEAD_FRAMES))
        if (speechq_closed(s->conf.queue))
            break; /* stopping: audio_drain plays the rest, unless paused */
    if (s->conf.present)
        present_done(s->conf.present);
    timing_t *t = &s->timings[u->id % TIMING_SLOTS];
    *t = (timing_t){ u->id, u->t_recv, u->t_queued, t_first, synth_last_frames(syn) };
    atomic_fetch_add(&s->spoken, 1);
}

static void *speaker_main(void *arg)
{
    speaker_t *s = arg;
    util_thread_name("purg-synth");
    synth_t *syn = NULL;
    s->init_rc = synth_create(&syn, s->conf.audio, s->init_err, sizeof s->init_err);
    atomic_store(&s->synth, syn);
    sem_post(&s->ready);
    if (s->init_rc != 0)
        return NULL;
    for (;;) {
        utterance_t *u = NULL;
        char skipped[160];
        /* the idle tick closes a device stream after its silence and restarts
         * one that stopped while paused; with the stream closed and nothing
         * waiting to play the thread sleeps until a line comes */
        int tick = s->conf.timing ? 50 : audio_wants_kick(s->conf.audio) ? 100 : -1;
        int rc = speechq_pop(s->conf.queue, tick, &u, skipped, sizeof skipped);
        drain_timings(s);
        if (rc == PURG_ETIMEOUT) {
            audio_kick(s->conf.audio);
            continue;
        }
        if (rc != 0)
            break;
        if (skipped[0]) {
            utterance_t *note = utterance_new(UTT_NOTICE, u->channel, "", &narrator, skipped);
            if (note) {
                speak(s, syn, note);
                free(note);
            }
        }
        speak(s, syn, u);
        free(u);
    }
    audio_drain(s->conf.audio);
    drain_timings(s);
    return NULL; /* syn stays allocated until speaker_join, so skips stay safe */
}

int speaker_start(speaker_t **out, const speaker_conf_t *conf, char *err, size_t errlen)
{
    speaker_t *s = calloc(1, sizeof *s);
    if (!s) {
        util_snprintf(err, errlen, "out of memory");
        return PURG_ENOMEM;
    }
    s->conf = *conf;
    atomic_init(&s->synth, NULL);
    atomic_init(&s->spoken, 0);
    if (sem_init(&s->ready, 0, 0) != 0) {
        free(s);
        util_snprintf(err, errlen, "cannot create a semaphore");
        return PURG_EIO;
    }
    if (pthread_create(&s->thread, NULL, speaker_main, s) != 0) {
        sem_destroy(&s->ready);
        free(s);
        util_snprintf(err, errlen, "cannot start the synthesis thread");
        return PURG_EIO;
    }
    while (sem_wait(&s->ready) != 0)
        ;
    if (s->init_rc != 0) {
        int rc = s->init_rc;
        util_strlcpy(err, s->init_err, errlen);
        pthread_join(s->thread, NULL);
        sem_destroy(&s->ready);
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void speaker_skip(speaker_t *s)
{
    synth_t *syn = atomic_load(&s->synth);
    if (syn)
        synth_cancel(syn);
}

void speaker_join(speaker_t *s)
{
    if (!s)
        return;
    pthread_join(s->thread, NULL);
    synth_free(atomic_load(&s->synth));
    sem_destroy(&s->ready);
    free(s);
}

unsigned long speaker_spoken(const speaker_t *s)
{
    return atomic_load(&((speaker_t *)s)->spoken);
}
