/* cli_demo.c - `purgatory demo`: personas converse in the offline room, with
 * no IRC server, spoken through the same voice map, speech queue and audio
 * path as `listen`. Main thread runs the room and the personas on a
 * simulated clock; the synth thread speaks. */
#include "audio.h"
#include "cli.h"
#include "hear.h"
#include "langopts.h"
#include "markov.h"
#include "persona.h"
#include "present.h"
#include "purg.h"
#include "room.h"
#include "speaker.h"
#include "speechq.h"
#include "util.h"
#include "voicemap.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEMO_MAX_PERSONAS 16
#define DEMO_EAR "purgatory"
#define DEMO_IDLE_STOP_NS (24 * 3600 * NS_PER_S) /* everyone fell quiet */
#define DEMO_UNSPOKEN_NS (NS_PER_S) /* see pace() */

typedef enum { DEMO_SPEAK, DEMO_SILENT } demo_speech_t;

typedef struct demo_opts {
    const char *files[DEMO_MAX_PERSONAS];
    size_t nfiles;
    const char *output;
    audio_kind_t audio;
    demo_speech_t speech;
    double seconds;        /* of simulated conversation; 0 = no bound */
    unsigned long lines;   /* 0 = no bound */
    uint64_t seed;
    int seeded;
    const char *voices;
    int check_audio;       /* --check-audio: open the sound card, report, exit */
    present_opts_t pres;   /* the presenter's options (present.h) */
    int presenting;        /* a presenter option was given */
    langopts_t lang;       /* --languages, --dictionary (langopts.h) */
} demo_opts_t;

typedef struct demo demo_t;

/* One persona in the room. */
typedef struct demo_member {
    demo_t *demo;
    persona_def_t *def;
    markov_t *model;
    persona_t *p;
} demo_member_t;

struct demo {
    demo_opts_t *o;
    room_t *room;
    voicemap_t *voices;
    speechq_t *queue;        /* NULL with --audio none */
    present_t *pres;         /* "X says", names, mutes, view, controls, recording */
    hear_t ear;              /* what the listener does with a line (hear.h) */
    demo_member_t m[DEMO_MAX_PERSONAS];
    size_t n;
    int64_t now;             /* the simulated clock */
};

/* Set by the signal handlers, read by the main thread. SIGINT, SIGTERM
 * stop; SIGUSR1 re-reads the voices file; SIGHUP stops when we run with a
 * terminal (the window closed) and re-reads the voices file without one
 * (util_has_terminal, decided at start). */
/* Set by on_signal, which may run on any thread (a signal goes to whichever
 * thread does not block it, the recorder's included): lock-free atomics,
 * which a signal handler may store to, rather than volatile sig_atomic_t,
 * which is only safe on the thread it interrupts. */
static atomic_int demo_stop;    /* the signal that stopped us, or 0 */
static atomic_int demo_reload;
static atomic_int demo_terminal;
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "signal handlers store to atomic_int");

static void on_signal(int sig)
{
    if (sig == SIGUSR1 || (sig == SIGHUP && !demo_terminal))
        demo_reload = 1;
    else
        demo_stop = sig;
}

