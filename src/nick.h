/* nick.h - the one IRC case mapping (rfc1459) for nicks and channel names:
 * A-Z -> a-z and [ ] \ ~ -> { } | ^, as the servers compare them. Every
 * module that compares or keys nicks uses these. Pure functions, any thread. */
#ifndef PURG_NICK_H
#define PURG_NICK_H

#include <stddef.h>

/* The rfc1459 lower case of one character. */
char nick_fold_char(char c);
/* s case-mapped into out (n bytes, cut to fit, NUL-terminated when n > 0). */
void nick_fold(const char *s, char *out, size_t n);
/* True when a[0..an) and b[0..bn) are the same nick under the mapping. */
int nick_eq_n(const char *a, size_t an, const char *b, size_t bn);
/* The same for NUL-terminated nicks. */
int nick_eq(const char *a, const char *b);
/* True when the NUL-terminated s starts with prefix[0..n) under the mapping
 * (like strncasecmp(s, prefix, n) == 0, but rfc1459). */
int nick_prefix(const char *s, const char *prefix, size_t n);

#endif
