/* test_speaker.c - the synth thread's own rules (speaker.c) with real
 * espeak-ng into the null sink: the catch-up rate (10 % faster per waiting
 * line beyond two, at most catch_up %), the log line of each utterance
 * (voice as spoken, "X says", actions narrated, notices, control bytes
 * made visible), the notice of lines the queue dropped, spoken before the
 * next line, and the count of lines spoken. The order of the stage events
 * and a skip are test_stage.c. */
#include "announce.h"
#include "audio.h"
#include "check.h"
#include "purg.h"
#include "speaker.h"
#include "speechq.h"
#include "stage.h"
#include "util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const voice_t voice = { "en", 50, 40, 175, -40 };

static void push_kind(speechq_t *q, utterance_kind_t kind, const char *nick, const char *text)
{
    utterance_t *u = utterance_new(kind, "#room", nick, &voice, text);
    CHECK(u != NULL);
    if (u)
        CHECK_GE(speechq_push(q, u), 0);
}

static void push(speechq_t *q, const char *nick, const char *text)
{
    push_kind(q, UTT_SAY, nick, text);
}

/* The log lines, one string each (the caller frees them); at most max. */
static size_t read_log(FILE *f, char lines[][256], size_t max)
{
    size_t n = 0;
    rewind(f);
    while (n < max && fgets(lines[n], 256, f)) {
        lines[n][strcspn(lines[n], "\n")] = '\0';
        n++;
    }
    return n;
}

/* Speaks what is queued in q (everything pushed before the start) with
 * conf's other settings; checks that want lines were spoken. */
static void run(speechq_t *q, speaker_conf_t *sc, unsigned long want)
{
    audio_t *au = NULL;
    char err[256] = "";
    CHECK_EQ(audio_open(&au, AUDIO_NULL, NULL, err, sizeof err), 0);
    sc->audio = au;
    sc->queue = q;
    speaker_t *spk = NULL;
    int rc = speaker_start(&spk, sc, err, sizeof err);
    CHECK_EQ(rc, 0);
    if (rc != 0) {
        fprintf(stderr, "speaker_start: %s\n", err);
        audio_close(au);
        return;
    }
    /* the null sink takes audio at once: the lines are spoken in well under
     * a second; wait (at most 10 s) until the count gets there */
    struct timespec ms10 = { 0, 10000000L };
    for (int i = 0; i < 1000 && speaker_spoken(spk) < want; i++)
        nanosleep(&ms10, NULL);
    nanosleep(&ms10, NULL);
    CHECK_EQ(speaker_spoken(spk), want);
    speechq_close(q, 0);
    speaker_join(spk);
    audio_close(au);
}

/* The rate each log line shows ("rate=N"), -1 when none. */
static int rate_of(const char *line)
{
    const char *r = strstr(line, " rate=");
    return r ? atoi(r + 6) : -1;
}

static void rates(int catch_up, const int *want, size_t n)
{
    speechq_t *q = NULL;
    CHECK_EQ(speechq_create(&q, 16), 0);
    for (size_t i = 0; i < n; i++)
        push(q, "alice", "one");
    FILE *log = tmpfile();
    CHECK(log != NULL);
    speaker_conf_t sc = { .log = log, .catch_up = catch_up };
    run(q, &sc, n);
    char lines[16][256];
    size_t got = read_log(log, lines, 16);
    CHECK_EQ(got, n);
    for (size_t i = 0; i < got && i < n; i++) {
        if (rate_of(lines[i]) != want[i])
            fprintf(stderr, "catch_up %d, line %zu: %s (want rate=%d)\n", catch_up, i, lines[i],
                    want[i]);
        CHECK_EQ(rate_of(lines[i]), want[i]);
    }
    fclose(log);
    speechq_free(q);
}

