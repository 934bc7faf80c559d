/* cli_listen.c - `purgatory listen`: join channels and speak every line.
 * Main thread: parses options, wires the modules, waits for a signal, and
 * tears down in order (net thread, then synth thread, then the sink).
 *
 * Signals (all blocked in every thread; main takes them with sigwait):
 * SIGINT, SIGTERM stop. SIGUSR1 re-reads the voices file. SIGHUP is a
 * hangup (stop) when we run with a terminal (util_has_terminal, decided at
 * start), else a reload, as daemons do. SIGUSR2 is internal: the net thread
 * sends it when its loop ended on its own (one from outside is ignored). */
#include "audio.h"
#include "cli.h"
#include "config.h"
#include "hear.h"
#include "irc.h"
#include "langopts.h"
#include "netopts.h"
#include "persona_host.h"
#include "present.h"
#include "purg.h"
#include "speaker.h"
#include "speechq.h"
#include "util.h"
#include "voicemap.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAX_CHANNELS 32

typedef struct listen_opts {
    const char *server;
    unsigned short port;
    const char *nick;
    const char *channels[MAX_CHANNELS];
    size_t nchannels;
    const char *output;
    audio_kind_t audio;
    const char *voices;
    const char *salt;
    size_t max_chars;
    size_t queue;
    int catch_up;           /* --catch-up: % (speaker.h) */
    const char *timing;
    present_opts_t pres;    /* the presenter's options (present.h) */
    const char *intake_log;
    const char *personas[PHOST_MAX]; /* --persona files */
    size_t npersonas;
    netopts_t net;          /* TLS, passwords, SASL, NickServ (netopts.h) */
    int skip_bots;          /* --skip-bots: do not speak users the server flags as bots */
    int retry_banned;       /* --retry-banned: keep reconnecting after 465 */
    size_t history;         /* --history N: replayed lines spoken once per channel */
    langopts_t lang;        /* --languages, --dictionary (langopts.h) */
    uint64_t seed;          /* --seed: the hosted personas' random seed */
    int seeded;
} listen_opts_t;

/* Net-thread state of the listener: everything its IRC handler touches. */
typedef struct listener {
    listen_opts_t *opts;
    irc_net_t *net;
    voicemap_t *voices;
    speechq_t *queue;
    hear_t ear;             /* what is done with each event (hear.h) */
    atomic_int stop;                /* main -> net thread: leave the loop */
    atomic_int reload;              /* SIGUSR1 (or SIGHUP, no terminal): re-read voices */
    atomic_int net_done;            /* the net loop has returned (l->rc is set) */
    int rc;                 /* net thread's result */
    char err[512];
    present_t *pres;        /* view, controls, announcements (present.h) */
    FILE *intake;           /* --intake-log: net thread only */
    phost_t *host;          /* --persona: hosted personas (net thread) */
} listener_t;

