/* lockcheck.h - lock rules asserted where they are assumed, in every build
 * (NDEBUG or not): a function that needs a lock held says so with
 * LOCK_ASSERT(held), and a broken rule stops the program with file and line
 * instead of racing silently. Any thread; header only. A lock that wants
 * checking notes its holder (lockcheck_self()) in an atomic after locking
 * and clears it before unlocking (or waiting on a condition). */
#ifndef PURG_LOCKCHECK_H
#define PURG_LOCKCHECK_H

#include <stdio.h>
#include <stdlib.h>

/* An address unique to the calling thread (for "who holds the lock"). */
static inline const void *lockcheck_self(void)
{
    static _Thread_local char me;
    return &me;
}

static inline _Noreturn void lockcheck_fail(const char *what, const char *file, int line)
{
    fprintf(stderr, "purgatory: %s:%d: lock rule broken: %s\n", file, line, what);
    abort();
}

#define LOCK_ASSERT(cond) ((cond) ? (void)0 : lockcheck_fail(#cond, __FILE__, __LINE__))

#endif