/* Eight lines waiting at the start: while line k is spoken 7-k wait. */
static void test_catch_up(void)
{
    /* waiting 7 6 5 4 3 2 1 0: +50 +40 +30 +20 +10 0 0 0 %, capped */
    static const int cap30[] = { 227, 227, 227, 210, 192, 175, 175, 175 };
    static const int cap60[] = { 262, 245, 227, 210, 192, 175, 175, 175 };
    static const int never[] = { 175, 175, 175, 175, 175, 175, 175, 175 };
    rates(30, cap30, 8);
    rates(SPEAKER_CATCH_UP, cap60, 8);
    rates(0, never, 8);
    rates(-5, never, 8);
}

/* What the log says of each kind of line, and who is not spoken at all. */
static void test_log(void)
{
    speechq_t *q = NULL;
    CHECK_EQ(speechq_create(&q, 16), 0);
    announce_filter_t f;
    CHECK_EQ(announce_filter_init(&f), 0);
    char err[256];
    CHECK_EQ(announce_add_name(&f.lists, "xX_r00t=root", err, sizeof err), 0);
    CHECK_EQ(announce_filter_mute(&f, "Foo[m]", 1), 1);
    push(q, "alice", "hello there");
    push(q, "alice", "again");                 /* --says change: not announced again */
    push_kind(q, UTT_ACTION, "avi", "waves");
    push(q, "XX_R00T", "i am root");           /* the spoken name, any case */
    push(q, "foo{m}", "never heard");          /* muted, under the IRC case mapping */
    push(q, "ev\x1b[2Jil", "bell\x07 here");   /* control bytes made visible */
    utterance_t *n = announce_notice("#room", "the listener speaks");
    CHECK(n != NULL);
    if (n)
        CHECK_GE(speechq_push(q, n), 0);
    FILE *log = tmpfile();
    speaker_conf_t sc = { .log = log, .filter = &f, .says = "change" };
    run(q, &sc, 6); /* the muted line is not counted */
    char lines[16][256];
    size_t got = read_log(log, lines, 16);
    CHECK_EQ(got, 6);
    if (got == 6) {
        CHECK_STREQ(lines[0], "#room <alice> [en pitch=50 range=40 rate=175 pan=-40] alice says: hello there");
        CHECK_STREQ(lines[1], "#room <alice> [en pitch=50 range=40 rate=175 pan=-40] again");
        CHECK_STREQ(lines[2], "#room <avi> [en pitch=50 range=40 rate=175 pan=-40] * waves");
        CHECK_STREQ(lines[3], "#room <XX_R00T> [en pitch=50 range=40 rate=175 pan=-40] root says: i am root");
        CHECK(strstr(lines[4], "<ev^[[2Jil>") != NULL && strstr(lines[4], "bell^G here") != NULL);
        CHECK(strchr(lines[4], 0x1b) == NULL && strchr(lines[4], 0x07) == NULL);
        CHECK_STREQ(lines[5], "#room -: the listener speaks");
    }
    fclose(log);
    announce_filter_fini(&f);
    speechq_free(q);
}

/* A subscriber that keeps the STARTs: kind, nick, text. */
typedef struct starts {
    pthread_mutex_t lock;
    int n;
    int kind[16];
    int pan[16];
    char nick[16][32];
    char text[16][96];
} starts_t;

static void on_start(void *ctx, const stage_event_t *ev)
{
    starts_t *s = ctx;
    if (ev->kind != STAGE_START)
        return;
    pthread_mutex_lock(&s->lock);
    if (s->n < 16) {
        s->kind[s->n] = ev->utt_kind;
        s->pan[s->n] = ev->pan;
        snprintf(s->nick[s->n], sizeof s->nick[0], "%s", ev->nick ? ev->nick : "");
        snprintf(s->text[s->n], sizeof s->text[0], "%s", ev->text ? ev->text : "");
        s->n++;
    }
    pthread_mutex_unlock(&s->lock);
}

/* A queue of 2 that was sent 5 lines dropped the 3 oldest: before the next
 * line the listener says so (a notice in the narrator's voice, on the stage
 * too), naming each nick once (under the IRC case mapping). */
