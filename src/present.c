/* present.c - the presenter's experience of `listen`: its options and its
 * life cycle, on the main thread. Its other threads' parts live beside it:
 * present_stage.c (the board, on whichever thread publishes a stage event;
 * the control actions, on the control thread), present_view.c (the view
 * thread), present_net.c (the net thread: who is heard, announcements).
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
#include "present_int.h"
#include "purg.h"
#include "util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* ---- options ------------------------------------------------------------ */

static int add_list(const char *cmd, const char **list, size_t *n, const char *arg,
                    const char *what)
{
    if (*n >= PRESENT_LIST_MAX) {
        fprintf(stderr, "purgatory %s: at most %d --%s options\n", cmd, PRESENT_LIST_MAX, what);
        return PURG_OPT_ERROR;
    }
    list[(*n)++] = arg;
    return PURG_OPT_GO;
}

int present_opt(present_opts_t *o, int code, const char *arg)
{
    char err[256], va[UTIL_VIS_MAX]; /* va: arg made visible (it may come from the config file) */
    announce_lists_t tmp = { 0 };
    int rc = 0;
    const char *cmd = o->cmd ? o->cmd : "listen";
    switch (code) {
    case PRESENT_OPT_PLAIN: o->plain = 1; return PURG_OPT_GO;
    case PRESENT_OPT_CONTROL: o->control = arg; return PURG_OPT_GO;
    case PRESENT_OPT_RECORD: {
        const char *dot = strrchr(arg, '.');
        if (!dot || (strcasecmp(dot, ".wav") != 0 && strcasecmp(dot, ".flac") != 0)) {
            fprintf(stderr, "purgatory %s: --record wants a FILE.wav or FILE.flac, not '%s'\n",
                    cmd, util_visible(va, sizeof va, arg));
            return PURG_OPT_ERROR;
        }
        o->record = arg;
        return PURG_OPT_GO;
    }
    case PRESENT_OPT_SAYS: {
        announce_says_t pol;
        int secs;
        if (announce_parse_says(arg, &pol, &secs) != 0) {
            fprintf(stderr, "purgatory %s: --says is never, always, change, or a number "
                    "of seconds of silence (1-86400), not '%s'\n", cmd, util_visible(va, sizeof va, arg));
            return PURG_OPT_ERROR;
        }
        o->says = arg;
        return PURG_OPT_GO;
    }
    case PRESENT_OPT_ANNOUNCE: o->announce_joins = 1; return PURG_OPT_GO;
    case PRESENT_OPT_CAPTIONS: {
        char host[64];
        int port;
        if (captions_parse_addr(arg, host, sizeof host, &port, err, sizeof err) != 0) {
            fprintf(stderr, "purgatory %s: --captions %s\n", cmd, util_visible(va, sizeof va, err));
            return PURG_OPT_ERROR;
        }
        o->captions = arg;
        return PURG_OPT_GO;
    }
    case PRESENT_OPT_PRONOUNCE:
        rc = announce_add_name(&tmp, arg, err, sizeof err);
        announce_lists_free(&tmp);
        if (rc != 0) {
            fprintf(stderr, "purgatory %s: --pronounce %s\n", cmd, util_visible(va, sizeof va, err));
            return PURG_OPT_ERROR;
        }
        return add_list(cmd, o->pronounce, &o->npronounce, arg, "pronounce");
    case PRESENT_OPT_IGNORE:
        rc = announce_add_ignore(&tmp, arg, err, sizeof err);
        announce_lists_free(&tmp);
        if (rc != 0) {
            fprintf(stderr, "purgatory %s: --ignore: %s\n", cmd, util_visible(va, sizeof va, err));
            return PURG_OPT_ERROR;
        }
        return add_list(cmd, o->ignore, &o->nignore, arg, "ignore");
    case PRESENT_OPT_MUTE:
        if (!arg[0] || strlen(arg) >= ANNOUNCE_NAME_MAX) {
            fprintf(stderr, "purgatory %s: --mute wants a nick, not '%s'\n", cmd, util_visible(va, sizeof va, arg));
            return PURG_OPT_ERROR;
        }
        return add_list(cmd, o->mute, &o->nmute, arg, "mute");
    case PRESENT_OPT_VOLUME: {
        char *end;
        long v = strtol(arg, &end, 10);
        if (*end || end == arg || v < 0 || v > AUDIO_VOLUME_MAX) {
            fprintf(stderr, "purgatory %s: --volume wants 0-%d (percent), not '%s'\n", cmd,
                    AUDIO_VOLUME_MAX, util_visible(va, sizeof va, arg));
            return PURG_OPT_ERROR;
        }
        o->volume = v == 0 ? -1 : (int)v; /* -1: explicitly silent */
        return PURG_OPT_GO;
    }
    }
    return PURG_OPT_NOT_MINE;
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
"      --ignore PATTERN   never speak these nicks (IRC mask: * and ?, e.g.\n"
"                         '*bot', or a hostmask '*!*@bots.example.org');\n"
"                         personas do not learn from them; repeatable\n"
"      --mute NICK        start with NICK muted; repeatable\n"
"      --volume N         start at N%% volume (0-%d, default 100)\n", AUDIO_VOLUME_MAX);
    if (listen)
        fprintf(f,
"      --config FILE      read options from FILE (default\n"
"                         $XDG_CONFIG_HOME/purgatory/config.ini, section [listen])\n"
"      --no-config        read no configuration file\n");
    fprintf(f, "\nkeys (when stdin is a terminal): %s\n", control_key_help);
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
    if ((rc = stage_subscribe(p->events, present_on_stage, p)) != 0)
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
        int rc = control_start(&p->control, p->o.control, keyboard, present_on_control, present_on_prompt, p,
                               err, errlen);
        if (rc != 0)
            return rc;
    }
    if (p->view) {
        if (pthread_create(&p->view_thread, NULL, present_view_main, p) != 0) {
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
        present_skip_now(p); /* a paused line is not worth waiting for */
        audio_set_paused(p->audio, 0);
    }
    uint64_t lost = p->o.record ? audio_record_lost(p->audio) : 0;
    if (lost)
        fprintf(stderr, "purgatory %s: the recording missed %llu blocks of audio (the disk "
                "was too slow)\n", p->o.cmd ? p->o.cmd : "listen", (unsigned long long)lost);
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

