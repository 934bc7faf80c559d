/* bench_reply.c - how well replies stay on the prompt's topic, before and
 * after the scored reply method, on the same prompts and models; main thread.
 * usage: bench_reply [-n REPLIES] [--seed S] PROMPTS.tsv CORPUS...
 *
 * For each corpus (plain text, one utterance a line) an order-2 model is
 * trained in memory; then REPLIES replies (default 1000) cycle through the
 * prompts, each way of answering given the same prompts and seeds:
 *   simple     the older markov_reply (MARKOV_REPLY_SIMPLE), as personas
 *              used it: tries 20, budget 5 ms;
 *   scored     markov_reply_ex (MARKOV_REPLY_SCORED) with the persona's
 *              settings: tries 24, budget 3 ms, its last 8 lines as recent;
 *   retry      what a peer does with markovify: generate a line (no
 *              keywords) until it holds a content word of the prompt, at
 *              most 100 times, else keep the last.
 * Like a persona, a reply that finds no keyword falls back to a plain line.
 * Figures: share of prompts with a content word the corpus has at all
 * (known: no reply can do better), share of replies with a content word
 * of the prompt (overall, and on the known prompts), with its topic word
 * (overall, and where the corpus has the topic word), distinct-1 and distinct-2 (distinct words / words, distinct
 * pairs / pairs, over all replies), verbatim copies of a corpus line, mean
 * words, wall time per reply (p50, p99, max) and the p99 of the thread's CPU
 * time (the wall time includes waits for a core another process holds).
 * Words are judged as in reply_eval.h. */
#include "corpus.h"
#include "markov.h"
#include "purg.h"
#include "util.h"
#include "reply_eval.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { M_SIMPLE, M_SCORED, M_RETRY, M_COUNT };
static const char *const method_name[M_COUNT] = { "simple", "scored", "retry" };

/* ---- a string set (corpus lines, distinct words and pairs) ---------------- */

typedef struct sset {
    uint64_t *h;
    size_t cap, n;
} sset_t;

static uint64_t hstr(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h | 1;
}

static void sset_add(sset_t *s, uint64_t h)
{
    if (s->n * 2 >= s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 4096;
        uint64_t *nh = calloc(nc, sizeof *nh);
        if (!nh)
            abort();
        for (size_t i = 0; i < s->cap; i++)
            if (s->h[i]) {
                size_t j = s->h[i] & (nc - 1);
                while (nh[j])
                    j = (j + 1) & (nc - 1);
                nh[j] = s->h[i];
            }
        free(s->h);
        s->h = nh;
        s->cap = nc;
    }
    size_t j = h & (s->cap - 1);
    while (s->h[j]) {
        if (s->h[j] == h)
            return;
        j = (j + 1) & (s->cap - 1);
    }
    s->h[j] = h;
    s->n++;
}

static int sset_has(const sset_t *s, uint64_t h)
{
    if (!s->cap)
        return 0;
    size_t j = h & (s->cap - 1);
    while (s->h[j]) {
        if (s->h[j] == h)
            return 1;
        j = (j + 1) & (s->cap - 1);
    }
    return 0;
}

/* ---- training --------------------------------------------------------------- */

typedef struct train {
    markov_t *m;
    sset_t lines;
    sset_t words;   /* folded words of the corpus */
} train_t;

static void add_word(void *ud, const char *w)
{
    sset_add(ud, hstr(w));
}

static int add_line(void *ud, const char *line, size_t len)
{
    train_t *t = ud;
    char buf[MARKOV_MAX_LINE + 1];
    if (len > MARKOV_MAX_LINE)
        return 0;
    memcpy(buf, line, len);
    buf[len] = '\0';
    if (markov_add_line(t->m, line, len) == 0) {
        sset_add(&t->lines, hstr(buf));
        re_words(buf, add_word, &t->words);
    }
    return 0;
}

/* ---- one method over the prompts -------------------------------------------------- */

