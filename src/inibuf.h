/* inibuf.h - an in-memory text as a line source for inih's ini_parse_stream,
 * shared by every INI parser of the tree (voices, personas, config). Any thread;
 * one inibuf_t per parse. */
#ifndef PURG_INIBUF_H
#define PURG_INIBUF_H

#include <stddef.h>

typedef struct inibuf {
    const char *text;   /* the whole file, not NUL-terminated */
    size_t len, pos;
    int line;           /* 1-based number of the line last handed out */
    int truncated;      /* that line did not fit inih's buffer and was cut */
    int had_nul;        /* that line held a NUL byte (handed out as a space) */
    int ctl;            /* that line's first control character: a C0 byte other
                         * than TAB (and the CR of a CRLF end), DEL, or a C1 code
                         * point (U+0080..U+009F); -1 when it has none */
} inibuf_t;

void inibuf_init(inibuf_t *b, const char *text, size_t len);

/* Copy the next line (with its '\n') into str (num bytes), the way fgets
 * would; NUL bytes become spaces so inih never sees a line end early.
 * Returns str, or NULL at the end. Sets line, truncated, had_nul and ctl. */
char *inibuf_read(inibuf_t *b, char *str, int num);

/* Describes b->ctl (>= 0) for an error message, with no control byte in it:
 * "control character ^@ (NUL) in the file". The parsers of voices, config and
 * persona files refuse such a line with FILE:LINE and this text. */
void inibuf_ctl_describe(const inibuf_t *b, char *buf, size_t n);

#endif
