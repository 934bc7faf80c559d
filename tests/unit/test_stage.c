/* test_stage.c - the stage events: the publish/subscribe rules (order,
 * numbering, the seal, a nested publish refused), and what the real speaker
 * (real espeak-ng, null and file sinks) publishes: each line's start, then
 * its words at rising sample positions, then its end; a skip; the queue. */
#include "announce.h"
#include "audio.h"
#include "check.h"
#include "purg.h"
#include "speaker.h"
#include "speechq.h"
#include "stage.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REC_MAX 4096

/* A subscriber that keeps a copy of every event (strings cut). */
typedef struct rec {
    pthread_mutex_t lock;   /* the test thread reads while the synth thread writes */
    stage_event_t ev[REC_MAX];
    char nick[REC_MAX][16];
    char text[REC_MAX][64];
    size_t n;
    atomic_int started;     /* a START was seen */
} rec_t;

static void on_rec(void *ctx, const stage_event_t *ev)
{
    rec_t *r = ctx;
    pthread_mutex_lock(&r->lock);
    if (r->n < REC_MAX) {
        r->ev[r->n] = *ev;
        snprintf(r->nick[r->n], sizeof r->nick[0], "%s", ev->nick ? ev->nick : "");
        snprintf(r->text[r->n], sizeof r->text[0], "%s", ev->text ? ev->text : "");
        r->n++;
    }
    pthread_mutex_unlock(&r->lock);
    if (ev->kind == STAGE_START)
        atomic_store(&r->started, 1);
}

static stage_t *nested_stage;
static void on_nested(void *ctx, const stage_event_t *ev)
{
    (void)ctx;
    if (ev->kind == STAGE_VOLUME) { /* publishing from a subscriber is refused */
        stage_event_t again = { .kind = STAGE_PAUSE };
        CHECK_EQ(stage_publish(nested_stage, &again), 0);
    }
}

static void test_pubsub(void)
{
    stage_t *s = NULL;
    CHECK_EQ(stage_create(&s), 0);
    static rec_t a, b;
    pthread_mutex_init(&a.lock, NULL);
    pthread_mutex_init(&b.lock, NULL);
    CHECK_EQ(stage_subscribe(s, on_rec, &a), 0);
    CHECK_EQ(stage_subscribe(s, on_rec, &b), 0);
    CHECK_EQ(stage_subscribe(s, on_nested, NULL), 0);
    nested_stage = s;
    for (int i = 3; i < STAGE_SUBSCRIBERS_MAX; i++)
        CHECK_EQ(stage_subscribe(s, on_rec, &b), 0);
    CHECK_EQ(stage_subscribe(s, on_rec, &b), PURG_ETOOBIG);
    stage_seal(s);
    CHECK_EQ(stage_subscribe(s, on_rec, &a), PURG_EINVAL); /* sealed */
    stage_event_t ev = { .kind = STAGE_QUEUE, .value = 3 };
    CHECK_EQ(stage_publish(s, &ev), 1);
    ev = (stage_event_t){ .kind = STAGE_VOLUME, .value = 80 };
    CHECK_EQ(stage_publish(s, &ev), 2);
    CHECK_EQ(a.n, 2);
    CHECK_EQ(a.ev[0].seq, 1);
    CHECK_EQ(a.ev[1].seq, 2);
    CHECK_EQ(a.ev[1].value, 80);
    CHECK(a.ev[1].t_ns >= a.ev[0].t_ns);
    CHECK_EQ(b.n, 2 * (STAGE_SUBSCRIBERS_MAX - 2)); /* b subscribed that many times */
    CHECK_EQ(stage_refused(s), 1);
    CHECK_EQ(stage_publish(NULL, &ev), 0); /* nobody listens: fine */
    stage_free(s);
    pthread_mutex_destroy(&a.lock);
    pthread_mutex_destroy(&b.lock);
}

