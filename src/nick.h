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

/* IRC mask matching, as servers match bans and masks: '*' is any run of
 * characters, '?' any one, everything else itself under the mapping ("[x]*"
 * matches "{X}y": brackets are nick characters, not a set). True when the
 * whole of s matches mask. */
int nick_match(const char *mask, const char *s);
/* Whether a --ignore style pattern names a speaker. A pattern without '!' or
 * '@' is a nick mask, matched against nick. One with them is a hostmask,
 * matched against full ("nick!user@host"); when the server did not say who
 * the speaker is (full NULL or without '!'), such a pattern matches only if
 * it accepts any user@host ("bob!*", "bob!*@*") and its nick part matches. */
int nick_pattern_match(const char *pattern, const char *nick, const char *full);

#endif
