/* voicemap.h - nick -> voice: a stable hash of the normalized nick into a voice
 * pool, overrides, and roster-aware distinctness. Net thread only (the `voices`
 * subcommand uses it from main). */
#ifndef PURG_VOICEMAP_H
#define PURG_VOICEMAP_H

#include <stddef.h>
#include <stdint.h>
#include "voice.h"

typedef struct voicemap voicemap_t;

/* Load a voices file (INI). path NULL = the built-in default pool.
 * salt NULL = the file's salt (or none). On error returns a negative code
 * and writes "FILE:LINE: problem" into err (errlen bytes). */
int voicemap_load(voicemap_t **out, const char *path, const char *salt,
                  char *err, size_t errlen);
void voicemap_free(voicemap_t *m);

/* The voice of nick as heard in channel (channel may be NULL: no roster). */
int voicemap_lookup(voicemap_t *m, const char *channel, const char *nick, voice_t *out);

/* Roster tracking (see voicemap.c for the distinctness rule). */
void voicemap_join(voicemap_t *m, const char *channel, const char *nick);
void voicemap_part(voicemap_t *m, const char *channel, const char *nick);
void voicemap_quit(voicemap_t *m, const char *nick);
void voicemap_rename(voicemap_t *m, const char *oldnick, const char *newnick);

#endif
