/* check.h - a minimal assertion kit for unit tests: CHECK prints the failing
 * expression with file and line and counts it; check_done() gives the exit code. */
#ifndef PURG_CHECK_H
#define PURG_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(expr) do { \
    check_count++; \
    if (!(expr)) { \
        check_failures++; \
        fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr); \
    } \
} while (0)

#define CHECK_STREQ(a, b) do { \
    const char *check_a_ = (a), *check_b_ = (b); \
    check_count++; \
    if (check_a_ == NULL || check_b_ == NULL || strcmp(check_a_, check_b_) != 0) { \
        check_failures++; \
        fprintf(stderr, "%s:%d: CHECK_STREQ failed: %s == \"%s\", expected \"%s\"\n", \
                __FILE__, __LINE__, #a, check_a_ ? check_a_ : "(null)", \
                check_b_ ? check_b_ : "(null)"); \
    } \
} while (0)

static inline int check_done(void)
{
    fprintf(stderr, "%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}

#endif
