/* present.c - the presenter's experience of `listen`: options, the board
 * (what the view shows), the control actions, the view thread, and the
 * announcements. Threads: main (options, life cycle), net (present_hears),
 * control (on_control), view (view_main), and whichever thread publishes a
 * stage event (on_stage: the synth or the control thread).
 *
 * DESIGN (threads): the presenter owns the stage events (stage.h): the
 * speaker publishes into them and knows nothing above; the board (for the
 * view) and the captions server subscribe. The board is a mutex-protected
 * struct written by on_stage (the current line, the history) and by the
 * control thread (the prompt, the status line), and read by the view
 * thread. Its lock is held only to copy a few small strings; the audio
 * callback never sees it. Who is heard is the filter's (announce.h),
 * asked by the net thread and again by the synth thread. Control actions
 * reach the parts they act on through the sink's atomics (pause, volume,
 * flush), the speech queue (clear), the synth's cancel flag (skip) and the
 * filter (mute), and are published as stage events; quit is a SIGTERM to
 * ourselves, so it takes the same orderly path as Ctrl-C. So is a hangup:
 * when the key reader or the view finds the terminal gone (EIO, end of
 * file), p->hung_up is set first, so the owner can say why. */
#include "present.h"
#include "announce.h"
#include "captions.h"
#include "control.h"
#include "purg.h"
#include "roster.h"
#include "util.h"
#include "view.h"
#include "voicemap.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define VIEW_PERIOD_MS 200

typedef struct board {
    pthread_mutex_t lock;
    int speaking;
    view_line_t now;
    view_line_t history[VIEW_HISTORY];
    char prompt[96];
    char status[128];
} board_t;

struct present {
    present_opts_t o;
    audio_t *audio;
    speechq_t *queue;
    announce_filter_t filter;        /* ignores (read-only), mutes (locked) */
    stage_t *events;                 /* the stage events; sealed in create */
    captions_t *captions;            /* --captions, or NULL */
    board_t board;
    int board_up;
    int view;                        /* the live view is on */
    int color;
    /* threads */
    control_t *control;
    speaker_t *spk;
    int stopped;
    pthread_t view_thread;
    int view_running;
    atomic_int view_stop;
    atomic_int hung_up;              /* the terminal went away (any thread) */
};

/* ---- options ------------------------------------------------------------ */

static int add_list(const char *cmd, const char **list, size_t *n, const char *arg,
                    const char *what)
{
    if (*n >= PRESENT_LIST_MAX) {
        fprintf(stderr, "purgatory %s: at most %d --%s options\n", cmd, PRESENT_LIST_MAX, what);
        return 2;
    }
    list[(*n)++] = arg;
    return 0;
}

int present_opt(present_opts_t *o, int code, const char *arg)
{
    char err[256], va[UTIL_VIS_MAX]; /* va: arg made visible (it may come from the config file) */
    announce_lists_t tmp = { 0 };
    int rc = 0;
    const char *cmd = o->cmd ? o->cmd : "listen";
    switch (code) {
    case PRESENT_OPT_PLAIN: o->plain = 1; return 0;
    case PRESENT_OPT_CONTROL: o->control = arg; return 0;
    case PRESENT_OPT_RECORD: {
        const char *dot = strrchr(arg, '.');
        if (!dot || (strcasecmp(dot, ".wav") != 0 && strcasecmp(dot, ".flac") != 0)) {
            fprintf(stderr, "purgatory %s: --record wants a FILE.wav or FILE.flac, not '%s'\n",
                    cmd, util_visible(va, sizeof va, arg));
            return 2;
        }
        o->record = arg;
        return 0;
    }
    case PRESENT_OPT_SAYS: {
        announce_says_t pol;
        int secs;
        if (announce_parse_says(arg, &pol, &secs) != 0) {
            fprintf(stderr, "purgatory %s: --says is never, always, change, or a number "
                    "of seconds of silence (1-86400), not '%s'\n", cmd, util_visible(va, sizeof va, arg));
            return 2;
        }
        o->says = arg;
        return 0;
    }
    case PRESENT_OPT_ANNOUNCE: o->announce_joins = 1; return 0;
    case PRESENT_OPT_CAPTIONS: {
        char host[64];
        int port;
        if (captions_parse_addr(arg, host, sizeof host, &port, err, sizeof err) != 0) {
            fprintf(stderr, "purgatory %s: --captions %s\n", cmd, util_visible(va, sizeof va, err));
            return 2;
        }
        o->captions = arg;
        return 0;
    }
    case PRESENT_OPT_PRONOUNCE:
        rc = announce_add_name(&tmp, arg, err, sizeof err);
        announce_lists_free(&tmp);
        if (rc != 0) {
            fprintf(stderr, "purgatory %s: --pronounce %s\n", cmd, util_visible(va, sizeof va, err));
            return 2;
        }
        return add_list(cmd, o->pronounce, &o->npronounce, arg, "pronounce");
    case PRESENT_OPT_IGNORE:
        rc = announce_add_ignore(&tmp, arg, err, sizeof err);
        announce_lists_free(&tmp);
        if (rc != 0) {
            fprintf(stderr, "purgatory %s: --ignore: %s\n", cmd, util_visible(va, sizeof va, err));
            return 2;
        }
        return add_list(cmd, o->ignore, &o->nignore, arg, "ignore");
    case PRESENT_OPT_MUTE:
        if (!arg[0] || strlen(arg) >= ANNOUNCE_NAME_MAX) {
            fprintf(stderr, "purgatory %s: --mute wants a nick, not '%s'\n", cmd, util_visible(va, sizeof va, arg));
            return 2;
        }
        return add_list(cmd, o->mute, &o->nmute, arg, "mute");
    case PRESENT_OPT_VOLUME: {
        char *end;
        long v = strtol(arg, &end, 10);
        if (*end || end == arg || v < 0 || v > AUDIO_VOLUME_MAX) {
            fprintf(stderr, "purgatory %s: --volume wants 0-%d (percent), not '%s'\n", cmd,
                    AUDIO_VOLUME_MAX, util_visible(va, sizeof va, arg));
            return 2;
        }
        o->volume = v == 0 ? -1 : (int)v; /* -1: explicitly silent */
        return 0;
    }
    }
    fprintf(stderr, "purgatory %s: unknown option code %d\n", cmd, code);
    return 2;
}