static void test_dropped_notice(void)
{
    speechq_t *q = NULL;
    CHECK_EQ(speechq_create(&q, 2), 0);
    push(q, "Foo[m]", "first");
    push(q, "foo{M}", "second");
    push(q, "bob", "third");
    push(q, "carol", "fourth");
    push(q, "dave", "fifth");
    stage_t *st = NULL;
    CHECK_EQ(stage_create(&st), 0);
    static starts_t s;
    pthread_mutex_init(&s.lock, NULL);
    CHECK_EQ(stage_subscribe(st, on_start, &s), 0);
    stage_seal(st);
    FILE *log = tmpfile();
    speaker_conf_t sc = { .log = log, .stage = st };
    run(q, &sc, 3);
    char lines[16][256];
    size_t got = read_log(log, lines, 16);
    CHECK_EQ(got, 3);
    if (got == 3) {
        CHECK_STREQ(lines[0], "#room -: skipped 3 lines from Foo[m] and bob");
        CHECK(strstr(lines[1], "<carol>") && strstr(lines[1], "] fourth"));
        CHECK(strstr(lines[2], "<dave>") && strstr(lines[2], "] fifth"));
    }
    CHECK_EQ(s.n, 3);
    if (s.n == 3) {
        CHECK_EQ(s.kind[0], UTT_NOTICE);
        CHECK_STREQ(s.nick[0], "");
        CHECK_EQ(s.pan[0], 0); /* the narrator, in the middle */
        CHECK_STREQ(s.text[0], "skipped 3 lines from Foo[m] and bob");
        CHECK(s.kind[1] == UTT_SAY && strcmp(s.nick[1], "carol") == 0);
    }
    fclose(log);
    stage_free(st);
    speechq_free(q);
    pthread_mutex_destroy(&s.lock);
}

/* "X says:" with the word the line came with (u->says: hear.c gives the
 * line's language's, phrases.h), English when it came with none. */
static void test_says_language(void)
{
    speechq_t *q = NULL;
    CHECK_EQ(speechq_create(&q, 16), 0);
    const char *langs[] = {"dit :", "", "sagt:", "", "dit\x1b:"};
    const char *texts[] = {"bonjour", "hello", "hallo", "sawasdee", "x"};
    for (size_t i = 0; i < 5; i++) {
        utterance_t *u = utterance_new(UTT_SAY, "#room", "alice", &voice, texts[i]);
        CHECK(u != NULL);
        if (!u)
            continue;
        util_strlcpy(u->says, langs[i], sizeof u->says);
        CHECK_GE(speechq_push(q, u), 0);
    }
    FILE *log = tmpfile();
    speaker_conf_t sc = { .log = log, .says = "always" };
    run(q, &sc, 5);
    char lines[8][256];
    size_t got = read_log(log, lines, 8);
    CHECK_EQ(got, 5);
    if (got == 5) {
        CHECK_STREQ(lines[0], "#room <alice> [en pitch=50 range=40 rate=175 pan=-40] alice dit : bonjour");
        CHECK_STREQ(lines[1], "#room <alice> [en pitch=50 range=40 rate=175 pan=-40] alice says: hello");
        CHECK_STREQ(lines[2], "#room <alice> [en pitch=50 range=40 rate=175 pan=-40] alice sagt: hallo");
        CHECK_STREQ(lines[3], "#room <alice> [en pitch=50 range=40 rate=175 pan=-40] alice says: sawasdee");
        /* made visible in the log like every other outside text */
        CHECK_STREQ(lines[4], "#room <alice> [en pitch=50 range=40 rate=175 pan=-40] alice dit^[: x");
    }
    fclose(log);
    speechq_free(q);
}

static const check_case_t cases[] = {
    CHECK_CASE(says_language),
    CHECK_CASE(catch_up),
    CHECK_CASE(log),
    CHECK_CASE(dropped_notice),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
