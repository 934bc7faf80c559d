/* cli_voices.c - `purgatory voices`: explain, preview, list and check the
 * nick -> voice mapping before a talk; main thread (it owns espeak-ng here). */
#include "audio.h"
#include "cli.h"
#include "lang.h"
#include "langopts.h"
#include "purg.h"
#include "synth.h"
#include "util.h"
#include "voicemap.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREVIEW_GAP_MS 600 /* silence between two nicks, so each stands alone */
#define EXPLAIN_ROOM "#voices-explain"

typedef struct opts {
    const char *voices; /* NULL = built-in pool */
    const char *salt;   /* NULL = the file's */
    const char *output; /* preview: a WAV file instead of the device */
    int alone;          /* explain: each nick on its own, not as one room */
    const char *lines[16]; /* explain --line: lines the nicks say, in order */
    int nlines;
    const char *languages; /* explain --languages (default LANGOPT_DEFAULT) */
} opts_t;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: purgatory voices explain [--alone] [--line TEXT]... [--languages L] NICK...\n"
            "       purgatory voices preview [--output FILE.wav] NICK...\n"
            "       purgatory voices list\n"
            "       purgatory voices check\n"
            "options for all: --voices FILE (default: the built-in pool), --salt S\n\n"
            "explain  for each nick: normalized form, hash, voice, pitch, rate, pan, and\n"
            "         whether it was pinned or displaced; the nicks are taken as present\n"
            "         together in one channel (--alone: each one by itself); with\n"
            "         --line (repeatable, in order) also each line's language: the\n"
            "         guess, its confidence, the nick's estimate and the voice that\n"
            "         results (--languages auto|off|LIST as for listen, default auto)\n"
            "preview  speaks \"this is NICK\" in each nick's voice, in turn\n"
            "list     prints the pool\n"
            "check    reports pool voices unknown to espeak-ng and pairs too alike to\n"
            "         tell apart (exit 1 when there are any)\n");
}

