/* corpus.h - training-text readers: plain text (one utterance per line) and
 * IRC logs of irssi, weechat and ZNC, with a nick filter; any thread (no
 * shared state: each call reads with its own buffer).
 *
 * Each usable utterance is handed to a callback; bad lines (invalid UTF-8,
 * NUL bytes, lines over max_line bytes) are skipped and counted, never fatal.
 * From IRC logs only ordinary messages are taken: joins, parts, quits, mode
 * changes, nick changes, notices, actions and day/log markers are skipped,
 * timestamps and nick prefixes removed, mIRC formatting codes stripped. */
#ifndef PURG_CORPUS_H
#define PURG_CORPUS_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    CORPUS_PLAIN = 0,
    CORPUS_IRSSI,    /* "12:34 <@nick> text" (seconds optional) */
    CORPUS_WEECHAT,  /* "2024-01-02 12:34:56<TAB>@nick<TAB>text" */
    CORPUS_ZNC       /* "[12:34:56] <nick> text" */
} corpus_format_t;

#define CORPUS_MAX_LINE_DEFAULT 4096
#define CORPUS_MAX_NICKS 32

/* Called once per utterance; line is NUL-terminated (len excludes the NUL)
 * and valid only during the call. Return 0 to go on, or a negative PURG_E*
 * code to stop reading with that code. */
typedef int (*corpus_line_fn)(void *ud, const char *line, size_t len);

typedef struct corpus_opts {
    corpus_format_t format;
    const char *const *nicks;  /* take only these speakers (IRC formats); NULL/0: everyone */
    size_t nnicks;             /* at most CORPUS_MAX_NICKS */
    size_t max_line;           /* 0: CORPUS_MAX_LINE_DEFAULT bytes */
    /* called now and then with bytes read so far and the file size (0 if unknown) */
    void (*progress)(void *ud, uint64_t done, uint64_t total);
} corpus_opts_t;

/* Counters; a reader adds to them (so several files can share one). */
typedef struct corpus_stats {
    uint64_t bytes;         /* bytes read */
    uint64_t lines;         /* lines seen */
    uint64_t used;          /* utterances passed to the callback */
    uint64_t bad_utf8;      /* skipped: invalid UTF-8 */
    uint64_t nul;           /* skipped: contained a NUL byte */
    uint64_t too_long;      /* skipped: longer than max_line */
    uint64_t events;        /* skipped: not a message (join, mode, action, marker ...) */
    uint64_t other_nick;    /* skipped: a speaker not asked for */
    uint64_t blank;         /* skipped: empty once cleaned */
    uint64_t unparsed;      /* skipped: not in the expected log format */
} corpus_stats_t;

/* "plain", "irssi", "weechat", "znc" -> *out; PURG_EINVAL otherwise. */
int corpus_format_parse(const char *name, corpus_format_t *out);
const char *corpus_format_name(corpus_format_t f);

/* Reads a file ("-" is standard input). PURG_ENOTFOUND / PURG_EIO when it
 * cannot be read (errno tells why), PURG_EINVAL for bad options or a path
 * that is not a regular file (a FIFO, a device, a directory: refused at once,
 * never waited on), or the callback's code. An empty file is not an error: st->lines stays 0. */
int corpus_read_file(const char *path, const corpus_opts_t *o, corpus_line_fn fn, void *ud,
                     corpus_stats_t *st);
/* Same over a buffer (which may contain anything). */
int corpus_read_mem(const char *buf, size_t len, const corpus_opts_t *o, corpus_line_fn fn,
                    void *ud, corpus_stats_t *st);

/* Total of the skipped counters. */
uint64_t corpus_skipped(const corpus_stats_t *st);

#endif
