/* bench_roster.c - the roster and voice assignment of large channels, timed
 * on the path the listener takes (hear_event: one IRC_EV_JOIN per nick of a
 * NAMES reply, then channel lines); main thread only. Not a ctest test.
 *
 *   bench_roster [REPEATS] [OPS]
 *
 * For N = 1,000 .. 50,000 nicks: the time to take a NAMES of N nicks and
 * speak the first line after it, against a baseline in the same run: the
 * same nicks case-mapped and put into a plain hash set. Then, in a
 * 20,000-member channel, OPS times one join + one line (the joiner or a
 * member speaks), median and p99, against a hash-set insert + lookup of the
 * same nicks. Best of REPEATS (default 3) for the NAMES figures. */
#include "hear.h"
#include "purg.h"
#include "speechq.h"
#include "util.h"
#include "voicemap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NICK_LEN 24

static double now_s(void) { return (double)util_now_ns() / (double)NS_PER_S; }

/* xorshift64*: the same nicks on every run */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dULL;
}

/* n distinct nicks as IRC has them: letters, some capitals, some with the
 * usual tails (avi_, avi|away, avi2), now and then a mode prefix. */
static char (*make_nicks(size_t n, uint64_t seed))[NICK_LEN]
{
    static const char *const tails[] = { "", "", "", "", "_", "|away", "2", "[m]", "^" };
    char(*nicks)[NICK_LEN] = calloc(n, NICK_LEN);
    if (!nicks)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = rng_next(&seed);
        char base[12];
        size_t len = 4 + r % 6, k = 0;
        for (; k < len; k++)
            base[k] = (char)('a' + (rng_next(&seed) % 26));
        base[k] = '\0';
        if (r & 0x100)
            base[0] = (char)(base[0] - 'a' + 'A');
        /* the index keeps them distinct; letters, so normalization leaves it */
        snprintf(nicks[i], NICK_LEN, "%s%s%c%c%c%s", (r >> 9) % 20 == 0 ? "@" : "", base,
                 (char)('a' + i % 26), (char)('a' + i / 26 % 26), (char)('a' + i / 676 % 26),
                 tails[(r >> 16) % 9]);
    }
    return nicks;
}

/* The baseline: a plain open-addressing set of case-mapped nicks. */
typedef struct hset {
    char (*key)[NICK_LEN];
    size_t cap, n;
} hset_t;

static uint64_t hash_str(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h ^ (h >> 29);
}

static int hset_init(hset_t *s, size_t n)
{
    s->cap = 16;
    while (s->cap < 2 * n + 2)
        s->cap *= 2;
    s->n = 0;
    s->key = calloc(s->cap, NICK_LEN);
    return s->key ? 0 : PURG_ENOMEM;
}

/* 1 when nick (with any mode prefix) is in s; insert: add it if not. */
static int hset_op(hset_t *s, const char *nick, int insert)
{
    char folded[NICK_LEN];
    while (*nick && strchr("@+%~&!", *nick))
        nick++;
    voicemap_fold(nick, folded, sizeof folded);
    size_t i = (size_t)hash_str(folded) & (s->cap - 1);
    while (s->key[i][0]) {
        if (strcmp(s->key[i], folded) == 0)
            return 1;
        i = (i + 1) & (s->cap - 1);
    }
    if (insert) {
        memcpy(s->key[i], folded, NICK_LEN);
        s->n++;
    }
    return 0;
}

static void ev_join(hear_t *h, const char *chan, const char *nick)
{
    while (*nick && strchr("@+%~&!", *nick))
        nick++; /* irc.c's names_reply strips the prefixes */
    irc_event_t ev = { .kind = IRC_EV_JOIN, .channel = chan, .nick = nick, .mask = nick };
    hear_event(h, &ev, "listener");
}

