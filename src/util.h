/* util.h - small helpers shared by all modules: clocks, checked string copies,
 * UTF-8 validation, text made safe to print. All are reentrant and may be called from any thread
 * (the audio callback may call util_now_ns only). */
#ifndef PURG_UTIL_H
#define PURG_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define NS_PER_S 1000000000LL /* nanoseconds in a second: the unit of every clock here */

/* Monotonic clock in nanoseconds. Lock-free, no allocation. */
int64_t util_now_ns(void);

/* Name the calling thread ("purg-synth"), as top -H and /proc/PID/task/TID/comm
 * show it. At most 15 bytes; a no-op where the system has no such name. */
void util_thread_name(const char *name);

/* The calling thread's name, "" where there is none; n >= 16 holds it all. */
void util_thread_name_get(char *buf, size_t n);

/* 1 when the program runs with a terminal: stdin or stdout is a terminal
 * and the process has a controlling terminal (/dev/tty opens). Then SIGHUP
 * means the terminal hung up (stop); without one (a service manager, nohup,
 * stdin and stdout redirected) SIGHUP asks for a reload. Decide once, at
 * start: after a hangup /dev/tty no longer opens. */
int util_has_terminal(void);

/* What a file of st_mode m is, for a message: "a FIFO", "a character device",
 * "a block device", "a socket", "a directory", "a regular file", or "not a
 * regular file". */
const char *util_file_kind(unsigned m);

/* fsync the directory that holds path (after a rename into it, so the new
 * name survives a crash). 0, PURG_ETOOBIG for a path too long, PURG_EIO. */
int util_fsync_dir(const char *path);

/* Replacing a file whole, so that a crash leaves the old file or the new
 * one, never a part: util_atomic_begin creates a temporary file beside path
 * (path.tmp.XXXXXX, with mode) for the caller to write through fd;
 * util_atomic_commit syncs it, closes it, renames it over path and syncs the
 * directory; util_atomic_abort closes and removes it. Both return 0 or a
 * PURG_E* code with a sentence in err ("cannot write PATH: REASON"); after a
 * failed commit the temporary file is gone, and renamed says whether path
 * already holds the new content (only the directory sync failed). */
typedef struct util_atomic {
    int fd;
    int renamed;
    const char *path;   /* borrowed: must outlive the commit */
    char tmp[4096];
} util_atomic_t;

int util_atomic_begin(util_atomic_t *a, const char *path, unsigned mode, char *err, size_t errlen);
int util_atomic_commit(util_atomic_t *a, char *err, size_t errlen);
void util_atomic_abort(util_atomic_t *a);

/* Copy src into dst (size n > 0), always NUL-terminated.
 * Returns 0, or PURG_ETOOBIG when src was truncated. */
int util_strlcpy(char *dst, const char *src, size_t n);

/* snprintf that returns 0, or PURG_ETOOBIG on truncation, PURG_EINVAL on error. */
int util_snprintf(char *dst, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Length of the valid UTF-8 sequence at s[0..len), or 0 if s does not start
 * with one (overlong forms, surrogates and code points above U+10FFFF are invalid). */
size_t util_utf8_seq(const unsigned char *s, size_t len);

/* The code point of the n-byte sequence at s, where n = util_utf8_seq(s, ...) > 0. */
uint32_t util_utf8_decode(const unsigned char *s, size_t n);

/* True when s[0..len) is entirely valid UTF-8. */
bool util_utf8_valid(const char *s, size_t len);

#define UTIL_VIS_MAX 1024  /* a handy buffer size for one printed field */

/* Copy s[0..len) into out (outlen > 0 bytes, always NUL-terminated, cut at a
 * character boundary when it does not fit, with "..." at the end when cut) made
 * harmless for a terminal, a log or an error message: valid UTF-8 printable text is
 * kept; C0 controls and DEL become caret notation (ESC -> "^[", BEL -> "^G", NUL -> "^@",
 * TAB -> "^I", DEL -> "^?"); C1 controls (U+0080..U+009F) and the bidi / invisible
 * formatting characters (U+200B..U+200F, U+202A..U+202E, U+2066..U+2069, U+FEFF, U+061C)
 * become "<U+XXXX>"; bytes that are not valid UTF-8 become "\xNN". Returns out.
 * The output is valid UTF-8 with no C0, DEL or C1 byte, and the function is
 * idempotent: its output, made visible again, comes back unchanged (when it fits). */
const char *util_visible_n(char *out, size_t outlen, const char *s, size_t len);

/* The same for a NUL-terminated string (NULL prints as "(null)"). */
const char *util_visible(char *out, size_t outlen, const char *s);

#endif
