/* present_int.h - the presenter's insides, shared by its files (not for
 * other modules): present.c (main thread: options, life cycle),
 * present_stage.c (the board, on the publishing threads; the control
 * actions, on the control thread), present_view.c (the view thread) and
 * present_net.c (the net thread). Which thread touches which field is
 * written beside it. */
#ifndef PURG_PRESENT_INT_H
#define PURG_PRESENT_INT_H

#include "present.h"
#include "announce.h"
#include "captions.h"
#include "control.h"
#include "stage.h"
#include "view.h"

#include <pthread.h>
#include <stdatomic.h>

/* What the view shows, written by on_stage and the control thread, read by
 * the view thread; lock order: the stage's lock, then this one (never
 * publish while holding it). */
typedef struct board {
    pthread_mutex_t lock;
    _Atomic(const void *) holder;    /* the thread holding lock (board_locked asserts it) */
    int speaking;
    view_line_t now;
    view_line_t history[VIEW_HISTORY];
    char prompt[96];
    char status[128];
} board_t;

struct present {
    present_opts_t o;                /* main thread; read-only once created */
    audio_t *audio;                  /* borrowed: its controls are atomics */
    speechq_t *queue;                /* borrowed: locked */
    announce_filter_t filter;        /* ignores (read-only), mutes (locked) */
    stage_t *events;                 /* the stage events; sealed in create */
    captions_t *captions;            /* --captions, or NULL */
    board_t board;
    int board_up;
    int view;                        /* the live view is on (read-only once created) */
    int color;
    /* threads (main thread starts and stops them) */
    control_t *control;
    speaker_t *spk;                  /* skips go here (any thread may) */
    int stopped;
    pthread_t view_thread;
    int view_running;
    atomic_int view_stop;
    atomic_int hung_up;              /* the terminal went away (any thread) */
};

/* The board's lock, with the holder noted so that board_locked can assert it. */
void board_lock(board_t *b);
void board_unlock(board_t *b);
/* 1 when this thread holds b's lock (for assert). */
int board_locked(board_t *b);

/* present_stage.c: the board's subscriber, the control thread's callbacks,
 * the status line, a hangup (control or view thread). */
void present_on_stage(void *ctx, const stage_event_t *ev);
void present_on_control(void *ctx, const control_cmd_t *cmd);
void present_on_prompt(void *ctx, const char *prompt);
void present_skip_now(present_t *p);
void present_hang_up(present_t *p);

/* present_view.c: the view thread's body. */
void *present_view_main(void *arg);

#endif
