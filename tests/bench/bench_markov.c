/* bench_markov.c - throughput and size figures of the Markov engine on a
 * plain-text corpus (see tests/bench/markov.sh); main thread only.
 * usage: bench_markov CORPUS [ORDER] [SECONDS_PER_PHASE] */
#include "corpus.h"
#include "markov.h"
#include "purg.h"
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static double now(void) { return (double)util_now_ns() / (double)NS_PER_S; }

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int add(void *ud, const char *line, size_t len)
{
    return markov_add_line(ud, line, len);
}

/* The baseline of training: one pass over the text that splits it into
 * words and hashes each (FNV-1a), the least any word-level trainer does.
 * Returns the best of 5 runs in seconds; *sink keeps the work observable. */
static double word_pass(const char *text, size_t len, uint64_t *sink)
{
    double best = 1e30;
    for (int run = 0; run < 5; run++) {
        double t0 = now();
        uint64_t h = 0xcbf29ce484222325u, sum = 0;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)text[i];
            if (c == ' ' || c == '\n' || c == '\t') {
                sum += h;
                h = 0xcbf29ce484222325u;
            } else {
                h = (h ^ c) * 0x100000001b3u;
            }
        }
        *sink += sum + h;
        double t = now() - t0;
        best = t < best ? t : best;
    }
    return best;
}

/* The baseline of loading: reading the whole file into memory with read(2)
 * (from the page cache, as a load right after a save is). Best of 5, seconds. */
static double read_pass(const char *path, size_t size, uint64_t *sink)
{
    double best = 1e30;
    char *buf = malloc(size ? size : 1);
    for (int run = 0; buf && run < 5; run++) {
        double t0 = now();
        FILE *f = fopen(path, "rb");
        size_t got = f ? fread(buf, 1, size, f) : 0;
        if (f)
            fclose(f);
        *sink += got ? (unsigned char)buf[got / 2] : 0;
        double t = now() - t0;
        best = t < best ? t : best;
    }
    free(buf);
    return best;
}

