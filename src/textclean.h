/* textclean.h - IRC message text -> speakable text. Pure functions; net thread. */
#ifndef PURG_TEXTCLEAN_H
#define PURG_TEXTCLEAN_H

#include <stddef.h>

typedef struct textclean_opts {
    size_t max_chars;  /* cap on the cleaned text, in bytes (0 = default 300) */
} textclean_opts_t;

/* Clean in[0..inlen) into out (outlen bytes, NUL-terminated, valid UTF-8).
 * Returns the length written (>= 0), or 0 when nothing speakable is left
 * (the caller drops the line), or a negative PURG_E* code. Never reads past inlen. */
int textclean_clean(const textclean_opts_t *o, const char *in, size_t inlen,
                    char *out, size_t outlen);

#endif