static void listen_usage(FILE *f)
{
    fprintf(f,
"usage: purgatory listen --server HOST --channel '#chan' [options]\n"
"\n"
"Joins IRC channels and speaks every line and /me action, each nick in a\n"
"voice of its own. One line per utterance is printed on stdout.\n"
"\n"
"options:\n"
"  -s, --server HOST      IRC server (required)\n"
"  -p, --port N           port (default 6667)\n"
"  -n, --nick NAME        nick (default purgatory; '_' is appended while taken)\n"
"  -c, --channel '#chan'  channel to join; repeat for more (at least one)\n"
"  -o, --output FILE.wav  write the audio to a WAV (or .flac) file instead of\n"
"                         the sound card\n"
"  -a, --audio KIND       default (the sound card) or null (discard audio)\n"
"      --voices FILE      voice pool and overrides (INI; default: built-in pool)\n"
"      --salt S           reshuffle the nick-to-voice mapping\n"
"      --max-length N     cap each spoken line at N bytes (default 300)\n"
"      --queue N          speech queue length before old lines are skipped\n"
"                         (default 50)\n"
"      --catch-up PCT     while lines wait, speak up to PCT %% faster (10 %% per\n"
"                         waiting line beyond two; default 60, 0: never)\n"
"      --timing FILE      append per-line timestamps (for benchmarks)\n"
"      --seed S           random seed of the hosted personas (default: the clock)\n"
"      --persona FILE     host a Markov persona (INI, see demo/personas/) as a\n"
"                         participant with its own nick; repeat for more\n"
"      --intake-log FILE  append 't_recv t_queued text' for every channel line\n"
"                         as it is queued, spoken or not (for benchmarks)\n"
"      --skip-bots        do not speak users the server flags as bots (user mode\n"
"                         +B); hosted personas are still spoken\n"
"      --retry-banned     keep reconnecting to a server that banned us (465);\n"
"                         by default purgatory stops and says why\n"
"      --history N        of the lines a server replays on joining (IRCv3\n"
"                         server-time), speak the last N once, after \"earlier\n"
"                         in #chan:\" (default 0: none; at most 20)\n"
"  -h, --help             this help\n"
"\n"
"Stop with Ctrl-C (SIGINT) or SIGTERM: the current line finishes, the output\n"
"and --record files are finalized, the server sees QUIT. Closing the terminal\n"
"(SIGHUP, or the terminal failing to read or write) stops it the same way.\n"
"SIGUSR1 re-reads the voices file (it is also re-read when it changes on disk).\n"
"Without a terminal (stdin and stdout not a terminal, or no controlling\n"
"terminal: a service manager, nohup) SIGHUP re-reads it too, as for a daemon.\n\n");
    langopts_usage(f);
    present_usage(f, "listen");
    netopts_usage(f);
}

/* The number option --name takes, in lo..hi; says what is wrong otherwise. */
static int parse_uint(const char *name, const char *s, unsigned long lo, unsigned long hi,
                      unsigned long *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) {
        char vs[UTIL_VIS_MAX];
        fprintf(stderr, "purgatory listen: --%s wants a number %lu-%lu, not '%s'\n",
                name, lo, hi, util_visible(vs, sizeof vs, s));
        return -1;
    }
    *out = v;
    return 0;
}

/* File scope: the configuration file checks its keys against this table. */
enum { OPT_VOICES = 256, OPT_SALT, OPT_MAXLEN, OPT_QUEUE, OPT_CATCHUP, OPT_TIMING, OPT_INTAKE, OPT_PERSONA,
       OPT_SKIP_BOTS, OPT_RETRY_BANNED, OPT_HISTORY, OPT_SEED };
