/* cli_markov.c - `purgatory train` and `purgatory babble`; main thread. */
#include "cli.h"
#include "corpus.h"
#include "markov.h"
#include "purg.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_CORPORA 256
#define MAX_MODELS 16

/* Refuses at once a path that exists and is not a regular file: reading a
 * FIFO blocks until a writer comes, a device may never end, and a model
 * written over one would not be a file. Prints "CMD: PATH is a FIFO, not a
 * WHAT" and returns PURG_EINVAL; 0 for a regular file or a path that does not
 * exist (the open reports that). */
static int check_regular(const char *cmd, const char *path, const char *what)
{
    struct stat sb;
    if (stat(path, &sb) != 0 || S_ISREG(sb.st_mode))
        return 0;
    char vp[UTIL_VIS_MAX];
    fprintf(stderr, "%s: %s is %s, not a %s\n", cmd, util_visible(vp, sizeof vp, path),
            util_file_kind(sb.st_mode), what);
    return PURG_EINVAL;
}

/* puts(line) with the line made visible: a model file may hold any bytes. */
static void put_visible(const char *line)
{
    size_t len = strlen(line), n = 4 * len + 1; /* "\xNN" is the widest per byte */
    char *vis = malloc(n);
    if (!vis) {
        puts("(out of memory)");
        return;
    }
    puts(util_visible_n(vis, n, line, len));
    free(vis);
}

static void train_usage(FILE *f)
{
    fprintf(f,
        "usage: purgatory train CORPUS... -o MODEL [options]\n\n"
        "Builds a Markov model from text files and writes it to MODEL.\n\n"
        "  -o, --output MODEL  model file to write (atomically; replaced if it exists)\n"
        "  --order N           context length in tokens, 1..%d (default 2)\n"
        "  --chars             tokens are characters (name generators), not words\n"
        "  --format F          plain (one utterance per line, the default), irssi,\n"
        "                      weechat or znc (IRC logs: only messages are taken)\n"
        "  --nick NAME         only NAME's lines from IRC logs (repeatable, up to %d)\n"
        "  --max-line BYTES    longer lines are skipped (default %d)\n"
        "  -q, --quiet         no progress and no summary\n"
        "  -h, --help          this text\n\n"
        "CORPUS may be '-' for standard input. Lines with invalid UTF-8 or NUL bytes\n"
        "are skipped and counted in the summary.\n",
        MARKOV_MAX_ORDER, CORPUS_MAX_NICKS, CORPUS_MAX_LINE_DEFAULT);
}

static void babble_usage(FILE *f)
{
    fprintf(f,
        "usage: purgatory babble MODEL... [options]\n\n"
        "Prints lines made by a model (several models are mixed).\n\n"
        "  -n, --count N       lines to print (default 1)\n"
        "  --seed WORD         lines that contain WORD\n"
        "  --reply TEXT        replies to TEXT (through its keywords)\n"
        "  --weights W1,W2...  mixing weights of the models (default: equal)\n"
        "  --order N           context length to use (default: the model's)\n"
        "  --rng-seed N        fixed random seed (same seed, same lines)\n"
        "  --no-overlap        allow lines that copy the training text\n"
        "  --overlap-ratio R   largest copied run as a share of a line (default 0.7)\n"
        "  --overlap-max N     largest copied run in tokens (default 15)\n"
        "  --tries N           candidates per line before giving up (default 100)\n"
        "  -h, --help          this text\n");
}

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return PURG_EINVAL;
    *out = v;
    return 0;
}

/* ---- train --------------------------------------------------------------------- */

typedef struct train_ctx {
    markov_t *m;
    const char *file;
    uint64_t rejected;   /* lines the model refused (too long for it) */
    bool progress;
} train_ctx_t;

static int train_line(void *ud, const char *line, size_t len)
{
    train_ctx_t *t = ud;
    int rc = markov_add_line(t->m, line, len);
    if (rc == PURG_EINVAL || (rc == PURG_ETOOBIG && len > MARKOV_MAX_LINE)) {
        t->rejected++;
        return 0;
    }
    return rc;
}

static void train_progress(void *ud, uint64_t done, uint64_t total)
{
    train_ctx_t *t = ud;
    if (!t->progress || total < (8u << 20))
        return;
    fprintf(stderr, "purgatory train: %s: %.0f of %.0f MB\n", t->file, done / 1048576.0, total / 1048576.0);
}

