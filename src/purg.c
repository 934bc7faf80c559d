/* purg.c - the error message table behind purg_strerror(); any thread. */
#include "purg.h"

static const char *const messages[] = {
    "success",
    "out of memory",
    "invalid argument or malformed input",
    "input/output error",
    "queue or buffer full",
    "nothing to take",
    "closed",
    "no audio output device",
    "audio backend failed",
    "speech synthesis failed",
    "network or IRC failure",
    "not found",
    "bad file format, version or checksum",
    "input exceeds a limit",
    "refused by policy",
    "timed out",
};

const char *purg_strerror(int rc)
{
    if (rc > 0 || rc <= PURG_ECOUNT_)
        return "unknown error";
    return messages[-rc];
}
