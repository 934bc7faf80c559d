/* bench_keywords.c - what a reply costs as the vocabulary grows: the
 * prompt's keywords are looked up by their folded form (case, punctuation),
 * so this measures replies on a model and on the same model with many
 * distinct words added; main thread.
 * usage: bench_keywords [-n REPLIES] [--seed S] [--words N] PROMPTS.tsv CORPUS
 *
 * Two order-2 models are trained in memory: CORPUS alone, and CORPUS plus
 * N distinct made-up words (default 1,000,000; ten a line, each once, like
 * the nicks, typos and links of a large chat log). On each, REPLIES replies
 * (default 1000) cycle through the prompts, with the persona's settings
 * (tries 24, at most 24 words, at least 3) but no time budget, so that the
 * same seed gives the same replies whatever the machine:
 *   generate  markov_generate, a plain line: the baseline (no keywords);
 *   scored    markov_reply_ex, the scored method;
 *   simple    markov_reply_ex, MARKOV_REPLY_SIMPLE;
 *   with      markov_generate_with on the prompt's topic word.
 * Each gets its mean time per call and that mean over the baseline's on
 * the same model in the same run (the ratio), and a digest (FNV-1a of every
 * output, and for scored the keywords and score as printed with %.6f):
 * equal digests mean equal replies; "content": the share of outputs with a
 * content word of the prompt (reply_eval.h). */
#include "markov.h"
#include "purg.h"
#include "util.h"
#include "reply_eval.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { B_GENERATE, B_SCORED, B_SIMPLE, B_WITH, B_COUNT };
static const char *const bname[B_COUNT] = { "generate", "scored", "simple", "with" };

static uint64_t fnv(uint64_t h, const char *s)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return (h ^ 0xff) * 0x100000001b3ull; /* a separator */
}

static int train(markov_t **out, const char *corpus, long words)
{
    FILE *f = fopen(corpus, "r");
    if (!f) {
        fprintf(stderr, "bench_keywords: cannot read %s\n", corpus);
        return 1;
    }
    if (markov_new(out, MARKOV_WORDS, 2) != 0)
        return 1;
    char line[MARKOV_MAX_LINE];
    while (fgets(line, sizeof line, f))
        markov_add_line(*out, line, strlen(line));
    fclose(f);
    char buf[256];
    size_t len = 0;
    for (long i = 0; i < words; i++) {
        /* "zq" and the number in base 26: a word no prompt has */
        char w[16];
        size_t k = sizeof w;
        w[--k] = '\0';
        long v = i;
        do {
            w[--k] = (char)('a' + v % 26);
            v /= 26;
        } while (v);
        w[--k] = 'q';
        w[--k] = 'z';
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? " " : "", w + k);
        if (i % 10 == 9 || i + 1 == words) {
            markov_add_line(*out, buf, len);
            len = 0;
        }
    }
    return markov_build(*out) == 0 ? 0 : 1;
}

static void run(const markov_t *m, const char *name, const re_prompt_t *ps, size_t np, long n,
                uint64_t seed)
{
    markov_stats_t st;
    markov_stats(m, &st);
    printf("%s: %zu words in the vocabulary, %zu tokens, %.1f MB\n", name, st.vocab, st.tokens,
           (double)st.bytes / 1e6);
    double base = 0;
    for (int b = 0; b < B_COUNT; b++) {
        markov_rng_t r;
        markov_rng_seed(&r, seed);
        markov_gen_opts_t o;
        markov_gen_opts_default(&o);
        o.max_tokens = 24;
        o.min_tokens = 3;
        o.tries = b == B_SCORED ? 24 : 20;
        o.budget_ns = 0;
        markov_reply_opts_t ro;
        markov_reply_opts_default(&ro);
        if (b == B_SIMPLE)
            ro.method = MARKOV_REPLY_SIMPLE;
        uint64_t h = 0xcbf29ce484222325ull;
        long failed = 0, content = 0;
        int64_t t0 = util_now_ns();
        for (long i = 0; i < n; i++) {
            const re_prompt_t *p = &ps[(size_t)i % np];
            char *s = NULL;
            markov_reply_info_t info;
            int rc;
            if (b == B_GENERATE)
                rc = markov_generate(m, &r, &o, &s);
            else if (b == B_WITH)
                rc = markov_generate_with(m, &r, &o, p->topic, &s);
            else
                rc = markov_reply_ex(m, &r, &o, &ro, p->text, &info, &s);
            char num[32];
            snprintf(num, sizeof num, "%d", rc);
            h = fnv(h, num);
            h = fnv(h, s ? s : "");
            if (b == B_SCORED && rc == 0) {
                for (size_t k = 0; k < info.nkeywords; k++)
                    h = fnv(h, info.keyword[k]);
                snprintf(num, sizeof num, "%.6f", info.score);
                h = fnv(h, num);
            }
            failed += rc != 0;
            if (s) {
                int c, t;
                re_judge(p, s, &c, &t);
                content += c;
            }
            free(s);
        }
        double us = (double)(util_now_ns() - t0) / 1e3 / (double)n;
        if (b == B_GENERATE)
            base = us;
        printf("  %-8s %9.1f us/call  %7.2fx generate  digest %016llx  content %5.1f%%  (%ld of %ld without a line)\n",
               bname[b], us, us / base, (unsigned long long)h, 100.0 * (double)content / (double)n, failed, n);
    }
}

int main(int argc, char **argv)
{
    long n = 1000, words = 1000000;
    uint64_t seed = 1;
    int a = 1;
    for (; a < argc && argv[a][0] == '-'; a++) {
        if (!strcmp(argv[a], "-n") && a + 1 < argc)
            n = atol(argv[++a]);
        else if (!strcmp(argv[a], "--seed") && a + 1 < argc)
            seed = strtoull(argv[++a], NULL, 10);
        else if (!strcmp(argv[a], "--words") && a + 1 < argc)
            words = atol(argv[++a]);
        else
            break;
    }
    if (argc - a != 2 || n < 1 || words < 1) {
        fprintf(stderr, "usage: bench_keywords [-n REPLIES] [--seed S] [--words N] PROMPTS.tsv CORPUS\n");
        return 2;
    }
    static re_prompt_t ps[RE_MAX_PROMPTS];
    size_t np = re_load(argv[a], ps, RE_MAX_PROMPTS);
    if (!np)
        return 1;
    printf("%zu prompts, %ld calls each, seed %llu\n", np, n, (unsigned long long)seed);
    const char *name = strrchr(argv[a + 1], '/') ? strrchr(argv[a + 1], '/') + 1 : argv[a + 1];
    markov_t *m;
    if (train(&m, argv[a + 1], 0))
        return 1;
    run(m, name, ps, np, n, seed);
    markov_free(m);
    int64_t t0 = util_now_ns();
    if (train(&m, argv[a + 1], words))
        return 1;
    printf("(trained in %.2f s)\n", (double)(util_now_ns() - t0) / 1e9);
    char big[300];
    snprintf(big, sizeof big, "%s + %ld made-up words", name, words);
    run(m, big, ps, np, n, seed);
    markov_free(m);
    return 0;
}
