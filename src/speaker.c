/* speaker.c - the synth thread: speech queue -> espeak-ng -> audio sink, and
 * the stage events of what it speaks.
 *
 * DESIGN: this thread is the only one that touches espeak-ng: it creates the
 * engine, speaks, and terminates it. It shares with other threads only the
 * speech queue (locked, short), the sink's ring (lock-free), the filter's
 * mutes (locked, short), the stage (its subscribers run here, briefly) and
 * a few atomics. Every stage event carries the sink's frame position where
 * it is heard (audio_written before the first sample, plus each word's
 * offset), so a subscriber can show it when audio_position gets there. */
#include "speaker.h"
#include "phrases.h"
#include "purg.h"
#include "synth.h"
#include "util.h"
#include "view.h"

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
    atomic_int skip_asked;           /* speaker_skip since the line began */
    timing_t timings[TIMING_SLOTS];  /* synth thread only */
    announce_t says;                 /* synth thread only */
    /* the line being spoken, for its word events (synth thread only) */
    uint64_t cur_id, cur_pos;
    const char *cur_text;
};

/* The "X says:" word of u's line: its language's (hear.c), else English. */
static const char *says_word(const utterance_t *u)
{
    return u->says[0] ? u->says : phrases_get(NULL, PHRASE_SAYS);
}

/* v: the voice as spoken (the rate with any catch-up); who: the spoken name
 * when the line is announced ("alice says: ..."), or "". */
