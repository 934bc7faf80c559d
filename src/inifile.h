/* inifile.h - the one INI layer of the tree: reads an in-memory INI text through
 * inih and keeps the first problem as "FILE:LINE: message", made safe to
 * print. The voices file (voicefile.c), persona files (persona_def.c) and the
 * configuration file (config.c) all read through it, so they treat bad bytes,
 * long lines and syntax errors alike. Any thread; one inifile_t per parse.
 *
 * What every reader gets, before its own checks:
 *  - a line holding a control character (a C0 byte other than TAB, a NUL
 *    included; a CR other than the end of a CRLF; DEL; a C1 code point
 *    U+0080..U+009F) is refused: "control character ^@ (NUL) in the file";
 *  - a line longer than inih's buffer is refused: "line too long (max N bytes)";
 *  - a line that is neither [section], key = value nor a comment is refused:
 *    "syntax error (expected '[section]', 'key = value' or a ; comment)";
 *  - the problem on the earliest line wins, whoever found it (a problem of
 *    the file as a whole, line 0, only when there is no other); once there is
 *    one, the key handler is no longer called.
 * inifile_read reads such a file whole, refusing what is not a regular file
 * or is larger than INIFILE_MAX_BYTES, the same way for all three. */
#ifndef PURG_INIFILE_H
#define PURG_INIFILE_H

#include <stddef.h>
#include <sys/stat.h>

#define INIFILE_ERR_MAX 512         /* bytes of a recorded message, with its NUL */
#define INIFILE_MAX_BYTES (1 << 20) /* a larger file is refused: it is not an INI file of ours */

typedef struct inifile inifile_t;

/* Called for each key = value of the file (section "" before the first
 * [section]). Returns 0, or a negative PURG_E* code after recording why with
 * inifile_fail (a handler that returns one without recording gets a generic
 * "bad line"). Text from the file may go into the message as it is: the
 * message is made visible as a whole. */
typedef int (*inifile_key_fn)(inifile_t *ini, void *user, const char *section, const char *name,
                              const char *value);

struct inifile {
    /* read-only for handlers */
    const char *name;  /* the file's name, for messages */
    int line;          /* 1-based line being read (after the parse: the last) */
    int rc;            /* the first problem's code; 0 while there is none */
    int err_line;      /* its line; 0: the file as a whole */
    char err[INIFILE_ERR_MAX]; /* its message, without FILE:LINE, no control byte */
    /* private */
    const char *text;  /* the whole file, not NUL-terminated */
    size_t len, pos;
    inifile_key_fn fn;
    void *user;
};

/* Parse text[0..len) (it need not be NUL-terminated; NUL bytes are refused
 * like other control characters), named name in messages, calling fn for
 * each key. Returns ini->rc: 0, or the code of the first problem. */
int inifile_parse(inifile_t *ini, const char *name, const char *text, size_t len, inifile_key_fn fn,
                   void *user);

/* Read the file at path whole, for inifile_parse: *text (malloc'd, the
 * caller frees it; NUL-terminated after its *len bytes). Refuses at once what
 * is not a regular file (a FIFO would block until a writer comes, a device
 * might never end) and a file larger than max bytes (0: INIFILE_MAX_BYTES;
 * whole MiB). what names the kind of file in messages ("voices file"). st
 * (may be NULL) receives the file's stat. 0, or with "PATH: problem" in err:
 * PURG_ENOTFOUND (no such file), PURG_EINVAL (not a regular file),
 * PURG_ETOOBIG, PURG_EIO, PURG_ENOMEM. */
int inifile_read(const char *path, const char *what, size_t max, char **text, size_t *len,
                 struct stat *st, char *err, size_t errlen);

/* THE error helper: records a problem at line (0: the file as a whole) with
 * code rc (< 0) and the printf-style message, unless a problem on an earlier
 * or the same line is already recorded (line 0 only when none is). The
 * message is made visible (util_visible): control bytes from the file show
 * as ^X, <U+XXXX> or \xNN. Returns rc, so a handler can `return inifile_fail(...)`. */
int inifile_fail_at(inifile_t *ini, int line, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* inifile_fail_at on the line being read. */
#define inifile_fail(ini, rc, ...) inifile_fail_at((ini), (ini)->line, (rc), __VA_ARGS__)

/* The recorded problem as "FILE:LINE: message" ("FILE: message" for line 0)
 * into buf, the file name made visible too. Returns ini->rc. */
int inifile_error(const inifile_t *ini, char *buf, size_t n);

#endif