static double now_s(void)
{
    return (double)util_now_ns() / 1e9;
}

static void print_skips(const corpus_stats_t *st, uint64_t rejected)
{
    fprintf(stderr, "purgatory train: %llu lines read, %llu used, %llu skipped",
            (unsigned long long)st->lines, (unsigned long long)(st->used - rejected),
            (unsigned long long)(corpus_skipped(st) + rejected));
    struct { const char *what; uint64_t n; } k[] = {
        { "invalid UTF-8", st->bad_utf8 }, { "NUL bytes", st->nul },
        { "too long", st->too_long + rejected }, { "events", st->events },
        { "other nicks", st->other_nick }, { "blank", st->blank },
        { "not in the log format", st->unparsed },
    };
    const char *sep = " (";
    for (size_t i = 0; i < sizeof k / sizeof *k; i++)
        if (k[i].n) {
            fprintf(stderr, "%s%llu %s", sep, (unsigned long long)k[i].n, k[i].what);
            sep = ", ";
        }
    fprintf(stderr, "%s\n", sep[0] == ',' ? ")" : "");
}

int cli_train(int argc, char **argv)
{
    const char *corpora[MAX_CORPORA], *nicks[CORPUS_MAX_NICKS], *out = NULL;
    size_t ncorp = 0, nnicks = 0;
    long order = 2, max_line = CORPUS_MAX_LINE_DEFAULT;
    bool chars = false, quiet = false;
    corpus_format_t fmt = CORPUS_PLAIN;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            train_usage(stdout);
            return 0;
        } else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && more) {
            out = argv[++i];
        } else if (!strcmp(a, "--order") && more) {
            if (parse_long(argv[++i], 1, MARKOV_MAX_ORDER, &order)) {
                fprintf(stderr, "purgatory train: --order takes 1..%d, not '%s'\n", MARKOV_MAX_ORDER, argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--chars")) {
            chars = true;
        } else if (!strcmp(a, "--format") && more) {
            if (corpus_format_parse(argv[++i], &fmt)) {
                fprintf(stderr, "purgatory train: unknown --format '%s' (plain, irssi, weechat or znc)\n", argv[i]);
                return 2;
            }
        } else if (!strcmp(a, "--nick") && more) {
            if (nnicks == CORPUS_MAX_NICKS) {
                fprintf(stderr, "purgatory train: at most %d --nick options\n", CORPUS_MAX_NICKS);
                return 2;
            }
            nicks[nnicks++] = argv[++i];
        } else if (!strcmp(a, "--max-line") && more) {
            if (parse_long(argv[++i], 16, 64L << 20, &max_line)) {
                fprintf(stderr, "purgatory train: --max-line takes 16..%ld bytes\n", 64L << 20);
                return 2;
            }
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "purgatory train: unknown or incomplete option '%s'; see 'purgatory train --help'\n", a);
            return 2;
        } else {
            if (ncorp == MAX_CORPORA) {
                fprintf(stderr, "purgatory train: at most %d corpus files\n", MAX_CORPORA);
                return 2;
            }
            corpora[ncorp++] = a;
        }
    }
    if (!ncorp || !out) {
        fprintf(stderr, "purgatory train: %s; see 'purgatory train --help'\n",
                !ncorp ? "no CORPUS file given" : "no output given (-o MODEL)");
        return 2;
    }
    for (size_t i = 0; i < ncorp; i++)
        if (strcmp(corpora[i], "-") != 0 && check_regular("purgatory train", corpora[i], "corpus file"))
            return 2;
    if (check_regular("purgatory train", out, "model file"))
        return 2;
    if (nnicks && fmt == CORPUS_PLAIN)
        fprintf(stderr, "purgatory train: note: --nick only filters IRC logs (--format irssi, weechat or znc)\n");

    double t0 = now_s();
    train_ctx_t tc = { .progress = !quiet };
    int rc = markov_new(&tc.m, chars ? MARKOV_CHARS : MARKOV_WORDS, (int)order);
    if (rc) {
        fprintf(stderr, "purgatory train: %s\n", purg_strerror(rc));
        return 1;
    }
    corpus_opts_t co = { .format = fmt, .nicks = nicks, .nnicks = nnicks,
                         .max_line = (size_t)max_line, .progress = train_progress };
    corpus_stats_t st;
    memset(&st, 0, sizeof st);
    for (size_t i = 0; i < ncorp; i++) {
        tc.file = corpora[i];
        rc = corpus_read_file(corpora[i], &co, train_line, &tc, &st);
        if (rc) {
            if (rc == PURG_ENOTFOUND || rc == PURG_EIO)
                fprintf(stderr, "purgatory train: cannot read %s: %s\n", corpora[i], strerror(errno));
            else
                fprintf(stderr, "purgatory train: %s: %s\n", corpora[i], purg_strerror(rc));
            markov_free(tc.m);
            return 1;
        }
    }
    if (!quiet || st.used == tc.rejected)
        print_skips(&st, tc.rejected);
    rc = markov_build(tc.m);
    if (rc == PURG_EEMPTY) {
        fprintf(stderr, "purgatory train: no usable line in %s%s; nothing written (check the file, "
                "--format and --nick)\n", corpora[0], ncorp > 1 ? " and the others" : "");
        markov_free(tc.m);
        return 1;
    }
    char err[512] = "";
    if (!rc)
        rc = markov_save(tc.m, out, err, sizeof err);
    if (rc) {
        fprintf(stderr, "purgatory train: %s\n", err[0] ? err : purg_strerror(rc));
        markov_free(tc.m);
        return 1;
    }
    if (!quiet) {
        markov_stats_t ms;
        markov_stats(tc.m, &ms);
        struct stat sb;
        double mb = stat(out, &sb) == 0 ? (double)sb.st_size / 1048576.0 : 0;
        fprintf(stderr, "purgatory train: %zu %s, %zu tokens, order %d, %zu transitions; wrote %s "
                "(%.1f MB) in %.2f s\n", ms.vocab, chars ? "characters" : "words", ms.tokens,
                ms.order, ms.transitions, out, mb, now_s() - t0);
    }
    markov_free(tc.m);
    return 0;
}