static const struct option longopts[] = {
    { "server", required_argument, NULL, 's' },
    { "port", required_argument, NULL, 'p' },
    { "nick", required_argument, NULL, 'n' },
    { "channel", required_argument, NULL, 'c' },
    { "output", required_argument, NULL, 'o' },
    { "audio", required_argument, NULL, 'a' },
    { "voices", required_argument, NULL, OPT_VOICES },
    { "salt", required_argument, NULL, OPT_SALT },
    { "max-length", required_argument, NULL, OPT_MAXLEN },
    { "queue", required_argument, NULL, OPT_QUEUE },
    { "catch-up", required_argument, NULL, OPT_CATCHUP },
    { "timing", required_argument, NULL, OPT_TIMING },
    { "seed", required_argument, NULL, OPT_SEED },
    { "intake-log", required_argument, NULL, OPT_INTAKE },
    { "persona", required_argument, NULL, OPT_PERSONA },
    { "skip-bots", no_argument, NULL, OPT_SKIP_BOTS },
    { "retry-banned", no_argument, NULL, OPT_RETRY_BANNED },
    { "history", required_argument, NULL, OPT_HISTORY },
    PRESENT_LONGOPTS,
    NETOPT_LONGOPTS,
    LANGOPT_LONGOPTS,
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

/* PURG_OPT_GO to run, PURG_OPT_HELP or PURG_OPT_ERROR (purg.h). */
static int parse_opts(int argc, char **argv, listen_opts_t *o)
{
    *o = (listen_opts_t){ .port = 6667, .nick = "purgatory", .audio = AUDIO_DEVICE,
                          .max_chars = TEXTCLEAN_CAP_DEFAULT, .queue = 50, .catch_up = SPEAKER_CATCH_UP };
    unsigned long v;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "s:p:n:c:o:a:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 's': o->server = optarg; break;
        case 'p':
            if (parse_uint("port", optarg, 1, 65535, &v) != 0)
                return PURG_OPT_ERROR;
            o->port = (unsigned short)v;
            break;
        case 'n':
            if (!irc_nick_valid(optarg)) {
                char vis[UTIL_VIS_MAX];
                fprintf(stderr, "purgatory listen: '%s' is not a nick servers accept (1-30 "
                        "letters, digits or [ ] \\ ` _ ^ { | } -, not starting with a digit "
                        "or '-')\n", util_visible(vis, sizeof vis, optarg));
                return PURG_OPT_ERROR;
            }
            o->nick = optarg;
            break;
        case 'c':
            if (o->nchannels == MAX_CHANNELS) {
                fprintf(stderr, "purgatory listen: at most %d channels\n", MAX_CHANNELS);
                return PURG_OPT_ERROR;
            }
            if (!irc_channel_valid(optarg)) {
                char vis[UTIL_VIS_MAX];
                fprintf(stderr, "purgatory listen: '%s' is not a channel name: '#', '&', '+' "
                        "or '!' and up to 62 more characters, no spaces, commas or colons "
                        "(quote it: --channel '#name')\n", util_visible(vis, sizeof vis, optarg));
                return PURG_OPT_ERROR;
            }
            o->channels[o->nchannels++] = optarg;
            break;
        case 'o': o->output = optarg; o->audio = AUDIO_WAV; break;
        case 'a':
            if (strcmp(optarg, "default") == 0) o->audio = AUDIO_DEVICE;
            else if (strcmp(optarg, "null") == 0) o->audio = AUDIO_NULL;
            else {
                char va[UTIL_VIS_MAX];
                fprintf(stderr, "purgatory listen: --audio is 'default' or 'null', not '%s'\n",
                        util_visible(va, sizeof va, optarg));
                return PURG_OPT_ERROR;
            }
            break;
        case OPT_VOICES: o->voices = optarg; break;
        case OPT_SALT: o->salt = optarg; break;
        case OPT_MAXLEN:
            if (parse_uint("max-length", optarg, 16, TEXTCLEAN_CAP_MAX, &v) != 0)
                return PURG_OPT_ERROR;
            o->max_chars = v;
            break;
        case OPT_QUEUE:
            if (parse_uint("queue", optarg, 1, 100000, &v) != 0)
                return PURG_OPT_ERROR;
            o->queue = v;
            break;
        case OPT_CATCHUP:
            if (parse_uint("catch-up", optarg, 0, 200, &v) != 0)
                return PURG_OPT_ERROR;
            o->catch_up = (int)v;
            break;
        case OPT_TIMING: o->timing = optarg; break;
        case OPT_SEED: {
            char *end;
            errno = 0;
            unsigned long long sv = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-') {
                char vs[UTIL_VIS_MAX];
                fprintf(stderr, "purgatory listen: --seed wants a whole number, not '%s'\n",
                        util_visible(vs, sizeof vs, optarg));
                return 2;
            }
            o->seed = sv;
            o->seeded = 1;
            break;
        }
        case OPT_INTAKE: o->intake_log = optarg; break;
        case OPT_PERSONA:
            if (o->npersonas == PHOST_MAX) {
                fprintf(stderr, "purgatory listen: at most %d personas\n", PHOST_MAX);
                return PURG_OPT_ERROR;
            }
            o->personas[o->npersonas++] = optarg;
            break;
        case OPT_SKIP_BOTS: o->skip_bots = 1; break;
        case OPT_RETRY_BANNED: o->retry_banned = 1; break;
        case OPT_HISTORY:
            if (parse_uint("history", optarg, 0, HEAR_HISTORY_MAX, &v) != 0)
                return PURG_OPT_ERROR;
            o->history = v;
            break;
        case 'h': listen_usage(stdout); return PURG_OPT_HELP;
        default: {
            int r = netopts_opt(&o->net, ch, optarg);
            if (r == PURG_OPT_NOT_MINE)
                r = present_opt(&o->pres, ch, optarg);
            if (r == PURG_OPT_NOT_MINE)
                r = langopts_opt(&o->lang, "listen", ch, optarg);
            if (r == PURG_OPT_NOT_MINE) {
                listen_usage(stderr); /* getopt_long said what it did not know */
                return PURG_OPT_ERROR;
            }
            if (r != PURG_OPT_GO)
                return r;
            break;
        }
        }
    }
    if (optind < argc) {
        char va[UTIL_VIS_MAX];
        fprintf(stderr, "purgatory listen: unexpected argument '%s'\n",
                util_visible(va, sizeof va, argv[optind]));
        return PURG_OPT_ERROR;
    }
    if (!o->server || o->nchannels == 0) {
        fprintf(stderr, "purgatory listen: --server and at least one --channel are required\n"
                        "try: purgatory listen --server irc.example.org --channel '#chat'\n");
        return PURG_OPT_ERROR;
    }
    if (o->output && o->audio != AUDIO_WAV) {
        fprintf(stderr, "purgatory listen: --output and --audio null exclude each other\n");
        return PURG_OPT_ERROR;
    }
    return PURG_OPT_GO;
}