static void push(speechq_t *q, const char *nick, const char *text)
{
    static const voice_t v = { "en", 50, 40, 175, -40 };
    utterance_t *u = utterance_new(UTT_SAY, "#room", nick, &v, text);
    CHECK(u != NULL);
    if (u)
        CHECK_GE(speechq_push(q, u), 0);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Check rec's lines: for each START, words at positions >= its own, then
 * its END at a position >= the last word; a START never before the
 * previous END. Returns the number of lines. */
static size_t check_lines(rec_t *r, size_t *words)
{
    size_t lines = 0;
    *words = 0;
    uint64_t id = 0, start = 0, last = 0;
    int open = 0;
    for (size_t i = 0; i < r->n; i++) {
        const stage_event_t *e = &r->ev[i];
        if (i > 0)
            CHECK_EQ(e->seq, r->ev[i - 1].seq + 1);
        switch (e->kind) {
        case STAGE_START:
            CHECK(!open);
            CHECK_GE(e->pos, last);
            open = 1;
            id = e->id;
            start = last = e->pos;
            break;
        case STAGE_WORD:
            CHECK(open);
            CHECK_EQ(e->id, id);
            CHECK_GE(e->pos, last);
            CHECK_GE(e->pos, start);
            last = e->pos;
            (*words)++;
            break;
        case STAGE_END:
            CHECK(open);
            CHECK_EQ(e->id, id);
            CHECK_GE(e->pos, last);
            last = e->pos;
            open = 0;
            lines++;
            break;
        default:
            break;
        }
    }
    CHECK(!open);
    return lines;
}

static void test_speaker_order(void)
{
    audio_t *au = NULL;
    char err[256];
    CHECK_EQ(audio_open(&au, AUDIO_NULL, NULL, err, sizeof err), 0);
    speechq_t *q = NULL;
    CHECK_EQ(speechq_create(&q, 16), 0);
    stage_t *st = NULL;
    CHECK_EQ(stage_create(&st), 0);
    static rec_t r;
    pthread_mutex_init(&r.lock, NULL);
    CHECK_EQ(stage_subscribe(st, on_rec, &r), 0);
    stage_seal(st);
    announce_filter_t f;
    CHECK_EQ(announce_filter_init(&f), 0);
    CHECK_EQ(announce_filter_mute(&f, "MUTED", 1), 1);
    speaker_t *spk = NULL;
    speaker_conf_t sc = { .audio = au, .queue = q, .stage = st, .filter = &f, .says = "change" };
    push(q, "alice", "the first line has seven words in it");
    push(q, "muted", "never heard");            /* muted: no events at all */
    push(q, "bob", "and a second one, with a comma");
    CHECK_EQ(speaker_start(&spk, &sc, err, sizeof err), 0);
    speechq_close(q, 0);
    speaker_join(spk);

    size_t words;
    CHECK_EQ(check_lines(&r, &words), 2);
    CHECK_GE(words, 10);
    int starts = 0, queues = 0;
    for (size_t i = 0; i < r.n; i++) {
        if (r.ev[i].kind == STAGE_QUEUE)
            queues++;
        if (r.ev[i].kind != STAGE_START)
            continue;
        starts++;
        CHECK(strcmp(r.nick[i], "muted") != 0);
        if (strcmp(r.nick[i], "alice") == 0) /* --says change: the text as spoken */
            CHECK_STREQ(r.text[i], "alice says: the first line has seven words in it");
        CHECK_EQ(r.ev[i].pan, -40);
        CHECK(r.ev[i].color >= 31 && r.ev[i].color <= 36);
    }
    CHECK_EQ(starts, 2);
    CHECK_GE(queues, 3);
    announce_filter_fini(&f);
    stage_free(st);
    speechq_free(q);
    audio_close(au);
    pthread_mutex_destroy(&r.lock);
}

/* A skip while the line is held by a paused (file) sink: its END says skipped. */
static void test_speaker_skip(void)
{
    audio_t *au = NULL;
    char err[256];
    CHECK_EQ(audio_open(&au, AUDIO_NULL, NULL, err, sizeof err), 0);
    speechq_t *q = NULL;
    CHECK_EQ(speechq_create(&q, 16), 0);
    stage_t *st = NULL;
    CHECK_EQ(stage_create(&st), 0);
    static rec_t r;
    pthread_mutex_init(&r.lock, NULL);
    CHECK_EQ(stage_subscribe(st, on_rec, &r), 0);
    stage_seal(st);
    speaker_t *spk = NULL;
    speaker_conf_t sc = { .audio = au, .queue = q, .stage = st };
    audio_set_paused(au, 1); /* the null sink holds the producer in audio_write */
    push(q, "carol", "a long line that will be skipped before it is over, so it never ends by itself");
    push(q, "dave", "the next line");
    CHECK_EQ(speaker_start(&spk, &sc, err, sizeof err), 0);
    for (int i = 0; i < 500 && !atomic_load(&r.started); i++)
        sleep_ms(10);
    CHECK(atomic_load(&r.started));
    speaker_skip(spk);
    audio_flush(au);
    audio_set_paused(au, 0);
    speechq_close(q, 0);
    speaker_join(spk);
    size_t words;
    CHECK_EQ(check_lines(&r, &words), 2);
    int ends = 0;
    for (size_t i = 0; i < r.n; i++) {
        if (r.ev[i].kind != STAGE_END)
            continue;
        CHECK_EQ(r.ev[i].value, ends == 0 ? 1 : 0); /* carol skipped, dave not */
        ends++;
    }
    CHECK_EQ(ends, 2);
    stage_free(st);
    speechq_free(q);
    audio_close(au);
    pthread_mutex_destroy(&r.lock);
}

int main(int argc, char **argv)
{
    static const check_case_t cases[] = {
        CHECK_CASE(pubsub), CHECK_CASE(speaker_order), CHECK_CASE(speaker_skip),
    };
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