void present_usage(FILE *f, const char *cmd)
{
    /* joins and the configuration file are listen's alone: the offline room
     * is full from the start, and the demo reads no file */
    int listen = !cmd || strcmp(cmd, "listen") == 0;
    fprintf(f,
"presenter options:\n"
"      --plain            log lines even when stdout is a terminal (no live view)\n"
"      --control FIFO     also read control commands from this named pipe\n"
"                         (created if missing): skip, clear, pause, resume,\n"
"                         toggle, volume +N|-N|N, mute NICK, unmute NICK, quit\n"
"      --record FILE      record what is played (FILE.wav or FILE.flac)\n"
"      --says WHEN        say \"X says\" before a line: never (default), always,\n"
"                         change (when the speaker changes), or N (when the\n"
"                         speaker changes or after N seconds of silence)\n");
    if (listen)
        fprintf(f,
"      --announce-joins   announce joins, parts, quits and nick changes\n");
    fprintf(f,
"      --captions [ADDR:]PORT  serve live captions for a browser (or an OBS\n"
"                         browser source) at http://ADDR:PORT/ (ADDR defaults\n"
"                         to 127.0.0.1)\n"
"      --pronounce NICK=NAME  speak NICK as NAME; repeatable\n"
"      --ignore PATTERN   never speak these nicks (glob, e.g. '*bot', or a\n"
"                         hostmask 'nick!user@host'); repeatable\n"
"      --mute NICK        start with NICK muted; repeatable\n"
"      --volume N         start at N%% volume (0-%d, default 100)\n", AUDIO_VOLUME_MAX);
    if (listen)
        fprintf(f,
"      --config FILE      read options from FILE (default\n"
"                         $XDG_CONFIG_HOME/purgatory/config.ini, section [listen])\n"
"      --no-config        read no configuration file\n");
    fprintf(f, "\nkeys (when stdin is a terminal): %s\n", control_key_help);
}

/* ---- the board ------------------------------------------------------------ */

static void set_status(present_t *p, const char *msg)
{
    pthread_mutex_lock(&p->board.lock);
    util_strlcpy(p->board.status, msg, sizeof p->board.status);
    pthread_mutex_unlock(&p->board.lock);
    if (!p->view) { /* msg may name a nick from the network */
        char vis[UTIL_VIS_MAX];
        fprintf(stderr, "purgatory: %s\n", util_visible(vis, sizeof vis, msg));
    }
}

static int nick_eq(const char *a, const char *b)
{
    return roster_nick_eq(a, strlen(a), b, strlen(b));
}

