/* datadir.h - where purgatory's data (voices/, demo/) lies at run time; any
 * thread (reads only the environment, /proc/self/exe and one small file).
 *
 * No absolute path is compiled in. The data directory is, in this order:
 *   1. $PURG_DATA_DIR, when set and not empty;
 *   2. <directory of the binary>/PURG_BIN_TO_DATA (an installed binary:
 *      bin/purgatory finds share/purgatory), when that is a directory;
 *   3. in a build tree, the source tree named by the file
 *      purgatory-source-dir next to the binary (CMake writes it there;
 *      nothing installs it). */
#ifndef PURG_DATADIR_H
#define PURG_DATADIR_H

#include <stddef.h>

/* The running binary's path (from /proc/self/exe) into out. 0, PURG_ENOTFOUND
 * when it cannot be read, PURG_ETOOBIG when it does not fit. */
int datadir_self_exe(char *out, size_t outlen);

/* The data directory into out (no trailing slash). 0, or PURG_ENOTFOUND with
 * the places tried in why (may be NULL), or PURG_ETOOBIG. */
int datadir_find(char *out, size_t outlen, char *why, size_t whylen);

#endif
