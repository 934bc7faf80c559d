/* control.h - the presenter's controls: a small command set read from the
 * keyboard (raw terminal mode, when stdin is a terminal) and from a named
 * pipe (--control FIFO, one command per line), on one control thread.
 *
 * Control is local only: keys typed at this terminal, or lines written into
 * a FIFO the user named. Nothing heard from IRC ever reaches this module.
 *
 * Commands (FIFO syntax; keys in control.c's key table):
 *   skip | clear | pause | resume | toggle | volume +N | volume -N |
 *   volume N | mute NICK | unmute NICK | quit
 */
#ifndef PURG_CONTROL_H
#define PURG_CONTROL_H

#include <stddef.h>

#define CONTROL_NICK_MAX 64
#define CONTROL_LINE_MAX 256

typedef enum control_kind {
    CTL_SKIP,    /* stop the current line now */
    CTL_CLEAR,   /* drop every queued line */
    CTL_PAUSE,
    CTL_RESUME,
    CTL_TOGGLE,  /* pause or resume */
    CTL_VOLUME,  /* relative (delta) or absolute (set >= 0) */
    CTL_MUTE,
    CTL_UNMUTE,
    CTL_QUIT,
    CTL_HANGUP   /* the keyboard's terminal hung up (read gave EIO or end of
                  * file); never parsed from the FIFO */
} control_kind_t;

typedef struct control_cmd {
    control_kind_t kind;
    int delta;                   /* CTL_VOLUME: percent points to add */
    int set;                     /* CTL_VOLUME: absolute percent, or -1 */
    char nick[CONTROL_NICK_MAX]; /* CTL_MUTE / CTL_UNMUTE */
} control_cmd_t;

/* Parse one FIFO line (surrounding spaces ignored). 0, or PURG_EINVAL. */
int control_parse(const char *line, control_cmd_t *out);

/* Called on the control thread for each command. */
typedef void (*control_fn)(void *ctx, const control_cmd_t *cmd);
/* Called on the control thread when the keyboard prompt changes ("" when
 * it closed), so the view can show what is being typed. May be NULL. */
typedef void (*control_prompt_fn)(void *ctx, const char *prompt);

typedef struct control control_t;

/* Start the control thread. fifo: path of the named pipe (created 0600 when
 * missing; an existing file that is not a FIFO is refused), or NULL.
 * keyboard: read keys from stdin (which must be a terminal; it is put in
 * raw mode and restored by control_stop). When reading it fails for good
 * (the terminal hung up) fn gets one CTL_HANGUP and the keys are over. On failure returns a negative
 * code and a sentence in err. */
int control_start(control_t **out, const char *fifo, int keyboard, control_fn fn,
                  control_prompt_fn prompt_fn, void *ctx, char *err, size_t errlen);

/* Stop the thread and restore the terminal. NULL is fine. */
void control_stop(control_t *c);

/* Feed raw key bytes through the key decoder (the control thread does this
 * with what it reads from stdin; tests call it directly). */
void control_keys(control_t *c, const char *bytes, size_t n);

/* The key bindings, for --help, the view and the man page. */
extern const char control_key_help[];

#endif