/* ---- net thread ------------------------------------------------------- */

static void on_irc(void *owner, irc_conn_t *c, const irc_event_t *ev)
{
    listener_t *l = owner;
    if (l->opts->skip_bots && ev->bot && (ev->kind == IRC_EV_SAY || ev->kind == IRC_EV_ACTION) &&
        !phost_is_persona(l->host, ev->nick))
        return; /* --skip-bots: the server flags the speaker as a bot */
    if (hear_event(&l->ear, ev, irc_conn_nick(c)) && l->intake)
        /* the raw text: a benchmark's sender reads its own stamps back */
        fprintf(l->intake, "%lld %lld %s\n", (long long)ev->t_recv,
                (long long)util_now_ns(), ev->text);
}

/* Net thread, once a second or when woken: reload the voices file when asked
 * (SIGUSR1; SIGHUP without a terminal) or when it changed on disk; a bad
 * file leaves the old mapping in force. */
static void on_tick(void *arg)
{
    listener_t *l = arg;
    int asked = atomic_exchange(&l->reload, 0);
    langopts_reload(l->ear.dict, "listen", asked); /* the dictionary: the same rule */
    if (!l->opts->voices)
        return;
    if (!asked && !voicemap_file_changed(l->voices))
        return;
    char err[512];
    if (voicemap_reload(l->voices, err, sizeof err) == 0) {
        langopts_voices(l->ear.lang, l->voices); /* its [languages] too */
        fprintf(stderr, "purgatory listen: reloaded voices from %s\n", l->opts->voices);
    }
    else
        fprintf(stderr, "purgatory listen: %s (the previous voices stay in force)\n", err);
}

/* Net thread. msg may quote the server (a kick reason, a notice, an error
 * line): made visible here, whatever the caller did (util_visible is idempotent). */
static void on_net_log(void *ctx, const char *msg)
{
    char vis[4 * 512];
    (void)ctx;
    fprintf(stderr, "purgatory listen: %s\n", util_visible(vis, sizeof vis, msg));
}

/* Net thread: the listener's tick, then the hosted personas' schedules. */
static void on_timer(void *arg)
{
    listener_t *l = arg;
    on_tick(l);
    hear_tick(&l->ear);
    phost_tick(l->host);
    if (l->intake) /* a reader (the flood test) sees the lines within a tick */
        fflush(l->intake);
}

static void *net_main(void *arg)
{
    listener_t *l = arg;
    util_thread_name("purg-net");
    /* personas want a finer clock than the voices file does */
    l->rc = irc_net_run(l->net, &l->stop, on_timer, l, l->host ? 200 : 1000, l->err, sizeof l->err);
    irc_net_quit(l->net, 1500); /* the channel sees "signing off", not a dropped link */
    atomic_store(&l->net_done, 1);
    if (!atomic_load(&l->stop))
        kill(getpid(), SIGUSR2); /* tell main the loop ended on its own */
    return NULL;
}