/* PURG_OPT_GO to run, PURG_OPT_HELP or PURG_OPT_ERROR (purg.h). */
static int parse_opts(int argc, char **argv, opts_t *o)
{
    static const struct option longopts[] = {
        { "voices", required_argument, NULL, 'v' }, { "salt", required_argument, NULL, 's' },
        { "output", required_argument, NULL, 'o' }, { "alone", no_argument, NULL, 'a' },
        { "line", required_argument, NULL, 'l' },   { "languages", required_argument, NULL, 'L' },
        { "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
    };
    char err[1024];
    int c;
    memset(o, 0, sizeof *o);
    optind = 1;
    while ((c = getopt_long(argc, argv, "v:s:o:al:L:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'v': o->voices = optarg; break;
        case 's': o->salt = optarg; break;
        case 'o': o->output = optarg; break;
        case 'a': o->alone = 1; break;
        case 'l':
            if (o->nlines == (int)(sizeof o->lines / sizeof o->lines[0])) {
                fprintf(stderr, "purgatory voices: at most %zu --line\n",
                        sizeof o->lines / sizeof o->lines[0]);
                return PURG_OPT_ERROR;
            }
            o->lines[o->nlines++] = optarg;
            break;
        case 'L':
            if (lang_spec_check(optarg, err, sizeof err) != 0) {
                fprintf(stderr, "purgatory voices: --languages: %s\n", err);
                return PURG_OPT_ERROR;
            }
            o->languages = optarg;
            break;
        case 'h': usage(stdout); return PURG_OPT_HELP;
        default: usage(stderr); return PURG_OPT_ERROR;
        }
    }
    return PURG_OPT_GO;
}

static int load(const opts_t *o, int check_voices, voicemap_t **m)
{
    char err[512];
    int rc = voicemap_load_opts(m, o->voices, o->salt, check_voices, err, sizeof err);
    if (rc != 0)
        fprintf(stderr, "purgatory voices: %s\n", err[0] ? err : purg_strerror(rc));
    return rc;
}

static void voice_line(char *buf, size_t n, const voicemap_info_t *in)
{
    if (util_snprintf(buf, n, "voice=%s%s%s%s pitch=%d range=%d rate=%d pan=%+d", in->v.name,
                      in->id[0] ? " (" : "", in->id, in->id[0] ? ")" : "", in->v.pitch, in->v.range,
                      in->v.rate, in->v.pan) != 0)
        util_strlcpy(buf, "voice=?", n);
}

/* explain --line: each line's language for nick, in order, as listen would
 * decide it (the nick's estimate carries from one line to the next). */
static int explain_lines(voicemap_t *m, const opts_t *o, const char *nick, const voice_t *v)
{
    char err[1024];
    lang_t *l = NULL;
    const char *spec = o->languages;
    if (!spec && voicemap_languages(m)[0])
        spec = voicemap_languages(m); /* the voices file's [languages] use */
    if (lang_create(&l, spec ? spec : LANGOPT_DEFAULT, NULL, err, sizeof err) != 0) {
        fprintf(stderr, "purgatory voices: --languages: %s\n", err);
        return -1;
    }
    langopts_voices(l, m);
    for (int k = 0; k < o->nlines; k++) {
        char vis[UTIL_VIS_MAX];
        util_visible(vis, sizeof vis, o->lines[k]);
        voice_t w = *v;
        if (!l) {
            printf("  line \"%s\": languages off, voice=%s\n", vis, w.name);
            continue;
        }
        lang_result_t r;
        lang_line(l, EXPLAIN_ROOM, nick, o->lines[k], strlen(o->lines[k]), &r);
        lang_apply(l, r.code, &w);
        char guessed[96];
        if (r.line[0])
            util_snprintf(guessed, sizeof guessed, "%s (confidence %.2f, %s; %d word%s)", r.line,
                          r.line_conf, r.how, r.words, r.words == 1 ? "" : "s");
        else
            util_strlcpy(guessed, "none (no words of a language)", sizeof guessed);
        printf("  line \"%s\": guess %s; CLD2 %s%s; spoken in %s (confidence %.2f%s) "
               "voice=%s pitch=%d range=%d rate=%d pan=%+d\n", vis, guessed, r.cld2,
               r.cld2_reliable ? " reliable" : " unsure", r.code, r.conf,
               r.kept ? ", the nick's language kept" : "", w.name, w.pitch, w.range, w.rate, w.pan);
    }
    lang_free(l);
    return 0;
}

static int do_explain(voicemap_t *m, const opts_t *o, int n, char **nicks)
{
    const char *room = o->alone ? NULL : EXPLAIN_ROOM;
    if (room)
        for (int i = 0; i < n; i++)
            voicemap_join(m, room, nicks[i]);
    for (int i = 0; i < n; i++) {
        voicemap_info_t in;
        char line[256], why[160];
        if (voicemap_explain(m, room, nicks[i], &in) != 0)
            return 1;
        voice_line(line, sizeof line, &in);
        const char *first_id = "?";
        voicemap_entry(m, (size_t)in.first, &first_id, NULL, NULL);
        if (in.flags & VOICEMAP_PINNED) {
            util_strlcpy(why, "pinned", sizeof why);
        } else if (in.flags & VOICEMAP_SHARED) {
            util_snprintf(why, sizeof why, "shared (the pool ran out; first choice %s)", first_id);
        } else if (in.flags & VOICEMAP_DISPLACED) {
            const char *holder = "?";
            for (int j = 0; j < n; j++) {
                voicemap_info_t other;
                if (j != i && voicemap_explain(m, room, nicks[j], &other) == 0 && other.index == in.first &&
                    strcmp(other.norm, in.norm) != 0)
                    holder = nicks[j];
            }
            util_snprintf(why, sizeof why, "displaced (first choice %s is held by %s)", first_id, holder);
        } else {
            util_strlcpy(why, "first choice", sizeof why);
        }
        printf("%s  norm=%s hash=%016llx %s  %s\n", nicks[i], in.norm, (unsigned long long)in.hash, line, why);
        if (o->nlines > 0 && explain_lines(m, o, nicks[i], &in.v) != 0)
            return 1;
    }
    return 0;
}

static int do_list(voicemap_t *m)
{
    char vs[UTIL_VIS_MAX], vid[UTIL_VIS_MAX]; /* ids and salt are the file's text */
    printf("# %zu voices, salt \"%s\"\n", voicemap_size(m), util_visible(vs, sizeof vs, voicemap_salt(m)));
    printf("# %-4s %-12s %-22s %5s %5s %4s %4s\n", "n", "id", "voice", "pitch", "range", "rate", "pan");
    for (size_t i = 0; i < voicemap_size(m); i++) {
        const char *id;
        voice_t v;
        voicemap_entry(m, i, &id, &v, NULL);
        printf("  %-4zu %-12s %-22s %5d %5d %4d %+4d\n", i, util_visible(vid, sizeof vid, id), v.name,
               v.pitch, v.range, v.rate, v.pan);
    }
    return 0;
}

static int open_synth(const opts_t *o, audio_t **a, synth_t **s)
{
    char err[512];
    audio_kind_t kind = o->output ? AUDIO_WAV : AUDIO_DEVICE;
    int rc = audio_open(a, kind, o->output, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "purgatory voices: %s\n", err[0] ? err : purg_strerror(rc));
        return rc;
    }
    rc = synth_create(s, *a, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "purgatory voices: %s\n", err[0] ? err : purg_strerror(rc));
        audio_close(*a);
        *a = NULL;
    }
    return rc;
}