static int speaking_nick(present_t *p, const char *nick)
{
    pthread_mutex_lock(&p->board.lock);
    int yes = p->board.speaking && p->board.now.kind != UTT_NOTICE &&
              nick_eq(p->board.now.nick, nick);
    pthread_mutex_unlock(&p->board.lock);
    return yes;
}

/* stage_fn: on the publishing thread (synth or control), under the stage's
 * lock; takes the board's lock (order: stage, then board; the board's lock
 * is never held while publishing). */
static void on_stage(void *ctx, const stage_event_t *ev)
{
    present_t *p = ctx;
    if (ev->kind != STAGE_START && ev->kind != STAGE_END)
        return;
    pthread_mutex_lock(&p->board.lock);
    if (ev->kind == STAGE_START) {
        view_line_t *now = &p->board.now;
        now->kind = ev->utt_kind;
        util_strlcpy(now->nick, ev->nick, sizeof now->nick);
        util_strlcpy(now->voice, ev->voice, sizeof now->voice);
        /* an action shows as "* avi waves": its line; a line as spoken */
        util_strlcpy(now->text, ev->utt_kind == UTT_ACTION ? ev->line : ev->text, sizeof now->text);
        p->board.speaking = 1;
    } else if (p->board.speaking) {
        memmove(&p->board.history[1], &p->board.history[0],
                (VIEW_HISTORY - 1) * sizeof p->board.history[0]);
        p->board.history[0] = p->board.now;
        p->board.speaking = 0;
    }
    pthread_mutex_unlock(&p->board.lock);
}

static void publish(present_t *p, stage_kind_t kind, int value, const char *nick)
{
    stage_event_t ev = { .kind = kind, .value = value, .nick = nick };
    stage_publish(p->events, &ev);
}

/* Control or view thread: the terminal is gone. Stop as for SIGTERM, once. */
static void hang_up(present_t *p)
{
    if (atomic_exchange(&p->hung_up, 1))
        return;
    kill(getpid(), SIGTERM);
}

/* ---- control actions (control thread) ------------------------------------- */

static void skip_now(present_t *p)
{
    if (p->spk)
        speaker_skip(p->spk);  /* stop synthesis first, then drop what is buffered */
    audio_flush(p->audio);
}

static void on_control(void *ctx, const control_cmd_t *c)
{
    present_t *p = ctx;
    char msg[160];
    int v;
    switch (c->kind) {
    case CTL_SKIP:
        skip_now(p);
        set_status(p, "skipped the current line");
        break;
    case CTL_CLEAR: {
        size_t n = speechq_clear(p->queue);
        util_snprintf(msg, sizeof msg, "cleared %zu queued lines", n);
        publish(p, STAGE_CLEAR, (int)n, NULL);
        set_status(p, msg);
        break;
    }
    case CTL_PAUSE:
    case CTL_RESUME:
    case CTL_TOGGLE:
        v = c->kind == CTL_PAUSE ? 1 : c->kind == CTL_RESUME ? 0 : !audio_paused(p->audio);
        audio_set_paused(p->audio, v);
        publish(p, STAGE_PAUSE, v, NULL);
        set_status(p, v ? "paused" : "resumed");
        break;
    case CTL_VOLUME:
        v = c->set >= 0 ? c->set : audio_volume(p->audio) + c->delta;
        audio_set_volume(p->audio, v);
        publish(p, STAGE_VOLUME, audio_volume(p->audio), NULL);
        util_snprintf(msg, sizeof msg, "volume %d%%", audio_volume(p->audio));
        set_status(p, msg);
        break;
    case CTL_MUTE:
    case CTL_UNMUTE:
        if (announce_filter_mute(&p->filter, c->nick, c->kind == CTL_MUTE))
            publish(p, STAGE_MUTE, c->kind == CTL_MUTE, c->nick);
        if (c->kind == CTL_MUTE && speaking_nick(p, c->nick))
            skip_now(p);
        util_snprintf(msg, sizeof msg, "%s %s", c->kind == CTL_MUTE ? "muted" : "unmuted", c->nick);
        set_status(p, msg);
        break;
    case CTL_QUIT:
        set_status(p, "quitting");
        kill(getpid(), SIGTERM);
        break;
    case CTL_HANGUP:
        hang_up(p);
        break;
    }
}

static void on_prompt(void *ctx, const char *prompt)
{
    present_t *p = ctx;
    pthread_mutex_lock(&p->board.lock);
    util_strlcpy(p->board.prompt, prompt, sizeof p->board.prompt);
    pthread_mutex_unlock(&p->board.lock);
}

/* ---- the view thread ----------------------------------------------------- */