/* ---- babble ------------------------------------------------------------------- */

static int parse_weights(const char *s, double *w, size_t max, size_t *n)
{
    *n = 0;
    while (*s) {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || !(v > 0) || v > 1e9 || *n == max)
            return PURG_EINVAL;
        w[(*n)++] = v;
        s = end;
        if (*s == ',')
            s++;
        else if (*s)
            return PURG_EINVAL;
    }
    return *n ? 0 : PURG_EINVAL;
}

static void babble_error(int rc, const char *what)
{
    if (rc == PURG_ETIMEOUT)
        fprintf(stderr, "purgatory babble: every candidate was rejected as a copy of the training text "
                "(the corpus may be too small); try --no-overlap, a larger --tries or more text\n");
    else if (rc == PURG_ENOTFOUND)
        fprintf(stderr, "purgatory babble: the model does not know '%s'\n", what);
    else
        fprintf(stderr, "purgatory babble: %s\n", purg_strerror(rc));
}

int cli_babble(int argc, char **argv)
{
    const char *paths[MAX_MODELS], *seed = NULL, *reply = NULL;
    size_t npaths = 0, nweights = 0;
    double weights[MAX_MODELS];
    long count = 1, order = 0, tries = 100, omax = 15;
    double oratio = 0.7;
    bool overlap = true, have_rng = false;
    unsigned long long rng_seed = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            babble_usage(stdout);
            return 0;
        } else if ((!strcmp(a, "-n") || !strcmp(a, "--count")) && more) {
            if (parse_long(argv[++i], 0, 10000000, &count))
                goto bad_value;
        } else if (!strcmp(a, "--seed") && more) {
            seed = argv[++i];
        } else if (!strcmp(a, "--reply") && more) {
            reply = argv[++i];
        } else if (!strcmp(a, "--weights") && more) {
            if (parse_weights(argv[++i], weights, MAX_MODELS, &nweights))
                goto bad_value;
        } else if (!strcmp(a, "--order") && more) {
            if (parse_long(argv[++i], 1, MARKOV_MAX_ORDER, &order))
                goto bad_value;
        } else if (!strcmp(a, "--rng-seed") && more) {
            char *end;
            errno = 0;
            rng_seed = strtoull(argv[++i], &end, 10);
            if (errno || *end || end == argv[i])
                goto bad_value;
            have_rng = true;
        } else if (!strcmp(a, "--no-overlap")) {
            overlap = false;
        } else if (!strcmp(a, "--overlap-ratio") && more) {
            char *end;
            oratio = strtod(argv[++i], &end);
            if (*end || end == argv[i] || !(oratio >= 0 && oratio <= 1))
                goto bad_value;
        } else if (!strcmp(a, "--overlap-max") && more) {
            if (parse_long(argv[++i], 1, MARKOV_SA_DEPTH - 1, &omax))
                goto bad_value;
        } else if (!strcmp(a, "--tries") && more) {
            if (parse_long(argv[++i], 1, 1000000, &tries))
                goto bad_value;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "purgatory babble: unknown or incomplete option '%s'; see 'purgatory babble --help'\n", a);
            return 2;
        } else {
            if (npaths == MAX_MODELS) {
                fprintf(stderr, "purgatory babble: at most %d models\n", MAX_MODELS);
                return 2;
            }
            paths[npaths++] = a;
        }
        continue;
