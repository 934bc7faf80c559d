/* present_view.c - the presenter's live view: the view thread, which copies
 * the board (under its lock) and the queue's snapshot a few times a second
 * and draws them with view.c when the screen changed. */
#include "present_int.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define VIEW_PERIOD_MS 200

/* ---- the view thread ----------------------------------------------------- */

static void snapshot(present_t *p, view_state_t *st)
{
    memset(st, 0, sizeof *st);
    util_strlcpy(st->title, p->o.title ? p->o.title : "", sizeof st->title);
    st->keys = control_key_help;
    board_lock(&p->board);
    st->speaking = p->board.speaking;
    st->now = p->board.now;
    memcpy(st->history, p->board.history, sizeof st->history);
    util_strlcpy(st->prompt, p->board.prompt, sizeof st->prompt);
    util_strlcpy(st->status, p->board.status, sizeof st->status);
    board_unlock(&p->board);
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

void *present_view_main(void *arg)
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
        present_hang_up(p);
    else
        write_all(leave, sizeof leave - 1);
    free(buf);
    free(last);
    free(st);
    return NULL;
}

