/* learn.h - what a persona learned from the people in its channels: the
 * learned-lines file beside its model, read, capped, saved atomically and
 * pruned per person; one thread at a time (a persona's, or main for the CLI).
 *
 * DESIGN
 * Learning never changes the trained model file. Each line a persona learns
 * (markov_learn, in memory) is also kept here with who said it and when,
 * and saved to MODEL.learned; at start-up the lines are learned again from
 * that file. So what was learned from one person can be removed by deleting
 * their lines (learn_forget, `purgatory train --forget NICK`), and deleting
 * the file forgets everything.
 *
 * The file is UTF-8 text:
 *   # purgatory learned lines 1
 *   NICK<TAB>UNIX-SECONDS<TAB>TEXT
 * one line each, oldest first. A line that does not parse (a nick that is
 * not an IRC nick, a time that is not a number, text with control
 * characters or invalid UTF-8, too long) is skipped and counted; a file
 * without the first line is not a learned-lines file. At most LEARN_MAX_LINES
 * lines are kept: the oldest go first. */
#ifndef PURG_LEARN_H
#define PURG_LEARN_H

#include <stddef.h>
#include <stdint.h>

#define LEARN_MAGIC "# purgatory learned lines 1"
#define LEARN_MAX_LINES 2000
#define LEARN_TEXT_MAX 400   /* bytes of one learned line */
#define LEARN_NICK_MAX 31
#define LEARN_FILE_MAX (4u << 20)

typedef struct learn_entry {
    char nick[LEARN_NICK_MAX + 1];
    int64_t t;                    /* unix seconds */
    char *text;                   /* owned, NUL-terminated */
} learn_entry_t;

typedef struct learn {
    learn_entry_t *e;             /* a ring of cap entries: oldest at e[(head) % cap] */
    size_t n, cap, head;
    size_t bad;                   /* lines skipped by the last load */
    int dirty;                    /* changed since the last save */
} learn_t;

/* An empty store (never fails: memory is taken as lines come). */
void learn_init(learn_t *l);
void learn_clear(learn_t *l);

/* Parses a learned-lines file's bytes into l (added after what it holds).
 * PURG_EFORMAT when the first line is not LEARN_MAGIC; bad lines are
 * skipped and counted in l->bad. */
int learn_parse(learn_t *l, const char *buf, size_t len);
/* learn_parse of a file; PURG_ENOTFOUND when it does not exist (an empty
 * store: nothing learned yet), PURG_EIO, PURG_ETOOBIG over LEARN_FILE_MAX. */
int learn_load(learn_t *l, const char *path, char *err, size_t errlen);

/* Keeps one line (copied). PURG_EINVAL for a bad nick or text (as the
 * parser would skip it); the oldest line goes when LEARN_MAX_LINES are held. */
int learn_add(learn_t *l, const char *nick, int64_t t, const char *text);
/* The i-th line, oldest first (i < l->n). */
const learn_entry_t *learn_get(const learn_t *l, size_t i);
/* Drops every line of nick (IRC case mapping); returns how many. */
size_t learn_forget(learn_t *l, const char *nick);

/* Writes the store atomically: a temporary file beside path, fsync, rename,
 * fsync of the directory; path is untouched on error. Clears dirty. */
int learn_save(learn_t *l, const char *path, char *err, size_t errlen);

/* Whether text may be learned at all: valid UTF-8, no control characters,
 * not empty, at most LEARN_TEXT_MAX bytes. */
int learn_text_ok(const char *text);

#endif
