/* cli_markov.c - `purgatory train` and `purgatory babble`; main thread. */
#include "cli.h"
#include "corpus.h"
#include "learn.h"
#include "markov.h"
#include "purg.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
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
        "      --order N       context length in tokens, 1..%d (default %d)\n"
        "      --chars         tokens are characters (name generators), not words\n"
        "      --format F      plain (one utterance per line, the default), irssi,\n"
        "                      weechat or znc (IRC logs: only messages are taken)\n"
        "      --nick NAME     only NAME's lines from IRC logs (repeatable, up to %d)\n"
        "      --max-line BYTES  longer lines are skipped (default %d)\n"
        "  -q, --quiet         no progress and no summary\n"
        "      --forget NICK   instead of training: remove what personas learned from\n"
        "                      NICK (learn = yes) from the files given, each a\n"
        "                      MODEL.learned file or the MODEL it belongs to\n"
        "  -h, --help          this text\n\n"
        "CORPUS may be '-' for standard input. Lines with invalid UTF-8 or NUL bytes\n"
        "are skipped and counted in the summary.\n",
        MARKOV_MAX_ORDER, MARKOV_ORDER_DEFAULT, CORPUS_MAX_NICKS, CORPUS_MAX_LINE_DEFAULT);
}

static void babble_usage(FILE *f)
{
    markov_gen_opts_t d;
    markov_gen_opts_default(&d);
    fprintf(f,
        "usage: purgatory babble MODEL... [options]\n\n"
        "Prints lines made by a model (several models are mixed).\n\n"
        "  -n, --count N       lines to print (default 1)\n"
        "      --seed WORD     lines that contain WORD\n"
        "      --reply TEXT    replies to TEXT (through its keywords)\n"
        "      --reply-method M  scored (the default: keywords weighted by rarity,\n"
        "                      many candidates scored) or simple (the older way)\n"
        "  -v, --verbose       with --reply: the keywords chosen and the winner's score\n"
        "                      (on standard error)\n"
        "      --weights W1,W2...  mixing weights of the models (default: equal)\n"
        "      --order N       context length to use (default: the model's)\n"
        "      --rng-seed N    fixed random seed (same seed, same lines)\n"
        "      --no-overlap    allow lines that copy the training text\n"
        "      --overlap-ratio R  largest copied run as a share of a line (default %g)\n"
        "      --overlap-max N    largest copied run in tokens (default %d)\n"
        "      --tries N       candidates per line before giving up (default %d)\n"
        "  -h, --help          this text\n",
        d.max_overlap_ratio, d.max_overlap_total, d.tries);
}

/* getopt_long's complaint in the CLI's words (opterr is 0): an unknown
 * option or one missing its value, the culprit being argv[optind - 1]. */
static int bad_option(const char *cmd, int argc, char **argv, int ch)
{
    const char *a = optind > 0 && optind - 1 < argc ? argv[optind - 1] : "?";
    char va[UTIL_VIS_MAX], shortopt[3] = { '-', (char)optopt, '\0' };
    if (optopt > ' ' && optopt < 127 && (a[0] != '-' || a[1] == '-' || a[1] == '\0' || a[2]))
        a = shortopt; /* a short option inside a group, like -qx */
    if (ch == ':')
        fprintf(stderr, "purgatory %s: %s needs a value; see 'purgatory %s --help'\n", cmd,
                util_visible(va, sizeof va, a), cmd);
    else
        fprintf(stderr, "purgatory %s: unknown option '%s'; see 'purgatory %s --help'\n", cmd,
                util_visible(va, sizeof va, a), cmd);
    return 2;
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

/* train --forget NICK FILE...: NICK's lines out of each learned-lines file. */
static int forget_nick(const char *nick, const char *const *files, size_t n, bool quiet)
{
    char vn[UTIL_VIS_MAX], vf[UTIL_VIS_MAX];
    util_visible(vn, sizeof vn, nick);
    if (n == 0) {
        fprintf(stderr, "purgatory train: --forget %s: give the files to forget it in (a persona's "
                "MODEL.learned, or its MODEL); see 'purgatory train --help'\n", vn);
        return 2;
    }
    int status = 0;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        size_t len = strlen(files[i]);
        bool learned = len > 8 && strcmp(files[i] + len - 8, ".learned") == 0;
        if (util_snprintf(path, sizeof path, learned ? "%s" : "%s.learned", files[i]) != 0) {
            fprintf(stderr, "purgatory train: path too long: %s\n", util_visible(vf, sizeof vf, files[i]));
            return 2;
        }
        util_visible(vf, sizeof vf, path);
        if (check_regular("purgatory train", path, "learned-lines file"))
            return 2;
        learn_t l;
        learn_init(&l);
        char err[600];
        int rc = learn_load(&l, path, err, sizeof err);
        if (rc == PURG_ENOTFOUND) {
            if (!quiet)
                fprintf(stderr, "purgatory train: %s does not exist: nothing was learned there\n", vf);
            learn_clear(&l);
            continue;
        }
        if (rc != 0) {
            fprintf(stderr, "purgatory train: %s\n", err);
            learn_clear(&l);
            status = 1;
            continue;
        }
        size_t gone = learn_forget(&l, nick);
        total += gone;
        if (gone && (rc = learn_save(&l, path, err, sizeof err)) != 0) {
            fprintf(stderr, "purgatory train: %s\n", err);
            status = 1;
        } else if (!quiet) {
            fprintf(stderr, "purgatory train: %s: forgot %zu line%s of %s, %zu kept\n", vf, gone,
                    gone == 1 ? "" : "s", vn, l.n);
        }
        learn_clear(&l);
    }
    if (status == 0 && total && !quiet)
        fprintf(stderr, "purgatory train: (a persona that was running meanwhile keeps its own copy "
                "and writes it back: stop it first, then forget)\n");
    return status;
}

