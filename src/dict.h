/* dict.h - the pronunciation dictionary: words and abbreviations said the way
 * the presenter wants ("brb" -> "be right back", "k8s" -> "kubernetes"), per
 * language. Loaded on the main thread; used and reloaded by one thread (the
 * net thread of `listen`, the demo's loop).
 *
 * File format: INI, read through the tree's one INI layer (inifile.h), so
 * comments, bad bytes, long lines and syntax errors are treated as in the
 * voices and config files:
 *   [en]                  the entries below are for lines in English
 *   [*]                   ... for lines in any language (also the start)
 *   WORD = SAID           whole word: WORD is not part of a longer word
 *                         (letters and digits around it); a WORD written in
 *                         lower case matches any case (lol, LOL, Lol), one
 *                         with a capital matches exactly (IT, not "it");
 *                         WORD holds no space, '=' or ':'
 *   regex = /REGEX/ SAID  a POSIX extended regular expression (regcomp);
 *   regex = /REGEX/i SAID i: ignoring case; SAID may use \1..\9 (and \\)
 * Word entries apply first, in file order, then the regular expressions,
 * each once over the line. A bad line (no '=', an empty side, a bad
 * regular expression, an unknown section, control characters, a line too
 * long for inih) is an error "FILE:LINE: ..."; the file is then not used (a
 * reload keeps the previous dictionary). */
#ifndef PURG_DICT_H
#define PURG_DICT_H

#include <stddef.h>

#define DICT_ENTRIES_MAX 10000

typedef struct dict dict_t;

/* Load path; 0, or a negative code with "FILE:LINE: problem" (or "FILE:
 * reason") in err. */
int dict_load(dict_t **out, const char *path, char *err, size_t errlen);
/* Parse text[0..len) (name in messages); for the fuzzer and the voices file. */
int dict_parse_string(dict_t **out, const char *name, const char *text, size_t len, char *err,
                      size_t errlen);
void dict_free(dict_t *d);

/* Re-read the file dict_load read. On error d stays as it was. */
int dict_reload(dict_t *d, char *err, size_t errlen);
/* 1 when the file changed (inode, size, mtime) since the last (re)load. */
int dict_file_changed(const dict_t *d);
const char *dict_path(const dict_t *d);
size_t dict_size(const dict_t *d);

/* Rewrite in (a line in language lang, e.g. "en"; NULL or "" = only the
 * [*] entries) into out (outlen bytes, NUL-terminated, cut at a character
 * boundary when it does not fit). d may be NULL (copies). Returns the length. */
size_t dict_apply(const dict_t *d, const char *lang, const char *in, char *out, size_t outlen);

#endif
