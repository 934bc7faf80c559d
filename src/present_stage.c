/* present_stage.c - the presenter's board and controls: present_on_stage
 * runs on whichever thread publishes a stage event (the synth thread, the
 * control thread) under the stage's lock; present_on_control and
 * present_on_prompt on the control thread; present_hang_up on the control
 * or the view thread. The board's lock is taken after the stage's, never
 * the other way round (board_locked asserts who holds it). */
#include "present_int.h"
#include "nick.h"
#include "lockcheck.h"
#include "purg.h"
#include "roster.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void board_lock(board_t *b)
{
    pthread_mutex_lock(&b->lock);
    atomic_store(&b->holder, lockcheck_self());
}

void board_unlock(board_t *b)
{
    LOCK_ASSERT(board_locked(b)); /* unlocked by the thread that locked it */
    atomic_store(&b->holder, NULL);
    pthread_mutex_unlock(&b->lock);
}

int board_locked(board_t *b)
{
    return atomic_load(&b->holder) == lockcheck_self();
}

/* ---- the board ------------------------------------------------------------ */

static void set_status(present_t *p, const char *msg)
{
    board_lock(&p->board);
    util_strlcpy(p->board.status, msg, sizeof p->board.status);
    board_unlock(&p->board);
    if (!p->view) { /* msg may name a nick from the network */
        char vis[UTIL_VIS_MAX];
        fprintf(stderr, "purgatory %s: %s\n", p->o.cmd ? p->o.cmd : "listen",
                util_visible(vis, sizeof vis, msg));
    }
}

static int speaking_nick(present_t *p, const char *nick)
{
    board_lock(&p->board);
    int yes = p->board.speaking && p->board.now.kind != UTT_NOTICE &&
              nick_eq(p->board.now.nick, nick);
    board_unlock(&p->board);
    return yes;
}

/* stage_fn: on the publishing thread (synth or control), under the stage's
 * lock; takes the board's lock (order: stage, then board; the board's lock
 * is never held while publishing). */
void present_on_stage(void *ctx, const stage_event_t *ev)
{
    present_t *p = ctx;
    if (ev->kind != STAGE_START && ev->kind != STAGE_END)
        return;
    board_lock(&p->board);
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
    board_unlock(&p->board);
}

static void publish(present_t *p, stage_kind_t kind, int value, const char *nick)
{
    stage_event_t ev = { .kind = kind, .value = value, .nick = nick };
    stage_publish(p->events, &ev);
}

/* Control or view thread: the terminal is gone. Stop as for SIGTERM, once. */
void present_hang_up(present_t *p)
{
    if (atomic_exchange(&p->hung_up, 1))
        return;
    kill(getpid(), SIGTERM);
}

/* ---- control actions (control thread) ------------------------------------- */

void present_skip_now(present_t *p)
{
    if (p->spk)
        speaker_skip(p->spk);  /* stop synthesis first, then drop what is buffered */
    audio_flush(p->audio);
}

void present_on_control(void *ctx, const control_cmd_t *c)
{
    present_t *p = ctx;
    char msg[160];
    int v;
    switch (c->kind) {
    case CTL_SKIP:
        present_skip_now(p);
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
            present_skip_now(p);
        util_snprintf(msg, sizeof msg, "%s %s", c->kind == CTL_MUTE ? "muted" : "unmuted", c->nick);
        set_status(p, msg);
        break;
    case CTL_QUIT:
        set_status(p, "quitting");
        kill(getpid(), SIGTERM);
        break;
    case CTL_HANGUP:
        present_hang_up(p);
        break;
    }
}

void present_on_prompt(void *ctx, const char *prompt)
{
    present_t *p = ctx;
    board_lock(&p->board);
    util_strlcpy(p->board.prompt, prompt, sizeof p->board.prompt);
    board_unlock(&p->board);
}