int cli_train(int argc, char **argv)
{
    const char *corpora[MAX_CORPORA], *nicks[CORPUS_MAX_NICKS], *out = NULL;
    size_t ncorp = 0, nnicks = 0;
    long order = MARKOV_ORDER_DEFAULT, max_line = CORPUS_MAX_LINE_DEFAULT;
    bool chars = false, quiet = false;
    corpus_format_t fmt = CORPUS_PLAIN;
    const char *forget = NULL;
    enum { OPT_ORDER = 256, OPT_CHARS, OPT_FORMAT, OPT_NICK, OPT_MAX_LINE, OPT_FORGET };
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' },
        { "order", required_argument, NULL, OPT_ORDER },
        { "chars", no_argument, NULL, OPT_CHARS },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "nick", required_argument, NULL, OPT_NICK },
        { "max-line", required_argument, NULL, OPT_MAX_LINE },
        { "quiet", no_argument, NULL, 'q' },
        { "forget", required_argument, NULL, OPT_FORGET },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int ch;
    char va[UTIL_VIS_MAX];
    opterr = 0;
    optind = 1;
    while ((ch = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            train_usage(stdout);
            return 0;
        case 'o':
            out = optarg;
            break;
        case OPT_ORDER:
            if (parse_long(optarg, 1, MARKOV_MAX_ORDER, &order)) {
                fprintf(stderr, "purgatory train: --order takes 1..%d, not '%s'\n", MARKOV_MAX_ORDER,
                        util_visible(va, sizeof va, optarg));
                return 2;
            }
            break;
        case OPT_CHARS:
            chars = true;
            break;
        case OPT_FORMAT:
            if (corpus_format_parse(optarg, &fmt)) {
                fprintf(stderr, "purgatory train: unknown --format '%s' (plain, irssi, weechat or znc)\n",
                        util_visible(va, sizeof va, optarg));
                return 2;
            }
            break;
        case OPT_NICK:
            if (nnicks == CORPUS_MAX_NICKS) {
                fprintf(stderr, "purgatory train: at most %d --nick options\n", CORPUS_MAX_NICKS);
                return 2;
            }
            nicks[nnicks++] = optarg;
            break;
        case OPT_MAX_LINE:
            if (parse_long(optarg, 16, 64L << 20, &max_line)) {
                fprintf(stderr, "purgatory train: --max-line takes 16..%ld bytes\n", 64L << 20);
                return 2;
            }
            break;
        case 'q':
            quiet = true;
            break;
        case OPT_FORGET:
            forget = optarg;
            break;
        default:
            return bad_option("train", argc, argv, ch);
        }
    }
    for (int i = optind; i < argc; i++) {
        if (ncorp == MAX_CORPORA) {
            fprintf(stderr, "purgatory train: at most %d corpus files\n", MAX_CORPORA);
            return 2;
        }
        corpora[ncorp++] = argv[i];
    }
    if (forget)
        return forget_nick(forget, corpora, ncorp, quiet);
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

/* --verbose: what the reply method chose, on stderr. */
static void print_reply_info(const markov_reply_info_t *in, markov_reply_method_t method, int rc)
{
    char v[UTIL_VIS_MAX];
    fprintf(stderr, "purgatory babble: keywords:");
    if (method == MARKOV_REPLY_SIMPLE)
        fprintf(stderr, " (the simple method weighs none)");
    else if (!in->nkeywords)
        fprintf(stderr, " none known to the model");
    for (size_t i = 0; i < in->nkeywords; i++) {
        util_visible(v, sizeof v, in->keyword[i]);
        if (in->swapped[i])
            fprintf(stderr, " %s (swapped)", v);
        else
            fprintf(stderr, " %s (%.1f bits)", v, in->weight[i]);
    }
    fprintf(stderr, "\n");
    if (rc != 0)
        fprintf(stderr, "purgatory babble: no reply (%s) after %d candidates, %d rejected, %.2f ms\n",
                purg_strerror(rc), in->candidates, in->rejected, (double)in->ns / 1e6);
    else if (in->fallback)
        fprintf(stderr, "purgatory babble: nothing scored; the simple method answered (%.2f ms)\n",
                (double)in->ns / 1e6);
    else if (in->candidates)
        fprintf(stderr, "purgatory babble: score %.2f = coverage %.2f, surprise %.1f bits, %zu tokens, "
                "echo of the prompt %.2f, of recent lines %.2f, copied run %.2f; best of %d "
                "candidates (%d rejected) in %.2f ms\n", in->score, in->coverage, in->surprise,
                in->tokens, in->echo_prompt, in->echo_recent, in->corpus_run, in->candidates,
                in->rejected, (double)in->ns / 1e6);
    else
        fprintf(stderr, "purgatory babble: the simple method answered (%.2f ms)\n", (double)in->ns / 1e6);
}

