/* purg.c - the error message table behind purg_strerror(); any thread. */
#include "purg.h"

/* Indexed by -code; built from PURG_ERRORS, like the enum. */
#define PURG_MSG_(name, value, msg) [-(value)] = msg,
static const char *const messages[] = { PURG_ERRORS(PURG_MSG_) };
#undef PURG_MSG_

/* The values run 0, -1, -2, ... in the list's order, so -code indexes it. */
#define PURG_CHECK_(name, value, msg) \
    _Static_assert(PURG_##name == -PURG_I_##name, "PURG_ERRORS: " #name " out of sequence");
PURG_ERRORS(PURG_CHECK_)
#undef PURG_CHECK_
_Static_assert(sizeof messages / sizeof messages[0] == PURG_NCODES_, "PURG_ERRORS: table size");

const char *purg_strerror(int rc)
{
    if (rc > 0 || rc <= PURG_ECOUNT_)
        return "unknown error";
    return messages[-rc];
}
