/* nick.h - the one IRC case mapping for nicks and channel names, as the
 * server compares them: rfc1459 (A-Z -> a-z and [ ] \ ~ -> { } | ^) unless
 * the server says otherwise in ISUPPORT CASEMAPPING (ngircd: ascii, A-Z
 * only). Every module that compares or keys nicks uses these. Functions of
 * their arguments and of the one process-wide mapping; any thread. */
#ifndef PURG_NICK_H
#define PURG_NICK_H

#include <stddef.h>

/* The process-wide case mapping: rfc1459 until a server names another.
 * nick_set_casemapping takes ISUPPORT's CASEMAPPING value: "rfc1459",
 * "strict-rfc1459" (~ and ^ differ), "ascii"; any other ("rfc8265", ...)
 * folds as ascii (its rules beyond ASCII are not known here). The net thread
 * sets it from the server's 005 reply, which comes before any join, so no
 * nick has been keyed yet; every connection of the process is to the same
 * network. Read with a relaxed atomic load anywhere. Returns the mapping set. */
typedef enum { NICK_RFC1459 = 0, NICK_STRICT_RFC1459 = 1, NICK_ASCII = 2 } nick_casemap_t;
nick_casemap_t nick_set_casemapping(const char *name);
nick_casemap_t nick_casemapping(void);

/* The lower case of one character under the mapping. */
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
