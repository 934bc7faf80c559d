/* test_speechq.c - the speech queue: FIFO order, the overflow policy (drop
 * oldest, "skipped N lines from X"), clear, close, and a producer thread. */
#include "check.h"
#include "purg.h"
#include "speechq.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static utterance_t *mk(const char *nick, const char *text)
{
    voice_t v = { "en", 50, 50, 175, 0 };
    return utterance_new(UTT_SAY, "#c", nick, &v, text);
}

static void test_fifo_and_overflow(void)
{
    speechq_t *q;
    CHECK_EQ(speechq_create(&q, 0), PURG_EINVAL);
    CHECK_EQ(speechq_create(&q, 3), 0);
    CHECK_EQ(speechq_push(q, mk("avi", "one")), 0);
    CHECK_EQ(speechq_push(q, mk("bob", "two")), 0);
    CHECK_EQ(speechq_push(q, mk("avi", "three")), 0);
    CHECK_EQ(speechq_backlog(q), 3);
    CHECK_EQ(speechq_push(q, mk("cat", "four")), 1);   /* drops "one" (avi) */
    CHECK_EQ(speechq_push(q, mk("dan", "five")), 1);   /* drops "two" (bob) */
    CHECK_EQ(speechq_backlog(q), 3);

    utterance_t *u = NULL;
    char msg[128];
    CHECK_EQ(speechq_pop(q, 0, &u, msg, sizeof msg), 0);
    CHECK_STREQ(u->text, "three");
    CHECK_STREQ(msg, "skipped 2 lines from avi and bob");
    CHECK_EQ(u->id, 3);
    free(u);
    CHECK_EQ(speechq_pop(q, 0, &u, msg, sizeof msg), 0);
    CHECK_STREQ(u->text, "four");
    CHECK_STREQ(msg, "");                               /* reported once */
    free(u);
    CHECK_EQ(speechq_clear(q), 1);
    CHECK_EQ(speechq_pop(q, 10, &u, msg, sizeof msg), PURG_ETIMEOUT);
    speechq_free(q);
}

static void test_many_names(void)
{
    speechq_t *q;
    CHECK_EQ(speechq_create(&q, 1), 0);
    const char *nicks[] = { "a", "b", "c", "d", "e", "a" };
    for (int i = 0; i < 6; i++)
        speechq_push(q, mk(nicks[i], "x"));
    speechq_push(q, mk("z", "last"));
    utterance_t *u;
    char msg[128];
    CHECK_EQ(speechq_pop(q, 0, &u, msg, sizeof msg), 0);
    CHECK_STREQ(u->text, "last");
    CHECK_STREQ(msg, "skipped 6 lines from a, b, c and others");
    free(u);
    /* a tiny message buffer truncates, never overflows */
    speechq_push(q, mk("q", "x"));
    speechq_push(q, mk("r", "y"));
    char tiny[8];
    CHECK_EQ(speechq_pop(q, 0, &u, tiny, sizeof tiny), 0);
    CHECK_LT(strlen(tiny), sizeof tiny);
    free(u);
    speechq_free(q);
}

static void test_close(void)
{
    speechq_t *q;
    CHECK_EQ(speechq_create(&q, 4), 0);
    speechq_push(q, mk("a", "kept"));
    speechq_close(q, 0);
    CHECK_EQ(speechq_push(q, mk("a", "late")), PURG_ECLOSED);
    utterance_t *u;
    CHECK_EQ(speechq_pop(q, -1, &u, NULL, 0), 0);   /* drains what is left */
    CHECK_STREQ(u->text, "kept");
    free(u);
    CHECK_EQ(speechq_pop(q, -1, &u, NULL, 0), PURG_ECLOSED);
    speechq_free(q);

    CHECK_EQ(speechq_create(&q, 4), 0);
    speechq_push(q, mk("a", "dropped"));
    speechq_close(q, 1);
    CHECK_EQ(speechq_pop(q, -1, &u, NULL, 0), PURG_ECLOSED);
    speechq_free(q);
}

#define N_THREADED 20000

static void *push_many(void *arg)
{
    speechq_t *q = arg;
    char text[32];
    for (int i = 0; i < N_THREADED; i++) {
        snprintf(text, sizeof text, "%d", i);
        speechq_push(q, mk("p", text));
    }
    speechq_close(q, 0);
    return NULL;
}

static void test_threads(void)
{
    speechq_t *q;
    CHECK_EQ(speechq_create(&q, 64), 0);
    pthread_t t;
    pthread_create(&t, NULL, push_many, q);
    int last = -1, got = 0, order_ok = 1;
    size_t skipped = 0;
    utterance_t *u;
    char msg[128];
    while (speechq_pop(q, -1, &u, msg, sizeof msg) == 0) {
        int v = atoi(u->text);
        if (v <= last)
            order_ok = 0;
        last = v;
        got++;
        unsigned long n;
        if (sscanf(msg, "skipped %lu", &n) == 1)
            skipped += n;
        free(u);
    }
    pthread_join(t, NULL);
    CHECK(order_ok);
    CHECK_EQ(last, N_THREADED - 1);               /* the newest line is never dropped */
    CHECK_EQ((size_t)got + skipped, N_THREADED);  /* every line spoken or reported */
    speechq_free(q);
}

static const check_case_t cases[] = {
    CHECK_CASE(fifo_and_overflow),
    CHECK_CASE(many_names),
    CHECK_CASE(close),
    CHECK_CASE(threads),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