static void snapshot(present_t *p, view_state_t *st)
{
    memset(st, 0, sizeof *st);
    util_strlcpy(st->title, p->o.title ? p->o.title : "", sizeof st->title);
    st->keys = control_key_help;
    pthread_mutex_lock(&p->board.lock);
    st->speaking = p->board.speaking;
    st->now = p->board.now;
    memcpy(st->history, p->board.history, sizeof st->history);
    util_strlcpy(st->prompt, p->board.prompt, sizeof st->prompt);
    util_strlcpy(st->status, p->board.status, sizeof st->status);
    pthread_mutex_unlock(&p->board.lock);
    announce_filter_list(&p->filter, st->muted, sizeof st->muted);
    st->nqueued = speechq_snapshot(p->queue, st->queue, VIEW_QUEUE_MAX, &st->nqueue_shown,
                                   &st->backlog_secs);
    st->backlog_secs += (double)audio_buffered(p->audio) / AUDIO_RATE;
    st->paused = audio_paused(p->audio);
    st->volume = audio_volume(p->audio);
}

/* 0, or -1 when the terminal cannot be written (EIO after a hangup). */
static int write_all(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDOUT_FILENO, s, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

static void *view_main(void *arg)
{
    present_t *p = arg;
    util_thread_name("purg-view");
    static const char enter[] = "\x1b[?1049h\x1b[?25l\x1b[2J";
    int dead = write_all(enter, sizeof enter - 1) != 0; /* the terminal hung up */
    size_t cap = 64 * 1024, shown = 0;
    unsigned same = 0; /* periods the screen did not change */
    char *buf = malloc(cap), *last = malloc(cap); /* last: what the screen shows */
    view_state_t *st = malloc(sizeof *st);
    while (buf && last && st && !dead && !atomic_load(&p->view_stop)) {
        struct winsize ws = { 0 };
        int cols = 80, rows = 24;
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
            cols = ws.ws_col;
            rows = ws.ws_row;
        }
        snapshot(p, st);
        size_t n = view_render(st, cols, rows, p->color, buf, cap);
        /* a quiet screen sends nothing, but is redrawn every 5 s in case
         * something else wrote to the terminal */
        if (n != shown || memcmp(buf, last, n) != 0 || ++same >= 5000 / VIEW_PERIOD_MS) {
            if (write_all(buf, n) != 0) {
                dead = 1;
                break;
            }
            memcpy(last, buf, n);
            shown = n;
            same = 0;
        }
        struct timespec ts = { 0, VIEW_PERIOD_MS * 1000000L };
        nanosleep(&ts, NULL);
    }
    static const char leave[] = "\x1b[?25h\x1b[?1049l";
    if (dead)
        hang_up(p);
    else
        write_all(leave, sizeof leave - 1);
    free(buf);
    free(last);
    free(st);
    return NULL;
}

/* ---- life cycle ----------------------------------------------------------- */