static void log_line(speaker_t *s, const utterance_t *u, const voice_t *v, const char *who)
{
    FILE *f = s->conf.log;
    if (!f)
        return;
    /* channel and nick come from the server as they are; the text was cleaned
     * by textclean already (made visible again all the same: idempotent) */
    char ch[UTIL_VIS_MAX], nick[UTIL_VIS_MAX], name[UTIL_VIS_MAX], text[2 * UTIL_VIS_MAX];
    char says[UTIL_VIS_MAX]; /* may come from the voices file ([phrases.CODE]) */
    util_visible(ch, sizeof ch, u->channel[0] || u->kind != UTT_NOTICE ? u->channel : "*");
    util_visible(text, sizeof text, u->text);
    if (u->kind == UTT_NOTICE) {
        fprintf(f, "%s -: %s\n", ch, text);
    } else {
        util_visible(nick, sizeof nick, u->nick);
        util_visible(name, sizeof name, u->kind == UTT_ACTION ? "* " : who);
        util_visible(says, sizeof says, says_word(u));
        fprintf(f, "%s <%s> [%s pitch=%d range=%d rate=%d pan=%+d] %s%s%s%s%s\n", ch, nick,
                v->name, v->pitch, v->range, v->rate, v->pan, name, who[0] ? " " : "",
                who[0] ? says : "", who[0] ? " " : "", text);
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

/* The text to speak for u into text: the "X says:" prefix (in the line's
 * language, u->says: "alice dit : ...", phrases.h), or the narration of an
 * action ("avi waves"); the spoken name into who when announced. */
static void shape(speaker_t *s, const utterance_t *u, char *text, size_t n, char *who, size_t whon)
{
    who[0] = '\0';
    if (u->kind == UTT_NOTICE) {
        util_strlcpy(text, u->text, n);
        return;
    }
    char name[ANNOUNCE_NAME_MAX];
    announce_spoken(s->conf.filter ? &s->conf.filter->lists : NULL, u->nick, name, sizeof name);
    int says = announce_before(&s->says, u->nick, u->kind == UTT_ACTION, util_now_ns());
    if (u->kind == UTT_ACTION)
        util_snprintf(text, n, "%s %s", name, u->text);
    else if (says)
        util_snprintf(text, n, "%s %s %s", name, says_word(u), u->text);
    else
        util_strlcpy(text, u->text, n);
    if (says)
        util_strlcpy(who, name, whon);
}

/* Byte offset of character number chars (from 0) in UTF-8 text, at most its length. */
static size_t utf8_offset(const char *text, size_t chars)
{
    size_t i = 0;
    while (text[i] && chars > 0) {
        i++;
        while (((unsigned char)text[i] & 0xC0) == 0x80)
            i++;
        chars--;
    }
    return i;
}

/* synth_word_fn: a word reached, on this thread, during synth_say. */
static void on_word(void *ctx, int char_pos, int char_len, int audio_ms)
{
    speaker_t *s = ctx;
    if (!s->cur_text || char_pos < 1 || char_len < 0 || audio_ms < 0)
        return;
    size_t off = utf8_offset(s->cur_text, (size_t)char_pos - 1);
    size_t end = off + utf8_offset(s->cur_text + off, (size_t)char_len);
    stage_event_t ev = { .kind = STAGE_WORD, .id = s->cur_id, .off = off, .len = end - off,
                         .pos = s->cur_pos + (uint64_t)audio_ms * AUDIO_RATE / 1000 };
    stage_publish(s->conf.stage, &ev);
}

static void publish_value(speaker_t *s, stage_kind_t kind, int value)
{
    stage_event_t ev = { .kind = kind, .value = value };
    stage_publish(s->conf.stage, &ev);
}

static void speak(speaker_t *s, synth_t *syn, utterance_t *u)
{
    /* the one filter again, with the hostmask the line came with: a mute
     * may have come since it was queued */
    if (u->kind != UTT_NOTICE && s->conf.filter &&
        !announce_filter_heard(s->conf.filter, u->nick, u->mask))
        return;
    voice_t v = u->voice;
    v.rate = boosted_rate(s, v.rate, speechq_backlog(s->conf.queue));
    char text[SPEAKER_TEXT_MAX], who[ANNOUNCE_NAME_MAX];
    shape(s, u, text, sizeof text, who, sizeof who);
    log_line(s, u, &v, who);
    atomic_store(&s->skip_asked, 0);
    uint64_t start = audio_written(s->conf.audio);
    stage_event_t ev = { .kind = STAGE_START, .id = u->id, .pos = start, .utt_kind = (int)u->kind,
                         .channel = u->channel, .nick = u->nick, .mask = u->mask,
                         .voice = u->voice.name, .pan = u->voice.pan,
                         .color = view_nick_color(u->nick), .text = text, .line = u->text };
    stage_publish(s->conf.stage, &ev);
    s->cur_id = u->id;
    s->cur_pos = start;
    s->cur_text = text;
    int64_t t_first = 0;
    synth_say(syn, &v, text, u->id, &t_first);
    s->cur_text = NULL;
    uint64_t end = audio_written(s->conf.audio);
    /* the line is in the sink; on a sound card it plays for seconds: wait
     * until it is nearly over, so that it counts as speaking until then and
     * the next line is taken (muted, skipped, sped up) as late as possible */
    while (!audio_settle(s->conf.audio, LEAD_FRAMES))
        if (speechq_closed(s->conf.queue))
            break; /* stopping: audio_drain plays the rest, unless paused */
    int skipped = atomic_exchange(&s->skip_asked, 0);
    /* skipped: the sink dropped what was buffered, so its clock jumps to
     * what was written by now */
    ev = (stage_event_t){ .kind = STAGE_END, .id = u->id, .value = skipped,
                          .pos = skipped ? audio_written(s->conf.audio) : end };
    stage_publish(s->conf.stage, &ev);
    announce_after(&s->says, util_now_ns());
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
    synth_on_word(syn, on_word, s);
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
        publish_value(s, STAGE_QUEUE, (int)speechq_backlog(s->conf.queue));
        if (skipped[0]) {
            utterance_t *note = announce_notice(u->channel, skipped);
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
    atomic_init(&s->skip_asked, 0);
    announce_says_t pol = SAYS_NEVER;
    int secs = 0;
    if (conf->says)
        announce_parse_says(conf->says, &pol, &secs);
    announce_init(&s->says, pol, secs);
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
    atomic_store(&s->skip_asked, 1);
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