static void demo_usage(FILE *f)
{
    fprintf(f,
"usage: purgatory demo [--persona FILE.ini ...] [options]\n"
"\n"
"Personas converse in an in-process room (no IRC server), each in a voice of\n"
"its own. Without --persona, the bundled personas are used: those of the data\n"
"directory (share/purgatory/demo/personas, or $PURG_DATA_DIR/demo/personas),\n"
"prepared on first use in ~/.cache/purgatory/demo from the Debian fortune\n"
"packages when their models are not there.\n"
"\n"
"options:\n"
"  -P, --persona FILE     a persona definition (INI); repeat for more\n"
"  -o, --output FILE.wav  write the audio to a WAV file, as fast as it can\n"
"  -a, --audio KIND       default (the sound card), null (discard audio) or\n"
"                         none (no speech at all: print the conversation only)\n"
"  -t, --seconds N        stop after N seconds of conversation (default 60;\n"
"                         0 = no limit)\n"
"  -l, --lines N          stop after N lines (default: no limit)\n"
"      --seed S           random seed (same seed, same conversation)\n"
"      --voices FILE      voice pool and overrides (INI; default: built-in pool)\n"
"      --check-audio      only check that a sound card can be opened (exit 0\n"
"                         if so, else 1 with the reason)\n"
"  -h, --help             this help\n"
"\n"
"With the sound card the conversation is paced by speech; into a WAV file or\n"
"with --audio null/none it runs as fast as the lines can be made.\n"
"\n"
"Ctrl-C, SIGTERM and closing the terminal (SIGHUP) stop it: the current line\n"
"finishes, --output and --record files are finalized. SIGUSR1 re-reads the\n"
"voices file; so does SIGHUP when there is no terminal (see `listen --help`).\n"
"\n"
"The presenter options of `listen` work here too, except --announce-joins\n"
"(the personas are all there from the start). They need speech (not\n"
"--audio none); the live view, the keys, --control and --volume need the\n"
"sound card.\n\n");
    langopts_usage(f);
    present_usage(f, "demo");
}

/* The bundled persona files (sorted), from PURG_DEMO_DIR or the data
 * directory (cli_bundle_personas). */