/* Runs one kind of generation for 'secs'; returns lines/s, counts failures. */
static double rate(const markov_t *m, const markov_gen_opts_t *o, int kind, double secs,
                   long *fails, long *tried, double *avg_words)
{
    markov_rng_t r;
    markov_rng_seed(&r, 12345);
    static const char *const prompts[] = {
        "what about the sheep and the shepherd", "tell me of the king of Babylon",
        "where is the river", "the wine and the bread", "who built the temple",
    };
    long n = 0, bad = 0, words = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 256; i++) {
            char *s = NULL;
            int rc;
            if (kind == 0)
                rc = markov_generate(m, &r, o, &s);
            else if (kind == 1)
                rc = markov_reply(m, &r, o, prompts[(n + i) % 5], &s);
            else
                rc = markov_generate_with(m, &r, o, "river", &s);
            if (rc)
                bad++;
            else
                for (const char *p = s; *p; p++)
                    words += *p == ' ';
            free(s);
        }
        n += 256;
        t = now() - t0;
    } while (t < secs);
    *fails = bad;
    *tried = n;
    *avg_words = n > bad ? (double)words / (double)(n - bad) + 1 : 0;
    return (double)(n - bad) / t;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_markov CORPUS [ORDER] [SECONDS_PER_PHASE]\n");
        return 2;
    }
    int order = argc > 2 ? atoi(argv[2]) : 2;
    double secs = argc > 3 ? atof(argv[3]) : 2.0;
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    size_t len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc(len ? len : 1);
    if (!text || fread(text, 1, len, f) != len) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(f);
    long rss0 = peak_rss_kb();
    uint64_t sink = 0;
    double t_words = word_pass(text, len, &sink);

    /* training: parse lines + tokenize + intern + index (in memory); best
     * of 3, like the baseline it is compared with, so that a busy moment of
     * a shared machine does not count */
    markov_t *m = NULL;
    corpus_stats_t cs;
    double t_read = 1e30, t_train = 1e30;
    for (int run = 0; run < 3; run++) {
        markov_free(m);
        m = NULL;
        double t0 = now();
        if (markov_new(&m, MARKOV_WORDS, order)) return 1;
        corpus_opts_t co = { .format = CORPUS_PLAIN, .max_line = MARKOV_MAX_LINE };
        memset(&cs, 0, sizeof cs);
        int rc = corpus_read_mem(text, len, &co, add, m, &cs);
        double tr = now() - t0;
        if (!rc)
            rc = markov_build(m);
        double tt = now() - t0;
        if (rc) {
            fprintf(stderr, "training failed: %s\n", purg_strerror(rc));
            return 1;
        }
        if (tt < t_train) {
            t_train = tt;
            t_read = tr;
        }
    }
    long rss_train = peak_rss_kb();
    markov_stats_t st;
    markov_stats(m, &st);
    free(text);

    printf("corpus: %s, %.2f MB, %llu lines, %zu tokens (%zu words + line ends), %zu distinct words\n",
           argv[1], len / 1e6, (unsigned long long)cs.used, st.tokens, st.tokens - st.lines - 1,
           st.vocab);
    printf("order: %d\n", order);
    printf("train: %.3f s (best of 3; %.3f s reading+tokenizing, %.3f s indexing) = %.1f MB/s\n",
           t_train, t_read, t_train - t_read, len / 1e6 / t_train);
    printf("baseline, one word-hashing pass over the text: %.4f s (best of 5); "
           "training takes %.1fx that\n", t_words, t_train / t_words);
    printf("peak RSS: %.1f MB after training (%.1f MB before, corpus text included)\n",
           rss_train / 1024.0, rss0 / 1024.0);
    printf("model in memory: %.2f MB, %zu transitions, %.1f bytes/transition\n",
           st.bytes / 1e6, st.transitions, (double)st.bytes / (double)st.transitions);

    /* file */
    char path[] = "/tmp/bench_markov.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 1;
    close(fd);
    char err[256];
    double t0 = now();
    if (markov_save(m, path, err, sizeof err)) {
        fprintf(stderr, "save: %s\n", err);
        return 1;
    }
    double t_save = now() - t0;
    struct stat sb;
    stat(path, &sb);
    int loads = 20;
    double t_load = 0, t_load_best = 1e30;
    for (int i = 0; i < loads; i++) {
        markov_t *l = NULL;
        t0 = now();
        if (markov_load(&l, path, err, sizeof err)) {
            fprintf(stderr, "load: %s\n", err);
            return 1;
        }
        markov_free(l);
        double t = now() - t0;
        t_load += t / loads;
        t_load_best = t < t_load_best ? t : t_load_best;
    }
    double t_readf = read_pass(path, (size_t)sb.st_size, &sink);
    printf("file: %.2f MB (%.1f bytes/transition), save %.3f s (with fsync), load %.2f ms "
           "(mmap + checksum + validation, mean of %d; best %.2f ms)\n",
           sb.st_size / 1e6, (double)sb.st_size / (double)st.transitions, t_save, t_load * 1e3, loads,
           t_load_best * 1e3);
    printf("baseline, reading the file into memory: %.2f ms (best of 5); loading takes %.1fx that "
           "(best against best)\n", t_readf * 1e3, t_load_best / t_readf);

    /* generation, on the loaded model (the way personas use it) */
    markov_t *l = NULL;
    markov_load(&l, path, err, sizeof err);
    unlink(path);
    markov_gen_opts_t o;
    markov_gen_opts_default(&o);
    long fails, tried;
    double words;
    o.overlap_test = false;
    double plain = rate(l, &o, 0, secs, &fails, &tried, &words);
    printf("generate, overlap test off: %.0f sentences/s (mean %.1f words)\n", plain, words);
    o.overlap_test = true;
    double ov = rate(l, &o, 0, secs, &fails, &tried, &words);
    printf("generate, overlap test on:  %.0f sentences/s (mean %.1f words, %ld gave up after %d tries)\n",
           ov, words, fails, o.tries);
    o.tries = 1;
    double ov1 = rate(l, &o, 0, secs, &fails, &tried, &words);
    printf("  one try per line with the test on: %.0f accepted/s, %.1f%% of candidates rejected\n",
           ov1, 100.0 * (double)fails / (double)tried);
    o.tries = 100;
    double wi = rate(l, &o, 2, secs, &fails, &tried, &words);
    printf("generate_with(\"river\"), overlap on: %.0f sentences/s\n", wi);
    o.tries = 32;
    o.budget_ns = 0;
    double rp = rate(l, &o, 1, secs, &fails, &tried, &words);
    printf("reply (best of 32 candidates, overlap on): %.0f replies/s\n", rp);
    printf("peak RSS at the end: %.1f MB\n", peak_rss_kb() / 1024.0);
    if (sink == 42)
        printf("(sink %llu)\n", (unsigned long long)sink); /* keeps the baselines' work */
    markov_free(l);
    markov_free(m);
    return 0;
}
