/* captions.h - live captions in a browser: a small read-only HTTP server
 * (libmicrohttpd) that serves a page built into the binary and streams the
 * stage events (stage.h) to it as server-sent events, each released when
 * the sink's clock (audio_position) reaches the sample it belongs to.
 *
 * Threads: captions_start/captions_stop on the main thread; its stage
 * subscriber runs on the publishing thread (synth, control) and only copies
 * under the captions lock; a pump thread of its own releases events on
 * time; libmicrohttpd runs one thread per connection, each reading the
 * shared bounded log through its own cursor. Nothing here ever waits on a
 * browser while holding the lock, so a stalled page delays nobody, and
 * memory is bounded: CAPTIONS_LOG events shared, CAPTIONS_CLIENT_BUF bytes
 * per page, at most CAPTIONS_CLIENTS_MAX pages; a page that falls more than
 * CAPTIONS_LOG events behind is closed (it reconnects and replays). */
#ifndef PURG_CAPTIONS_H
#define PURG_CAPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "audio.h"
#include "stage.h"

#define CAPTIONS_CLIENTS_MAX 64      /* event streams at once */
#define CAPTIONS_LOG 1024            /* released events kept for the pages */
#define CAPTIONS_PENDING 1024        /* events waiting for their sample */
#define CAPTIONS_SCROLLBACK 100      /* finished lines replayed to a new page */
#define CAPTIONS_CLIENT_BUF (32 * 1024) /* one page's output buffer */
#define CAPTIONS_DEFAULT_HOST "127.0.0.1"

/* "[ADDR:]PORT": ADDR an IPv4 address, "[IPv6]" or "localhost" (default
 * 127.0.0.1); PORT 0-65535 (0: any free port). Writes the address (without
 * brackets) into host. 0, or PURG_EINVAL with a sentence in err. */
int captions_parse_addr(const char *spec, char *host, size_t hostlen, int *port,
                        char *err, size_t errlen);

/* A Last-Event-ID header: a decimal number 1..2^63 without sign, spaces or
 * leading zeros, at most 19 digits. 0 or PURG_EINVAL. */
int captions_parse_event_id(const char *s, uint64_t *out);

/* JSON string body of s (no quotes) into out: ", \, control characters,
 * <, >, & and the line separators U+2028/2029 escaped; invalid UTF-8 bytes
 * become U+FFFD. At most n-1 bytes, always NUL-terminated, cut at a whole
 * character. Returns the length written. */
size_t captions_json_str(const char *s, char *out, size_t n);

/* UTF-16 code units in the first nbytes of UTF-8 s (a browser's string
 * index for a byte offset). */
size_t captions_utf16_len(const char *s, size_t nbytes);

typedef struct captions captions_t;

/* Subscribe to st (before it is sealed) and serve on spec ("[ADDR:]PORT").
 * a: the sink whose clock times the events. cmd names the subcommand in
 * messages. Prints where the page is, and a warning when ADDR is not a
 * loopback address. 0, or a negative code with a sentence in err. */
int captions_start(captions_t **out, const char *spec, stage_t *st, audio_t *a,
                   const char *cmd, char *err, size_t errlen);
/* The port served (useful with port 0). */
int captions_port(const captions_t *c);
/* Close every page and stop. The stage must have no publisher left running
 * (it still holds the subscription). NULL is fine. */
void captions_stop(captions_t *c);

/* Statistics, any thread: pages connected, pages closed for falling behind,
 * events released. */
typedef struct captions_stats {
    unsigned clients;
    unsigned long dropped_clients;
    unsigned long released;
} captions_stats_t;
void captions_stats(captions_t *c, captions_stats_t *st);

#endif
