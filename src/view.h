/* view.h - the presenter's live terminal view: a pure ANSI renderer of a
 * snapshot (who speaks now, in which voice, what is queued, the backlog,
 * the controls). The thread that refreshes it lives in present_view.c. */
#ifndef PURG_VIEW_H
#define PURG_VIEW_H

#include <stddef.h>
#include "speechq.h"

#define VIEW_QUEUE_MAX 8
#define VIEW_HISTORY 6
#define VIEW_TEXT_MAX 240

typedef struct view_line {
    int kind;                    /* utterance_kind_t; -1 = empty */
    char nick[SPEECHQ_NAME_MAX];
    char voice[48];
    char text[VIEW_TEXT_MAX];
} view_line_t;

typedef struct view_state {
    char title[128];             /* "server #chan" */
    int speaking;                /* `now` is being spoken */
    view_line_t now;
    view_line_t history[VIEW_HISTORY]; /* newest first */
    speechq_item_t queue[VIEW_QUEUE_MAX];
    size_t nqueue_shown, nqueued;
    double backlog_secs;
    int paused, volume;
    char muted[256];             /* "bob, eve" */
    char prompt[96];             /* "mute nick: bo" or "" */
    char status[128];            /* last control action, e.g. "muted bob" */
    const char *keys;            /* key help line */
} view_state_t;

/* Render st for a cols x rows terminal into buf (NUL-terminated; cut to
 * fit n): cursor home, every line cleared to its end, the rest of the
 * screen cleared. color: use ANSI colours (one per nick). Returns the
 * length written. */
size_t view_render(const view_state_t *st, int cols, int rows, int color, char *buf, size_t n);

/* The colour (31..36) a nick is drawn in. */
int view_nick_color(const char *nick);

#endif