static int default_personas(demo_opts_t *o, char paths[][PERSONA_PATH_MAX])
{
    const char *dir = getenv("PURG_DEMO_DIR");
    char buf[PERSONA_PATH_MAX];
    if (!dir) {
        int rc = cli_bundle_personas(buf, sizeof buf);
        if (rc != 0)
            return rc;
        dir = buf;
    }
    struct dirent **names = NULL;
    int n = scandir(dir, &names, NULL, alphasort);
    if (n < 0) {
        fprintf(stderr, "purgatory demo: cannot read %s: %s; give personas with --persona FILE\n",
                dir, strerror(errno));
        return PURG_ENOTFOUND;
    }
    for (int i = 0; i < n; i++) {
        size_t len = strlen(names[i]->d_name);
        if (len > 4 && strcmp(names[i]->d_name + len - 4, ".ini") == 0 &&
            o->nfiles < DEMO_MAX_PERSONAS &&
            util_snprintf(paths[o->nfiles], PERSONA_PATH_MAX, "%s/%s", dir, names[i]->d_name) == 0) {
            o->files[o->nfiles] = paths[o->nfiles];
            o->nfiles++;
        }
        free(names[i]);
    }
    free(names);
    if (o->nfiles == 0) {
        fprintf(stderr, "purgatory demo: no persona files (*.ini) in %s\n", dir);
        return PURG_ENOTFOUND;
    }
    return 0;
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Which presenter options fit the run asked for. Returns PURG_OPT_GO, or
 * PURG_OPT_ERROR after saying why not. */
static int check_presenting(demo_opts_t *o)
{
    if (o->pres.announce_joins) {
        fprintf(stderr, "purgatory demo: --announce-joins has nothing to announce offline "
                "(the personas are all there from the start); use it with listen --persona\n");
        return PURG_OPT_ERROR;
    }
    if (o->presenting && o->speech == DEMO_SILENT) {
        fprintf(stderr, "purgatory demo: the presenter options need speech; drop --audio none\n");
        return PURG_OPT_ERROR;
    }
    if (o->audio != AUDIO_DEVICE) {
        /* into a file or nowhere the talk runs faster than anyone could steer */
        if (o->pres.control || o->pres.volume) {
            fprintf(stderr, "purgatory demo: --%s needs the sound card (not --output or "
                    "--audio null)\n", o->pres.control ? "control" : "volume");
            return PURG_OPT_ERROR;
        }
        o->pres.plain = 1;
    }
    return PURG_OPT_GO;
}

/* PURG_OPT_GO to run, PURG_OPT_HELP or PURG_OPT_ERROR (purg.h). */
static int parse_opts(int argc, char **argv, demo_opts_t *o)
{
    enum { OPT_SEED = 256, OPT_VOICES, OPT_CHECK_AUDIO };
    static const struct option longopts[] = {
        { "persona", required_argument, NULL, 'P' },
        { "output", required_argument, NULL, 'o' },
        { "audio", required_argument, NULL, 'a' },
        { "seconds", required_argument, NULL, 't' },
        { "lines", required_argument, NULL, 'l' },
        { "seed", required_argument, NULL, OPT_SEED },
        { "voices", required_argument, NULL, OPT_VOICES },
        { "check-audio", no_argument, NULL, OPT_CHECK_AUDIO },
        PRESENT_LONGOPTS,
        LANGOPT_LONGOPTS,
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    *o = (demo_opts_t){ .audio = AUDIO_DEVICE, .seconds = 60, .pres = { .cmd = "demo" } };
    int seconds_given = 0, ch;
    double v;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "P:o:a:t:l:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'P':
            if (o->nfiles == DEMO_MAX_PERSONAS) {
                fprintf(stderr, "purgatory demo: at most %d personas\n", DEMO_MAX_PERSONAS);
                return PURG_OPT_ERROR;
            }
            o->files[o->nfiles++] = optarg;
            break;
        case 'o': o->output = optarg; o->audio = AUDIO_WAV; break;
        case 'a':
            if (strcmp(optarg, "default") == 0) o->audio = AUDIO_DEVICE;
            else if (strcmp(optarg, "null") == 0) o->audio = AUDIO_NULL;
            else if (strcmp(optarg, "none") == 0) o->speech = DEMO_SILENT;
            else {
                fprintf(stderr, "purgatory demo: --audio is default, null or none, not '%s'\n", optarg);
                return PURG_OPT_ERROR;
            }
            break;
        case 't':
            if (parse_num(optarg, 0, 1e9, &v) != 0) {
                fprintf(stderr, "purgatory demo: --seconds wants a number of seconds, not '%s'\n", optarg);
                return PURG_OPT_ERROR;
            }
            o->seconds = v;
            seconds_given = 1;
            break;
        case 'l':
            if (parse_num(optarg, 1, 1e12, &v) != 0) {
                fprintf(stderr, "purgatory demo: --lines wants a positive number, not '%s'\n", optarg);
                return PURG_OPT_ERROR;
            }
            o->lines = (unsigned long)v;
            break;
        case OPT_SEED:
            if (parse_num(optarg, 0, 1e18, &v) != 0) {
                fprintf(stderr, "purgatory demo: --seed wants a number, not '%s'\n", optarg);
                return PURG_OPT_ERROR;
            }
            o->seed = (uint64_t)v;
            o->seeded = 1;
            break;
        case OPT_VOICES: o->voices = optarg; break;
        case OPT_CHECK_AUDIO: o->check_audio = 1; break;
        case 'h': demo_usage(stdout); return PURG_OPT_HELP;
        default: {
            int r = present_opt(&o->pres, ch, optarg);
            if (r == PURG_OPT_GO)
                o->presenting = 1;
            if (r == PURG_OPT_NOT_MINE)
                r = langopts_opt(&o->lang, "demo", ch, optarg);
            if (r == PURG_OPT_NOT_MINE) {
                demo_usage(stderr); /* getopt_long said what it did not know */
                return PURG_OPT_ERROR;
            }
            if (r != PURG_OPT_GO)
                return r;
            break;
        }
        }
    }
    if (optind < argc) {
        fprintf(stderr, "purgatory demo: unexpected argument '%s' (personas are given with --persona)\n",
                argv[optind]);
        return PURG_OPT_ERROR;
    }
    if (o->lines && !seconds_given)
        o->seconds = 0; /* --lines alone bounds the run */
    if (o->output && o->speech == DEMO_SILENT) {
        fprintf(stderr, "purgatory demo: --output and --audio none exclude each other\n");
        return PURG_OPT_ERROR;
    }
    return check_presenting(o);
}

/* ---- the room's listener: what `listen` does with a line ---------------- */