int present_create(present_t **out, const present_opts_t *o, audio_t *audio, speechq_t *q,
                   char *err, size_t errlen)
{
    present_t *p = calloc(1, sizeof *p);
    if (!p) {
        util_snprintf(err, errlen, "out of memory");
        return PURG_ENOMEM;
    }
    int rc = PURG_ENOMEM;
    p->o = *o;
    p->audio = audio;
    p->queue = q;
    atomic_init(&p->view_stop, 0);
    atomic_init(&p->hung_up, 0);
    if (pthread_mutex_init(&p->board.lock, NULL) != 0) {
        util_snprintf(err, errlen, "cannot create a mutex");
        goto fail;
    }
    p->board_up = 1;
    p->board.now.kind = -1;
    for (size_t i = 0; i < VIEW_HISTORY; i++)
        p->board.history[i].kind = -1;
    if (announce_filter_init(&p->filter) != 0 || stage_create(&p->events) != 0) {
        util_snprintf(err, errlen, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < o->npronounce; i++)
        if ((rc = announce_add_name(&p->filter.lists, o->pronounce[i], err, errlen)) != 0)
            goto fail;
    for (size_t i = 0; i < o->nignore; i++)
        if ((rc = announce_add_ignore(&p->filter.lists, o->ignore[i], err, errlen)) != 0)
            goto fail;
    for (size_t i = 0; i < o->nmute; i++)
        announce_filter_mute(&p->filter, o->mute[i], 1);
    if ((rc = stage_subscribe(p->events, on_stage, p)) != 0)
        goto fail;
    if (o->captions && (rc = captions_start(&p->captions, o->captions, p->events, audio,
                                            o->cmd ? o->cmd : "listen", err, errlen)) != 0)
        goto fail;
    stage_seal(p->events);
    if (o->volume)
        audio_set_volume(audio, o->volume < 0 ? 0 : o->volume);
    if (o->record && (rc = audio_record(audio, o->record, err, errlen)) != 0)
        goto fail;
    p->view = !o->plain && isatty(STDOUT_FILENO);
    const char *nc = getenv("NO_COLOR");
    p->color = !(nc && nc[0]);
    *out = p;
    return 0;
fail:
    present_free(p);
    return rc;
}

stage_t *present_stage(present_t *p)
{
    return p->events;
}

announce_filter_t *present_filter(present_t *p)
{
    return &p->filter;
}

const char *present_says(const present_t *p)
{
    return p->o.says;
}

FILE *present_log(const present_t *p)
{
    return p->view ? NULL : stdout;
}

int present_start(present_t *p, speaker_t *spk, char *err, size_t errlen)
{
    p->spk = spk;
    int keyboard = isatty(STDIN_FILENO);
    if (keyboard || p->o.control) {
        int rc = control_start(&p->control, p->o.control, keyboard, on_control, on_prompt, p,
                               err, errlen);
        if (rc != 0)
            return rc;
    }
    if (p->view) {
        if (pthread_create(&p->view_thread, NULL, view_main, p) != 0) {
            util_snprintf(err, errlen, "cannot start the view thread");
            return PURG_EIO;
        }
        p->view_running = 1;
    }
    return 0;
}

void present_stop(present_t *p)
{
    if (!p || p->stopped)
        return;
    p->stopped = 1;
    control_stop(p->control);
    p->control = NULL;
    if (p->view_running) {
        atomic_store(&p->view_stop, 1);
        pthread_join(p->view_thread, NULL);
        p->view_running = 0;
    }
    if (audio_paused(p->audio)) {
        skip_now(p); /* a paused line is not worth waiting for */
        audio_set_paused(p->audio, 0);
    }
    uint64_t lost = p->o.record ? audio_record_lost(p->audio) : 0;
    if (lost)
        fprintf(stderr, "purgatory: the recording missed %llu blocks of audio (the disk "
                "was too slow)\n", (unsigned long long)lost);
}

int present_hung_up(const present_t *p)
{
    return p && atomic_load(&p->hung_up);
}

void present_free(present_t *p)
{
    if (!p)
        return;
    present_stop(p);
    captions_stop(p->captions); /* its subscription ends with the stage */
    announce_filter_fini(&p->filter);
    stage_free(p->events);
    if (p->board_up)
        pthread_mutex_destroy(&p->board.lock);
    free(p);
}

/* ---- net thread ----------------------------------------------------------- */

/* fmt is always a literal from this file, with %s for a and b (-Wformat=2) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void notice(present_t *p, const char *chan, const char *fmt, const char *a, const char *b)
{
    char text[256];
    if (util_snprintf(text, sizeof text, fmt, a, b) != 0)
        return;
    utterance_t *u = announce_notice(chan, text);
    if (u)
        speechq_push(p->queue, u);
}
#pragma GCC diagnostic pop

void present_say(present_t *p, const char *chan, const char *text)
{
    notice(p, chan, "%s%s", text, "");
}

int present_hears(present_t *p, const irc_event_t *ev, const char *me)
{
    if (ev->kind == IRC_EV_SELF_JOIN || ev->kind == IRC_EV_READY || ev->kind == IRC_EV_INVITE)
        return 1;
    if (!announce_filter_heard(&p->filter, ev->nick, ev->mask))
        return ev->kind != IRC_EV_SAY && ev->kind != IRC_EV_ACTION; /* rosters still count */
    if (!p->o.announce_joins || nick_eq(ev->nick, me))
        return 1;
    char who[ANNOUNCE_NAME_MAX], to[ANNOUNCE_NAME_MAX];
    announce_spoken(&p->filter.lists, ev->nick, who, sizeof who);
    switch (ev->kind) {
    case IRC_EV_JOIN: notice(p, ev->channel, "%s joined%s", who, ""); break;
    case IRC_EV_PART: notice(p, ev->channel, "%s left%s", who, ""); break;
    case IRC_EV_QUIT: notice(p, NULL, "%s quit%s", who, ""); break;
    case IRC_EV_NICK:
        if (nick_eq(ev->text, me))
            break;
        announce_spoken(&p->filter.lists, ev->text, to, sizeof to);
        notice(p, NULL, "%s is now called %s", who, to);
        break;
    default: break;
    }
    return 1;
}