/* Each voice known to espeak-ng (language via espeak-ng itself, +variant via
 * its data files, since espeak-ng silently ignores an unknown variant) and no
 * two pool voices closer than VOICEMAP_ALIKE (see voicemap_distance). */
static int do_check(voicemap_t *m, const opts_t *o)
{
    audio_t *a = NULL;
    synth_t *s = NULL;
    int problems = 0;
    size_t n = voicemap_size(m);
    if (audio_open(&a, AUDIO_NULL, NULL, (char[256]){ 0 }, 256) != 0 ||
        synth_create(&s, a, (char[256]){ 0 }, 256) != 0)
        fprintf(stderr, "purgatory voices: espeak-ng did not start; checking against its data files only\n");
    for (size_t i = 0; i < n; i++) {
        const char *id;
        voice_t v;
        int line;
        char why[256];
        voicemap_entry(m, i, &id, &v, &line);
        int unknown = voicemap_voice_status(v.name, why, sizeof why) != 0;
        if (!unknown && s && !synth_voice_known(s, v.name)) {
            unknown = 1;
            util_snprintf(why, sizeof why, "espeak-ng does not know the voice '%s'", v.name);
        }
        if (unknown) {
            char vid[UTIL_VIS_MAX];
            printf("%s:%d: unknown: %s = %s: %s\n", o->voices ? o->voices : "(built-in)", line,
                   util_visible(vid, sizeof vid, id), v.name, why);
            problems++;
        }
    }
    /* [languages] CODE = VOICE: each voice too */
    for (size_t i = 0; i < voicemap_lang_voices(m); i++) {
        const char *code, *voice;
        char why[256], vv[UTIL_VIS_MAX];
        voicemap_lang_voice(m, i, &code, &voice);
        int unknown = voicemap_voice_status(voice, why, sizeof why) != 0;
        if (!unknown && s && !synth_voice_known(s, voice)) {
            unknown = 1;
            util_snprintf(why, sizeof why, "espeak-ng does not know the voice '%s'",
                          util_visible(vv, sizeof vv, voice));
        }
        if (unknown) {
            printf("%s: unknown: [languages] %s = %s: %s\n", o->voices ? o->voices : "(built-in)",
                   code, util_visible(vv, sizeof vv, voice), why);
            problems++;
        }
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            const char *ida, *idb;
            voice_t va, vb;
            int la, lb;
            voicemap_entry(m, i, &ida, &va, &la);
            voicemap_entry(m, j, &idb, &vb, &lb);
            double d = voicemap_distance(&va, &vb);
            if (d < VOICEMAP_ALIKE) {
                char va_id[UTIL_VIS_MAX], vb_id[UTIL_VIS_MAX];
                util_visible(va_id, sizeof va_id, ida);
                util_visible(vb_id, sizeof vb_id, idb);
                printf("%s:%d: too alike: %s (%s %d/%d/%d) and %s (line %d, %s %d/%d/%d): distance %.2f < %.2f\n",
                       o->voices ? o->voices : "(built-in)", lb, vb_id, vb.name, vb.pitch, vb.range, vb.rate,
                       va_id, la, va.name, va.pitch, va.range, va.rate, d, VOICEMAP_ALIKE);
                problems++;
            }
        }
    synth_free(s);
    audio_close(a);
    printf("%zu voices checked: %d problem%s\n", n, problems, problems == 1 ? "" : "s");
    return problems ? 1 : 0;
}