static void ev_line(hear_t *h, speechq_t *q, const char *chan, const char *nick)
{
    while (*nick && strchr("@+%~&!", *nick))
        nick++;
    irc_event_t ev = { .kind = IRC_EV_SAY, .channel = chan, .nick = nick,
                       .text = "hello there, how is everyone", .mask = nick };
    utterance_t *u = NULL;
    if (hear_event(h, &ev, "listener") && speechq_pop(q, 0, &u, NULL, 0) == 0)
        free(u);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One NAMES of n nicks through hear_event, then one line; best of repeats. */
static int bench_names(size_t n, int repeats, speechq_t *q)
{
    char(*nicks)[NICK_LEN] = make_nicks(n, 0x5eed + n);
    if (!nicks)
        return PURG_ENOMEM;
    double best_names = 1e9, best_first = 1e9, best_base = 1e9;
    for (int r = 0; r < repeats; r++) {
        voicemap_t *m = NULL;
        char err[256];
        if (voicemap_load(&m, NULL, NULL, err, sizeof err) != 0) {
            fprintf(stderr, "bench_roster: %s\n", err);
            free(nicks);
            return PURG_EINVAL;
        }
        hear_t h;
        hear_init(&h, m, q, NULL, 0);
        double t0 = now_s();
        for (size_t i = 0; i < n; i++)
            ev_join(&h, "#big", nicks[i]);
        double t1 = now_s();
        ev_line(&h, q, "#big", nicks[n / 2]);
        double t2 = now_s();
        if (voicemap_roster_size(m, "#big") != n)
            fprintf(stderr, "bench_roster: roster has %zu of %zu\n", voicemap_roster_size(m, "#big"), n);
        voicemap_free(m);
        hset_t s;
        if (hset_init(&s, n) != 0)
            break;
        double b0 = now_s();
        for (size_t i = 0; i < n; i++)
            hset_op(&s, nicks[i], 1);
        double b1 = now_s();
        free(s.key);
        if (t1 - t0 < best_names)
            best_names = t1 - t0;
        if (t2 - t1 < best_first)
            best_first = t2 - t1;
        if (b1 - b0 < best_base)
            best_base = b1 - b0;
    }
    printf("names   %6zu nicks: %9.3f ms  first line after it %8.1f us  baseline %7.3f ms  "
           "ratio %6.1f  (%.0f ns/nick)\n",
           n, best_names * 1e3, best_first * 1e6, best_base * 1e3,
           (best_names + best_first) / best_base, best_names * 1e9 / (double)n);
    free(nicks);
    return 0;
}

/* In a channel of 'members', ops times: a new nick joins, then a line (from
 * the joiner every fourth time, else from a member). The joiner then leaves
 * again, untimed, so the channel keeps its size. */
static int bench_churn(size_t members, size_t ops, speechq_t *q)
{
    char(*nicks)[NICK_LEN] = make_nicks(members + ops, 0xc0ffee);
    double *t = calloc(ops, sizeof *t), *tb = calloc(ops, sizeof *tb);
    voicemap_t *m = NULL;
    char err[256];
    hset_t s = { 0 };
    int rc = PURG_ENOMEM;
    if (!nicks || !t || !tb || hset_init(&s, members + ops) != 0)
        goto out;
    if ((rc = voicemap_load(&m, NULL, NULL, err, sizeof err)) != 0)
        goto out;
    hear_t h;
    hear_init(&h, m, q, NULL, 0);
    for (size_t i = 0; i < members; i++) {
        ev_join(&h, "#big", nicks[i]);
        hset_op(&s, nicks[i], 1);
    }
    ev_line(&h, q, "#big", nicks[0]);
    uint64_t seed = 42;
    size_t dirty_like = 0;
    for (size_t i = 0; i < ops; i++) {
        const char *joiner = nicks[members + i];
        const char *speaker = i % 4 == 0 ? joiner : nicks[rng_next(&seed) % members];
        double t0 = now_s();
        ev_join(&h, "#big", joiner);
        ev_line(&h, q, "#big", speaker);
        double t1 = now_s();
        hset_op(&s, joiner, 1);
        hset_op(&s, speaker, 0);
        double t2 = now_s();
        t[i] = t1 - t0;
        tb[i] = t2 - t1;
        voicemap_part(m, "#big", joiner + strspn(joiner, "@+%~&!"));
        dirty_like += t[i] > 20e-6;
    }
    qsort(t, ops, sizeof *t, cmp_double);
    qsort(tb, ops, sizeof *tb, cmp_double);
    double med = t[ops / 2], p99 = t[ops * 99 / 100], bmed = tb[ops / 2], bp99 = tb[ops * 99 / 100];
    printf("join + line, %zu members, %zu times: median %.2f us  p99 %.2f us  max %.1f us  "
           "(baseline median %.3f us  p99 %.3f us; ratio median %.0f  p99 %.0f; %zu over 20 us)\n",
           members, ops, med * 1e6, p99 * 1e6, t[ops - 1] * 1e6, bmed * 1e6, bp99 * 1e6,
           med / bmed, p99 / bp99, dirty_like);
    rc = 0;
out:
    voicemap_free(m);
    free(s.key);
    free(t);
    free(tb);
    free(nicks);
    return rc;
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 3;
    size_t ops = argc > 2 ? (size_t)atol(argv[2]) : 20000;
    static const size_t sizes[] = { 1000, 5000, 12500, 25000, 50000 };
    speechq_t *q = NULL;
    if (repeats < 1 || ops < 100 || speechq_create(&q, 64) != 0) {
        fprintf(stderr, "usage: bench_roster [REPEATS >= 1] [OPS >= 100]\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (bench_names(sizes[i], repeats, q) != 0)
            return 1;
    int rc = bench_churn(20000, ops, q);
    speechq_free(q);
    return rc ? 1 : 0;
}
