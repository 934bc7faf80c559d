/* purg.h - the one error convention of the tree, shared by every module and thread.
 *
 * Functions return 0 on success or a negative PURG_E* code; purg_strerror()
 * gives each code its message. Only main() exits; modules report upward. */
#ifndef PURG_H
#define PURG_H

#include <stddef.h>

enum {
    PURG_OK = 0,
    PURG_ENOMEM = -1,     /* out of memory */
    PURG_EINVAL = -2,     /* invalid argument or malformed input */
    PURG_EIO = -3,        /* I/O error (see errno where it matters) */
    PURG_EFULL = -4,      /* a bounded queue or buffer is full */
    PURG_EEMPTY = -5,     /* nothing to take */
    PURG_ECLOSED = -6,    /* the queue or stream was closed */
    PURG_ENODEV = -7,     /* no audio output device */
    PURG_EAUDIO = -8,     /* audio backend failed */
    PURG_ESYNTH = -9,     /* espeak-ng failed */
    PURG_ENET = -10,      /* network or IRC failure */
    PURG_ENOTFOUND = -11, /* no such file, voice, key ... */
    PURG_EFORMAT = -12,   /* bad file format, version or checksum */
    PURG_ETOOBIG = -13,   /* input exceeds a limit */
    PURG_EDENIED = -14,   /* refused by policy (e.g. the command guard) */
    PURG_ETIMEOUT = -15,  /* gave up waiting */
    PURG_ECOUNT_ = -16    /* one past the last code */
};

/* Message for an error code; never NULL. */
const char *purg_strerror(int rc);

#endif
