/* purg.h - the one error convention of the tree, shared by every module and thread.
 *
 * Functions return 0 on success or a negative PURG_E* code; purg_strerror()
 * gives each code its message. Only main() exits; modules report upward. */
#ifndef PURG_H
#define PURG_H

#include <stddef.h>

/* The codes and their messages, in one list so they cannot disagree:
 * X(NAME, value, message). Values are consecutive from 0 downwards. */
#define PURG_ERRORS(X)                                                       \
    X(OK, 0, "success")                                                      \
    X(ENOMEM, -1, "out of memory")                                           \
    X(EINVAL, -2, "invalid argument or malformed input")                     \
    X(EIO, -3, "input/output error") /* see errno where it matters */        \
    X(EFULL, -4, "queue or buffer full")                                     \
    X(EEMPTY, -5, "nothing to take")                                         \
    X(ECLOSED, -6, "closed")            /* the queue or stream */            \
    X(ENODEV, -7, "no audio output device")                                  \
    X(EAUDIO, -8, "audio backend failed")                                    \
    X(ESYNTH, -9, "speech synthesis failed") /* espeak-ng */                 \
    X(ENET, -10, "network or IRC failure")                                   \
    X(ENOTFOUND, -11, "not found")      /* no such file, voice, key ... */   \
    X(EFORMAT, -12, "bad file format, version or checksum")                  \
    X(ETOOBIG, -13, "input exceeds a limit")                                 \
    X(EDENIED, -14, "refused by policy") /* e.g. the command guard */        \
    X(ETIMEOUT, -15, "timed out")

#define PURG_ENUM_(name, value, msg) PURG_##name = (value),
#define PURG_INDEX_(name, value, msg) PURG_I_##name,
enum { PURG_ERRORS(PURG_ENUM_) };
enum { PURG_ERRORS(PURG_INDEX_) PURG_NCODES_ }; /* PURG_I_X: X's place in the list */
enum { PURG_ECOUNT_ = -PURG_NCODES_ };          /* one past the last code */
#undef PURG_ENUM_
#undef PURG_INDEX_

/* The one return convention of option handlers: netopts_opt, present_opt
 * (one option each) and each subcommand's parse_opts (the whole command line).
 * A handler that stops the run has already said why on stderr (or printed
 * the help); PURG_OPT_EXIT gives the exit status. */
typedef enum purg_opt {
    PURG_OPT_GO = 0,       /* taken (parse_opts: all parsed): go on */
    PURG_OPT_NOT_MINE = 1, /* not this handler's option: try the next one */
    PURG_OPT_HELP = 2,     /* the help was asked for and printed: exit 0 */
    PURG_OPT_ERROR = 3     /* a bad option, said on stderr: exit 2 */
} purg_opt_t;
#define PURG_OPT_EXIT(r) ((r) == PURG_OPT_HELP ? 0 : 2)

/* Message for an error code; never NULL. */
const char *purg_strerror(int rc);

#endif