static void ear_hear(void *owner, const irc_event_t *ev)
{
    demo_t *d = owner;
    if (!d->queue) { /* --audio none: the conversation as text */
        if (ev->kind == IRC_EV_SAY || ev->kind == IRC_EV_ACTION) {
            /* names from persona files, text from a model: any bytes */
            char ch[UTIL_VIS_MAX], nick[UTIL_VIS_MAX], text[2 * UTIL_VIS_MAX];
            printf("%s <%s> %s\n", util_visible(ch, sizeof ch, ev->channel),
                   util_visible(nick, sizeof nick, ev->nick), util_visible(text, sizeof text, ev->text));
        }
        return;
    }
    irc_event_t heard = *ev;
    heard.t_recv = util_now_ns(); /* the room's clock is simulated */
    hear_event(&d->ear, &heard, DEMO_EAR);
}

/* ---- personas in the room -------------------------------------------------- */

static void member_hear(void *owner, const irc_event_t *ev)
{
    demo_member_t *m = owner;
    persona_event(m->p, ev, m->demo->now);
}

static int member_say(void *ctx, const char *channel, const char *text)
{
    demo_member_t *m = ctx;
    return room_say(m->demo->room, persona_nick(m->p), channel, text, m->demo->now);
}

static int load_personas(demo_t *d, char *err, size_t errlen)
{
    const persona_def_t *taken[DEMO_MAX_PERSONAS];
    for (size_t i = 0; i < d->o->nfiles; i++) {
        demo_member_t *m = &d->m[i];
        d->n = i + 1;
        int rc = persona_seat("demo", d->o->files[i], taken, i, d->voices, &m->def, &m->model,
                              err, errlen);
        if (rc != 0)
            return rc;
        taken[i] = m->def;
        char vf[UTIL_VIS_MAX]; /* a name from a directory listing */
        fprintf(stderr, "purgatory demo: persona %s from %s\n", m->def->nick,
                util_visible(vf, sizeof vf, m->def->file));
    }
    return 0;
}

static int seat_personas(demo_t *d)
{
    int rc;
    for (size_t i = 0; i < d->n; i++) {
        demo_member_t *m = &d->m[i];
        m->demo = d;
        rc = persona_create(&m->p, m->def, m->model, d->o->seed * 1000003u + i + 1, d->now);
        if (rc != 0)
            return rc;
        if (m->def->learn) {
            size_t bad = 0;
            char err[700];
            if ((rc = persona_learn_start(m->p, m->model, &bad, err, sizeof err)) != 0) {
                fprintf(stderr, "purgatory demo: %s\n", err);
                return rc;
            }
        }
        persona_set_transport(m->p, member_say, m);
        persona_set_repeatable(m->p, d->o->seeded); /* --seed: the same conversation under any load */
        persona_add_peer(m->p, DEMO_EAR);
        for (size_t j = 0; j < d->n; j++)
            if (j != i)
                persona_add_peer(m->p, d->m[j].def->nick);
    }
    for (size_t i = 0; i < d->n; i++) {
        demo_member_t *m = &d->m[i];
        const char *chans[PERSONA_MAX_CHANNELS];
        for (size_t c = 0; c < m->def->nchannels; c++)
            chans[c] = m->def->channels[c];
        if ((rc = room_join(d->room, m->def->nick, chans, m->def->nchannels, member_hear, m,
                            d->now)) != 0)
            return rc;
    }
    return 0;
}

/* With the sound card: wait until what was said has been spoken. Into a
 * file: only keep the queue from overflowing (nothing may be skipped).
 * A line muted or cleared while queued is never spoken, so the count of
 * spoken lines cannot catch up: once the queue is empty and the sound card
 * has had nothing to play for DEMO_UNSPOKEN_NS (and is not paused), the
 * wait is over anyway. */
static void pace(demo_t *d, speaker_t *spk, audio_t *audio)
{
    if (!d->queue)
        return;
    int64_t idle_since = 0;
    while (!demo_stop) {
        size_t backlog = speechq_backlog(d->queue);
        if (d->o->audio != AUDIO_DEVICE) {
            if (backlog < 8)
                return;
        } else if (backlog == 0) {
            if (speaker_spoken(spk) >= d->ear.queued)
                return;
            int64_t now = util_now_ns();
            if (audio_buffered(audio) > 0 || audio_paused(audio))
                idle_since = 0;
            else if (!idle_since)
                idle_since = now;
            else if (now - idle_since > DEMO_UNSPOKEN_NS)
                return;
        }
        usleep(20000);
    }
}