static int do_preview(voicemap_t *m, const opts_t *o, int n, char **nicks)
{
    audio_t *a = NULL;
    synth_t *s = NULL;
    if (open_synth(o, &a, &s) != 0)
        return 1;
    static const int16_t silence[AUDIO_RATE / 10 * AUDIO_CHANNELS]; /* 100 ms, read-only */
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        voice_t v;
        char text[160];
        voicemap_lookup(m, NULL, nicks[i], &v);
        /* the nick is spoken as plain text (synth_say never uses SSML) */
        if (util_snprintf(text, sizeof text, "this is %s", nicks[i]) != 0)
            util_strlcpy(text, "this is a very long nick", sizeof text);
        printf("%s: %s pitch=%d range=%d rate=%d pan=%+d\n", nicks[i], v.name, v.pitch, v.range, v.rate, v.pan);
        fflush(stdout);
        rc = synth_say(s, &v, text, 0, NULL);
        for (int k = 0; k < PREVIEW_GAP_MS / 100 && rc == 0; k++)
            rc = audio_write(a, silence, AUDIO_RATE / 10);
    }
    if (rc != 0)
        fprintf(stderr, "purgatory voices: speaking failed: %s\n", purg_strerror(rc));
    audio_drain(a);
    synth_free(s);
    audio_close(a);
    return rc ? 1 : 0;
}

int cli_voices(int argc, char **argv)
{
    opts_t o;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    int r = parse_opts(argc - 1, argv + 1, &o);
    if (r != PURG_OPT_GO)
        return PURG_OPT_EXIT(r);
    int nargs = argc - 1 - optind;
    char **args = argv + 1 + optind;
    int wants_nicks = strcmp(cmd, "explain") == 0 || strcmp(cmd, "preview") == 0;
    if (!wants_nicks && strcmp(cmd, "list") != 0 && strcmp(cmd, "check") != 0) {
        fprintf(stderr, "purgatory voices: unknown subcommand '%s'\n", cmd);
        usage(stderr);
        return 2;
    }
    if (wants_nicks ? nargs < 1 : nargs > 0) {
        fprintf(stderr, wants_nicks ? "purgatory voices %s: name at least one nick\n"
                                    : "purgatory voices %s: takes no arguments\n", cmd);
        return 2;
    }
    if ((o.nlines || o.languages) && strcmp(cmd, "explain") != 0) {
        fprintf(stderr, "purgatory voices %s: --line and --languages are for explain\n", cmd);
        return 2;
    }
    if (o.output && strcmp(cmd, "preview") != 0) {
        fprintf(stderr, "purgatory voices %s: --output is for preview\n", cmd);
        return 2;
    }
    voicemap_t *m = NULL;
    /* check reports unknown voices itself, all of them, instead of stopping at the first */
    if (load(&o, strcmp(cmd, "check") != 0, &m) != 0)
        return 1;
    if (strcmp(cmd, "explain") == 0)
        r = do_explain(m, &o, nargs, args);
    else if (strcmp(cmd, "preview") == 0)
        r = do_preview(m, &o, nargs, args);
    else if (strcmp(cmd, "list") == 0)
        r = do_list(m);
    else
        r = do_check(m, &o);
    voicemap_free(m);
    return r;
}