/* ---- main thread ------------------------------------------------------ */

/* The signals main takes with sigwait (blocked in every thread). */
static void listen_sigset(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGUSR1);
    sigaddset(set, SIGUSR2);
}

/* Returns the signal that stops us. terminal: util_has_terminal() at start. */
static int wait_for_stop(listener_t *l, int terminal)
{
    sigset_t set;
    listen_sigset(&set);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGUSR1 || (sig == SIGHUP && !terminal)) {
            atomic_store(&l->reload, 1); /* the net thread owns the voice map */
            irc_net_wake(l->net);
            continue;
        }
        if (sig == SIGUSR2 && !atomic_load(&l->net_done))
            continue;
        return sig;
    }
}

static const char *stop_reason(int sig, const present_t *pres)
{
    if (sig == SIGHUP || present_hung_up(pres))
        return "hangup: the terminal closed";
    return sig == SIGINT ? "interrupt" : "terminate";
}

int cli_listen(int argc, char **argv)
{
    listen_opts_t o;
    config_args_t cfg;
    char cfg_err[1400];
    if (config_merge("listen", longopts, argc, argv, &cfg, cfg_err, sizeof cfg_err) != 0) {
        fprintf(stderr, "purgatory listen: %s\n", cfg_err);
        return 2;
    }
    int r = parse_opts(cfg.argc, cfg.argv, &o);
    if (r == PURG_OPT_ERROR && optind >= 2 && optind - 1 <= cfg.nfile)
        fprintf(stderr, "purgatory listen: (that option is set in %s:%d)\n", cfg.path, cfg.lines[optind - 1]);
    if (r != PURG_OPT_GO) {
        config_args_free(&cfg);
        return PURG_OPT_EXIT(r);
    }

    /* Block the signals in every thread; the main thread takes them with sigwait. */
    sigset_t set;
    listen_sigset(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    const int terminal = util_has_terminal(); /* before a hangup can change it */
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);

    listener_t l = { .opts = &o };
    char err[512] = "";
    audio_t *audio = NULL;
    speaker_t *spk = NULL;
    FILE *timing = NULL;
    pthread_t net_thread;
    int rc, net_started = 0;
    lang_t *lang = NULL;    /* the net thread's once it starts (hear.h) */
    dict_t *dict = NULL;
    emoji_t *emoji = NULL;
    int code = 1;

    if ((rc = voicemap_load(&l.voices, o.voices, o.salt, err, sizeof err)) != 0) {
        fprintf(stderr, "purgatory listen: %s\n", err[0] ? err : purg_strerror(rc));
        goto out;
    }
    if (langopts_open(&o.lang, "listen", l.voices, &lang, &dict, &emoji) != 0)
        goto out;
    if ((rc = speechq_create(&l.queue, o.queue)) != 0) {
        fprintf(stderr, "purgatory listen: %s\n", purg_strerror(rc));
        goto out;
    }
    if (o.intake_log) {
        if (!(l.intake = fopen(o.intake_log, "a"))) {
            fprintf(stderr, "purgatory listen: cannot write intake log %s\n", o.intake_log);
            goto out;
        }
        setvbuf(l.intake, NULL, _IOFBF, 1 << 16); /* flushed at exit: cheap per line */
    }
    if (o.timing && !(timing = fopen(o.timing, "a"))) {
        fprintf(stderr, "purgatory listen: cannot write timing file %s\n", o.timing);
        goto out;
    }
    if ((rc = audio_open(&audio, o.audio, o.output, err, sizeof err)) != 0) {
        fprintf(stderr, "purgatory listen: %s\n", err);
        goto out;
    }
    o.pres.title = o.channels[0];
    if ((rc = present_create(&l.pres, &o.pres, audio, l.queue, err, sizeof err)) != 0) {
        fprintf(stderr, "purgatory listen: %s\n", err);
        goto out;
    }
    speaker_conf_t sc = { .audio = audio, .queue = l.queue, .log = present_log(l.pres),
                          .timing = timing, .catch_up = o.catch_up, .stage = present_stage(l.pres),
                          .filter = present_filter(l.pres), .says = present_says(l.pres) };
    if ((rc = speaker_start(&spk, &sc, err, sizeof err)) != 0) {
        fprintf(stderr, "purgatory listen: %s\n", err);
        goto out;
    }
    if ((rc = present_start(l.pres, spk, err, sizeof err)) != 0) {
        fprintf(stderr, "purgatory listen: %s\n", err);
        goto out;
    }
    if ((rc = irc_net_create(&l.net)) != 0) {
        fprintf(stderr, "purgatory listen: %s%s\n", purg_strerror(rc),
                rc == PURG_EINVAL ? " (in PURG_IRC_TIMING)" : "");
        goto out;
    }
    irc_net_set_log(l.net, on_net_log, NULL);
    hear_init(&l.ear, l.voices, l.queue, l.pres, o.max_chars);
    l.ear.lang = lang;
    l.ear.dict = dict;
    l.ear.emoji = emoji;
    if (hear_set_history(&l.ear, o.history) != 0) {
        fprintf(stderr, "purgatory listen: out of memory\n");
        goto out;
    }
    irc_conf_t ic = { .server = o.server, .port = o.port, .nick = o.nick,
                      .channels = o.channels, .nchannels = o.nchannels,
                      .retry_banned = o.retry_banned };
    if (netopts_finish(&o.net, &ic) != 0)
        goto out;
    irc_conn_t *conn;
    if ((rc = irc_net_add(l.net, &ic, on_irc, &l, &conn)) != 0) {
        fprintf(stderr, "purgatory listen: cannot set up the IRC connection: %s\n", purg_strerror(rc));
        goto out;
    }
    if (o.npersonas) {
        phost_conf_t hc = { .files = o.personas, .nfiles = o.npersonas, .link = &ic,
                            .listener_nick = o.nick,
                            .seed = o.seeded ? o.seed : (uint64_t)util_now_ns(),
                            .ignore = o.pres.ignore, .nignore = o.pres.nignore };
        if ((rc = phost_create(&l.host, l.net, l.voices, &hc, err, sizeof err)) != 0) {
            fprintf(stderr, "purgatory listen: %s\n", err);
            goto out;
        }
    }
    if (pthread_create(&net_thread, NULL, net_main, &l) != 0) {
        fprintf(stderr, "purgatory listen: cannot start the network thread\n");
        goto out;
    }
    net_started = 1;
    fprintf(stderr, "purgatory listen: connecting to %s:%u as %s\n", o.server, o.port, o.nick);

    int sig = wait_for_stop(&l, terminal);
    atomic_store(&l.stop, 1);
    irc_net_wake(l.net);
    pthread_join(net_thread, NULL);
    net_started = 0;
    if (l.rc != 0) {
        char vis[UTIL_VIS_MAX]; /* may quote the server */
        fprintf(stderr, "purgatory listen: %s\n", util_visible(vis, sizeof vis, l.err));
        code = 1;
    } else {
        fprintf(stderr, "purgatory listen: stopping (%s)\n", stop_reason(sig, l.pres));
        code = 0;
    }
out:
    if (net_started) {
        atomic_store(&l.stop, 1);
        irc_net_wake(l.net);
        pthread_join(net_thread, NULL);
    }
    present_stop(l.pres); /* controls and view off, terminal restored, pause lifted */
    if (l.queue)
        speechq_close(l.queue, 1); /* the line being spoken finishes; the rest is dropped */
    speaker_join(spk);
    present_free(l.pres); /* before the sink: the captions read its clock */
    audio_close(audio);
    irc_net_free(l.net);
    phost_free(l.host); /* after its connections */
    speechq_free(l.queue);
    hear_fini(&l.ear);
    lang_free(lang);
    dict_free(dict);
    emoji_free(emoji);
    voicemap_free(l.voices);
    config_args_free(&cfg);
    netopts_clear(&o.net);
    if (timing)
        fclose(timing);
    if (l.intake)
        fclose(l.intake);
    return code;
}