bad_value:
        fprintf(stderr, "purgatory babble: bad value '%s' for %s; see 'purgatory babble --help'\n", argv[i], a);
        return 2;
    }
    if (!npaths) {
        fprintf(stderr, "purgatory babble: no MODEL given; see 'purgatory babble --help'\n");
        return 2;
    }
    if (nweights && nweights != npaths) {
        fprintf(stderr, "purgatory babble: %zu weights for %zu models\n", nweights, npaths);
        return 2;
    }
    if (seed && reply) {
        fprintf(stderr, "purgatory babble: give --seed or --reply, not both\n");
        return 2;
    }

    for (size_t i = 0; i < npaths; i++)
        if (check_regular("purgatory babble", paths[i], "model file"))
            return 2;

    markov_t *models[MAX_MODELS] = { 0 }, *m = NULL;
    int status = 1;
    for (size_t i = 0; i < npaths; i++) {
        char err[512] = "";
        int rc = markov_load(&models[i], paths[i], err, sizeof err);
        if (rc) {
            fprintf(stderr, "purgatory babble: %s: %s\n", paths[i], err[0] ? err : purg_strerror(rc));
            goto out;
        }
    }
    if (npaths == 1) {
        m = models[0];
        models[0] = NULL;
    } else {
        for (size_t i = 0; i < npaths && !nweights; i++)
            weights[i] = 1.0;
        int rc = markov_combine(&m, (const markov_t *const *)models, weights, npaths);
        if (rc) {
            fprintf(stderr, "purgatory babble: cannot mix the models: %s%s\n", purg_strerror(rc),
                    rc == PURG_EINVAL ? " (word and character models do not mix)" : "");
            goto out;
        }
    }
    markov_rng_t rng;
    markov_rng_seed(&rng, have_rng ? rng_seed : (uint64_t)util_now_ns() ^ ((uint64_t)time(NULL) << 20));
    markov_gen_opts_t o;
    markov_gen_opts_default(&o);
    o.order = (int)order;
    o.overlap_test = overlap;
    o.max_overlap_ratio = oratio;
    o.max_overlap_total = (int)omax;
    o.tries = (int)tries;
    status = 0;
    for (long i = 0; i < count; i++) {
        char *line = NULL;
        int rc;
        if (reply) {
            rc = markov_reply(m, &rng, &o, reply, &line);
            if (rc == PURG_ENOTFOUND) {
                if (i == 0)
                    fprintf(stderr, "purgatory babble: no word of the text is known to the model; babbling instead\n");
                rc = markov_generate(m, &rng, &o, &line);
            }
        } else if (seed) {
            rc = markov_generate_with(m, &rng, &o, seed, &line);
        } else {
            rc = markov_generate(m, &rng, &o, &line);
        }
        if (rc) {
            babble_error(rc, seed ? seed : "line");
            status = 1;
            break;
        }
        put_visible(line);
        free(line);
    }
out:
    for (size_t i = 0; i < npaths; i++)
        markov_free(models[i]);
    markov_free(m);
    return status;
}