int cli_babble(int argc, char **argv)
{
    const char *paths[MAX_MODELS], *seed = NULL, *reply = NULL;
    size_t npaths = 0, nweights = 0;
    double weights[MAX_MODELS];
    markov_gen_opts_t o;
    markov_gen_opts_default(&o); /* the defaults live there, and only there */
    markov_reply_opts_t ro;
    markov_reply_opts_default(&ro);
    long count = 1, order = 0, tries = o.tries, omax = o.max_overlap_total;
    double oratio = o.max_overlap_ratio;
    bool overlap = o.overlap_test, have_rng = false, verbose = false;
    unsigned long long rng_seed = 0;
    enum { OPT_SEED = 256, OPT_REPLY, OPT_REPLY_METHOD, OPT_WEIGHTS, OPT_ORDER, OPT_RNG_SEED,
           OPT_NO_OVERLAP, OPT_OVERLAP_RATIO, OPT_OVERLAP_MAX, OPT_TRIES };
    static const struct option longopts[] = {
        { "count", required_argument, NULL, 'n' },
        { "seed", required_argument, NULL, OPT_SEED },
        { "reply", required_argument, NULL, OPT_REPLY },
        { "reply-method", required_argument, NULL, OPT_REPLY_METHOD },
        { "verbose", no_argument, NULL, 'v' },
        { "weights", required_argument, NULL, OPT_WEIGHTS },
        { "order", required_argument, NULL, OPT_ORDER },
        { "rng-seed", required_argument, NULL, OPT_RNG_SEED },
        { "no-overlap", no_argument, NULL, OPT_NO_OVERLAP },
        { "overlap-ratio", required_argument, NULL, OPT_OVERLAP_RATIO },
        { "overlap-max", required_argument, NULL, OPT_OVERLAP_MAX },
        { "tries", required_argument, NULL, OPT_TRIES },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    int ch, idx;
    opterr = 0;
    optind = 1;
    while (idx = -1, (ch = getopt_long(argc, argv, ":n:vh", longopts, &idx)) != -1) {
        char *end;
        bool bad = false;
        switch (ch) {
        case 'h':
            babble_usage(stdout);
            return 0;
        case 'n':
            bad = parse_long(optarg, 0, 10000000, &count) != 0;
            break;
        case OPT_SEED:
            seed = optarg;
            break;
        case OPT_REPLY:
            reply = optarg;
            break;
        case OPT_REPLY_METHOD:
            if (!strcmp(optarg, "scored"))
                ro.method = MARKOV_REPLY_SCORED;
            else if (!strcmp(optarg, "simple"))
                ro.method = MARKOV_REPLY_SIMPLE;
            else
                bad = true;
            break;
        case 'v':
            verbose = true;
            break;
        case OPT_WEIGHTS:
            bad = parse_weights(optarg, weights, MAX_MODELS, &nweights) != 0;
            break;
        case OPT_ORDER:
            bad = parse_long(optarg, 1, MARKOV_MAX_ORDER, &order) != 0;
            break;
        case OPT_RNG_SEED:
            errno = 0;
            rng_seed = strtoull(optarg, &end, 10);
            bad = errno || *end || end == optarg || optarg[0] == '-';
            have_rng = true;
            break;
        case OPT_NO_OVERLAP:
            overlap = false;
            break;
        case OPT_OVERLAP_RATIO:
            oratio = strtod(optarg, &end);
            bad = *end || end == optarg || !(oratio >= 0 && oratio <= 1);
            break;
        case OPT_OVERLAP_MAX:
            bad = parse_long(optarg, 1, MARKOV_SA_DEPTH - 1, &omax) != 0;
            break;
        case OPT_TRIES:
            bad = parse_long(optarg, 1, 1000000, &tries) != 0;
            break;
        default:
            return bad_option("babble", argc, argv, ch);
        }
        if (bad) {
            char va[UTIL_VIS_MAX];
            fprintf(stderr, "purgatory babble: bad value '%s' for %s%s; see 'purgatory babble --help'\n",
                    util_visible(va, sizeof va, optarg), ch == 'n' && idx < 0 ? "-" : "--",
                    ch == 'n' && idx < 0 ? "n" : longopts[idx >= 0 ? idx : 0].name);
            return 2;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (npaths == MAX_MODELS) {
            fprintf(stderr, "purgatory babble: at most %d models\n", MAX_MODELS);
            return 2;
        }
        paths[npaths++] = argv[i];
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
            markov_reply_info_t info;
            rc = markov_reply_ex(m, &rng, &o, &ro, reply, &info, &line);
            if (verbose)
                print_reply_info(&info, ro.method, rc);
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