typedef struct tally {
    long known, known_content; /* prompts with a content word the corpus has; replies on them with one */
    long topic_known, topic_known_hit; /* prompts whose topic word the corpus has; replies with it */
    long replies, content, topic, copies, words, failed;
    sset_t w1, w2;
    long n1, n2;
    int64_t *ns;        /* wall time per reply */
    int64_t *cpu;       /* thread CPU time per reply (without time lost to other processes) */
} tally_t;

static int64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void count_words(tally_t *t, const char *reply)
{
    char prev[RE_WORD] = "";
    const char *p = reply;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *s = p;
        while (*p && *p != ' ')
            p++;
        char w[RE_WORD];
        if (p == s || !re_fold(s, (size_t)(p - s), w, sizeof w))
            continue;
        t->words++;
        t->n1++;
        sset_add(&t->w1, hstr(w));
        if (prev[0]) {
            char pair[2 * RE_WORD + 1];
            snprintf(pair, sizeof pair, "%s %s", prev, w);
            t->n2++;
            sset_add(&t->w2, hstr(pair));
        }
        snprintf(prev, sizeof prev, "%s", w);
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static char *answer(int method, const markov_t *m, markov_rng_t *r, const re_prompt_t *p,
                    const char *const *recent, size_t nrecent)
{
    markov_gen_opts_t o;
    markov_gen_opts_default(&o);
    o.max_tokens = 24; /* the bundled personas' max_words */
    o.min_tokens = 3;
    char *s = NULL;
    int rc;
    if (method == M_RETRY) {
        o.tries = 20;
        for (int k = 0; k < 100; k++) {
            free(s);
            s = NULL;
            if (markov_generate(m, r, &o, &s) != 0)
                continue;
            int c, t;
            re_judge(p, s, &c, &t);
            if (c)
                break;
        }
        return s;
    }
    markov_reply_opts_t ro;
    markov_reply_opts_default(&ro);
    if (method == M_SIMPLE) {
        ro.method = MARKOV_REPLY_SIMPLE;
        o.tries = 20;
        o.budget_ns = 5 * 1000000;
    } else {
        o.tries = 24;
        o.budget_ns = 3 * 1000000;
        ro.recent = recent;
        ro.nrecent = nrecent;
    }
    rc = markov_reply_ex(m, r, &o, &ro, p->text, NULL, &s);
    if (rc == PURG_ENOTFOUND || rc == PURG_ETIMEOUT) {
        free(s);
        s = NULL;
        o.tries = 20;
        rc = markov_generate(m, r, &o, &s);
    }
    return s;
}

static void run(int method, const markov_t *m, const train_t *tr, const re_prompt_t *ps, size_t np,
                long n, uint64_t seed, tally_t *t)
{
    memset(t, 0, sizeof *t);
    t->ns = calloc((size_t)n, sizeof *t->ns);
    t->cpu = calloc((size_t)n, sizeof *t->cpu);
    if (!t->ns || !t->cpu)
        abort();
    markov_rng_t r;
    markov_rng_seed(&r, seed);
    char *recent[8] = { 0 };
    size_t next = 0;
    for (long i = 0; i < n; i++) {
        const re_prompt_t *p = &ps[(size_t)i % np];
        int64_t t0 = util_now_ns(), c0 = cpu_ns();
        char *s = answer(method, m, &r, p, (const char *const *)recent, 8);
        t->ns[i] = util_now_ns() - t0;
        t->cpu[i] = cpu_ns() - c0;
        t->replies++;
        if (!s) {
            t->failed++;
            continue;
        }
        int c, tp;
        re_judge(p, s, &c, &tp);
        t->content += c;
        t->topic += tp;
        t->copies += sset_has(&tr->lines, hstr(s));
        int known = 0;
        for (size_t k = 0; k < p->ncontent && !known; k++)
            known = sset_has(&tr->words, hstr(p->content[k]));
        t->known += known;
        int tknown = sset_has(&tr->words, hstr(p->topic));
        t->topic_known += tknown;
        t->topic_known_hit += tknown && tp;
        t->known_content += known && c;
        if (known && !tp && getenv("BENCH_REPLY_MISSES"))
            fprintf(stderr, "miss %s: %s -> %s\n", method_name[method], p->text, s);
        count_words(t, s);
        free(recent[next]);
        recent[next] = s;
        next = (next + 1) % 8;
    }
    for (size_t i = 0; i < 8; i++)
        free(recent[i]);
    qsort(t->ns, (size_t)n, sizeof *t->ns, cmp_i64);
    qsort(t->cpu, (size_t)n, sizeof *t->cpu, cmp_i64);
}

static void report(const char *corpus, int method, const tally_t *t)
{
    double n = (double)t->replies;
    size_t k = (size_t)t->replies;
    printf("%-11s %-6s %5.1f%% %6.1f%% %6.1f%% %6.1f%% %6.1f%% %6.3f %6.3f %5.2f%% %5.1f %6.2f %6.2f %6.2f %6.2f %ld\n",
           corpus, method_name[method], 100.0 * t->known / n, 100.0 * t->content / n,
           t->known ? 100.0 * t->known_content / t->known : 0, 100.0 * t->topic / n,
           t->topic_known ? 100.0 * t->topic_known_hit / t->topic_known : 0,
           t->n1 ? (double)t->w1.n / t->n1 : 0, t->n2 ? (double)t->w2.n / t->n2 : 0,
           100.0 * t->copies / n, t->replies > t->failed ? (double)t->words / (n - t->failed) : 0,
           t->ns[k / 2] / 1e6, t->ns[k - 1 - k / 100] / 1e6, t->cpu[k - 1 - k / 100] / 1e6,
           t->ns[k - 1] / 1e6, t->failed);
}

int main(int argc, char **argv)
{
    long n = 1000;
    uint64_t seed = 1;
    int a = 1;
    for (; a < argc && argv[a][0] == '-'; a++) {
        if (!strcmp(argv[a], "-n") && a + 1 < argc)
            n = atol(argv[++a]);
        else if (!strcmp(argv[a], "--seed") && a + 1 < argc)
            seed = strtoull(argv[++a], NULL, 10);
        else
            break;
    }
    if (argc - a < 2 || n < 1) {
        fprintf(stderr, "usage: bench_reply [-n REPLIES] [--seed S] PROMPTS.tsv CORPUS...\n");
        return 2;
    }
    static re_prompt_t ps[RE_MAX_PROMPTS];
    size_t np = re_load(argv[a], ps, RE_MAX_PROMPTS);
    if (!np)
        return 1;
    printf("%zu prompts, %ld replies per method and corpus, seed %llu\n\n", np, n,
           (unsigned long long)seed);
    printf("%-11s %-6s %6s %7s %7s %7s %7s %6s %6s %6s %5s %6s %6s %6s %6s %s\n", "corpus", "method",
           "known", "content", "c|known", "topic", "t|known", "dist-1", "dist-2", "copies", "words", "p50ms", "p99ms", "p99cpu", "maxms", "failed");
    for (int c = a + 1; c < argc; c++) {
        train_t t;
        memset(&t, 0, sizeof t);
        if (markov_new(&t.m, MARKOV_WORDS, 2) != 0)
            return 1;
        corpus_opts_t co = { .format = CORPUS_PLAIN };
        corpus_stats_t st;
        memset(&st, 0, sizeof st);
        if (corpus_read_file(argv[c], &co, add_line, &t, &st) != 0 || markov_build(t.m) != 0) {
            fprintf(stderr, "bench_reply: cannot train from %s\n", argv[c]);
            return 1;
        }
        const char *name = strrchr(argv[c], '/') ? strrchr(argv[c], '/') + 1 : argv[c];
        for (int mth = 0; mth < M_COUNT; mth++) {
            tally_t tl;
            run(mth, t.m, &t, ps, np, n, seed, &tl);
            report(name, mth, &tl);
            free(tl.ns);
            free(tl.cpu);
            free(tl.w1.h);
            free(tl.w2.h);
        }
        markov_free(t.m);
        free(t.lines.h);
        free(t.words.h);
    }
    return 0;
}