/* Main thread (the voice map's only user here): SIGUSR1, or SIGHUP without
 * a terminal, asked for the voices file again. */
static void reload_voices(demo_t *d)
{
    demo_reload = 0;
    langopts_reload(d->ear.dict, "demo", 1);
    if (!d->o->voices)
        return;
    char err[512];
    if (voicemap_reload(d->voices, err, sizeof err) == 0) {
        langopts_voices(d->ear.lang, d->voices); /* its [languages] too */
        fprintf(stderr, "purgatory demo: reloaded voices from %s\n", d->o->voices);
    }
    else
        fprintf(stderr, "purgatory demo: %s (the previous voices stay in force)\n", err);
}

/* The conversation, on the simulated clock. */
static void converse(demo_t *d, speaker_t *spk, audio_t *audio)
{
    const int64_t t0 = d->now;
    const int64_t end = d->o->seconds > 0 ? t0 + (int64_t)(d->o->seconds * NS_PER_S) : INT64_MAX;
    int64_t last_line = t0;
    unsigned long lines = 0;
    while (!demo_stop) {
        if (demo_reload)
            reload_voices(d);
        int64_t next = INT64_MAX;
        for (size_t i = 0; i < d->n; i++) {
            if (d->o->lines && room_lines(d->room) >= d->o->lines)
                break; /* exactly as many lines as asked for */
            int64_t t = persona_tick(d->m[i].p, d->now);
            if (t < next)
                next = t;
        }
        if (room_lines(d->room) != lines) {
            lines = room_lines(d->room);
            last_line = d->now;
            pace(d, spk, audio);
        }
        if (d->o->lines && lines >= d->o->lines)
            break;
        if (next == INT64_MAX || next >= end)
            break;
        if (next - last_line > DEMO_IDLE_STOP_NS) {
            fprintf(stderr, "purgatory demo: everyone fell quiet (the quiet rule); stopping\n");
            break;
        }
        d->now = next > d->now ? next : d->now + 1;
    }
    fprintf(stderr, "purgatory demo: %lu lines in %.0f s of conversation\n", lines,
            (double)(d->now - t0) / NS_PER_S);
}

static void report_stats(const demo_t *d)
{
    for (size_t i = 0; i < d->n; i++) {
        persona_stats_t st;
        persona_get_stats(d->m[i].p, &st);
        fprintf(stderr, "purgatory demo: %s said %lu (%lu unprompted, %lu replies), guard refused %lu, "
                "rate-limited %lu, quiet %lu\n", persona_nick(d->m[i].p), st.said, st.unprompted,
                st.replies, st.guarded, st.rate_limited, st.quiet_skips);
    }
}

int cli_demo(int argc, char **argv)
{
    demo_opts_t o;
    int r = parse_opts(argc, argv, &o);
    if (r != PURG_OPT_GO)
        return PURG_OPT_EXIT(r);
    if (o.check_audio) {
        audio_t *a = NULL;
        char why[512] = "";
        if (audio_open(&a, AUDIO_DEVICE, NULL, why, sizeof why) != 0) {
            fprintf(stderr, "purgatory demo: %s\n", why[0] ? why : "no audio output device");
            return 1;
        }
        audio_close(a);
        fprintf(stderr, "purgatory demo: the sound card can be opened\n");
        return 0;
    }
    static char default_paths[DEMO_MAX_PERSONAS][PERSONA_PATH_MAX];
    if (o.nfiles == 0 && default_personas(&o, default_paths) != 0)
        return 1;
    if (!o.seeded)
        o.seed = (uint64_t)time(NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);
    demo_stop = 0;
    demo_reload = 0;
    demo_terminal = util_has_terminal(); /* before a hangup can change it */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);

    demo_t d;
    memset(&d, 0, sizeof d);
    d.o = &o;
    d.now = util_now_ns();
    char err[1024] = "";
    audio_t *audio = NULL;
    speaker_t *spk = NULL;
    int rc;
    lang_t *lang = NULL;
    dict_t *dict = NULL;
    emoji_t *emoji = NULL;
    int code = 1;

    if ((rc = voicemap_load(&d.voices, o.voices, NULL, err, sizeof err)) != 0) {
        fprintf(stderr, "purgatory demo: %s\n", err[0] ? err : purg_strerror(rc));
        goto out;
    }
    if (langopts_open(&o.lang, "demo", d.voices, &lang, &dict, &emoji) != 0)
        goto out;
    if ((rc = load_personas(&d, err, sizeof err)) != 0) {
        fprintf(stderr, "purgatory demo: %s\n", err[0] ? err : purg_strerror(rc));
        goto out;
    }
    if (o.speech == DEMO_SPEAK) {
        if ((rc = speechq_create(&d.queue, 64)) != 0) {
            fprintf(stderr, "purgatory demo: %s\n", purg_strerror(rc));
            goto out;
        }
        if ((rc = audio_open(&audio, o.audio, o.output, err, sizeof err)) != 0) {
            fprintf(stderr, "purgatory demo: %s\n", err);
            goto out;
        }
        o.pres.title = "offline demo";
        if ((rc = present_create(&d.pres, &o.pres, audio, d.queue, err, sizeof err)) != 0) {
            fprintf(stderr, "purgatory demo: %s\n", err);
            goto out;
        }
        speaker_conf_t sc = { .audio = audio, .queue = d.queue, .log = present_log(d.pres),
                              .catch_up = SPEAKER_CATCH_UP, .stage = present_stage(d.pres),
                              .filter = present_filter(d.pres), .says = present_says(d.pres) };
        if ((rc = speaker_start(&spk, &sc, err, sizeof err)) != 0) {
            fprintf(stderr, "purgatory demo: %s\n", err);
            goto out;
        }
        /* the view and the keys only where someone listens as it happens */
        if (o.audio == AUDIO_DEVICE && (rc = present_start(d.pres, spk, err, sizeof err)) != 0) {
            fprintf(stderr, "purgatory demo: %s\n", err);
            goto out;
        }
        hear_init(&d.ear, d.voices, d.queue, d.pres, TEXTCLEAN_CAP_DEFAULT);
        d.ear.lang = lang;
        d.ear.dict = dict;
        d.ear.emoji = emoji;
    }
    if ((rc = room_create(&d.room)) != 0 ||
        (rc = room_listen(d.room, DEMO_EAR, ear_hear, &d)) != 0 ||
        (rc = seat_personas(&d)) != 0) {
        fprintf(stderr, "purgatory demo: cannot seat the personas: %s\n", purg_strerror(rc));
        goto out;
    }
    fprintf(stderr, "purgatory demo: %zu personas converse (seed %llu)%s\n", d.n,
            (unsigned long long)o.seed, o.output ? ", writing the audio to the file" : "");
    converse(&d, spk, audio);
    if (demo_stop)
        fprintf(stderr, "purgatory demo: stopping (%s)\n",
                demo_stop == SIGHUP || present_hung_up(d.pres) ? "hangup: the terminal closed"
                : demo_stop == SIGINT ? "interrupt" : "terminate");
    report_stats(&d);
    code = 0;
out:
    present_stop(d.pres); /* controls and view off, terminal restored, pause lifted */
    if (d.queue)
        speechq_close(d.queue, demo_stop); /* finish speaking unless interrupted */
    speaker_join(spk);
    present_free(d.pres); /* before the sink: the captions read its clock */
    audio_close(audio);
    if (code == 0 && o.output)
        fprintf(stderr, "purgatory demo: wrote %s\n", o.output);
    for (size_t i = 0; i < DEMO_MAX_PERSONAS; i++) {
        char lerr[700];
        if (d.m[i].p && persona_learn_save(d.m[i].p, lerr, sizeof lerr) != 0)
            fprintf(stderr, "purgatory demo: %s: what it learned was not saved: %s\n",
                    persona_nick(d.m[i].p), lerr);
        persona_free(d.m[i].p);
        markov_free(d.m[i].model);
        persona_def_free(d.m[i].def);
    }
    room_free(d.room);
    speechq_free(d.queue);
    lang_free(lang);
    dict_free(dict);
    emoji_free(emoji);
    voicemap_free(d.voices);
    return code;
}
