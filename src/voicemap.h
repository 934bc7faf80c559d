/* voicemap.h - nick -> voice: a stable hash of the normalized nick into a voice
 * pool, overrides, and roster-aware distinctness. Net thread only (the `voices`
 * subcommand uses it from main). */
#ifndef PURG_VOICEMAP_H
#define PURG_VOICEMAP_H

#include <stddef.h>
#include <stdint.h>
#include "phrases.h"
#include "voice.h"

typedef struct voicemap voicemap_t;

/* Load a voices file (INI). path NULL = the built-in default pool.
 * salt NULL = the file's salt (or none). On error returns a negative code
 * and writes "FILE:LINE: problem" into err (errlen bytes). */
int voicemap_load(voicemap_t **out, const char *path, const char *salt,
                  char *err, size_t errlen);
void voicemap_free(voicemap_t *m);
/* As voicemap_load; check_voices 0 skips looking voices up in espeak-ng's
 * data (for `voices check`, which reports every unknown voice itself). */
int voicemap_load_opts(voicemap_t **out, const char *path, const char *salt, int check_voices,
                       char *err, size_t errlen);

/* Pins nick (compared after normalization) to a voice at run time, e.g. a
 * persona's own voice: spec is a pool voice id or "VOICE [PITCH [RANGE
 * [RATE [PAN]]]]". A run-time pin wins over the file's [overrides], survives
 * voicemap_reload, and pinning the same nick again replaces it. Returns 0,
 * PURG_EINVAL (bad spec), PURG_ENOTFOUND (espeak-ng lacks the voice),
 * PURG_ETOOBIG or PURG_ENOMEM, with a sentence in err. */
int voicemap_pin(voicemap_t *m, const char *nick, const char *spec, char *err, size_t errlen);

/* The voice of nick as heard in channel (channel may be NULL: no roster). */
int voicemap_lookup(voicemap_t *m, const char *channel, const char *nick, voice_t *out);

/* Roster tracking (see voicemap.c for the distinctness rule). */
void voicemap_join(voicemap_t *m, const char *channel, const char *nick);
void voicemap_part(voicemap_t *m, const char *channel, const char *nick);
void voicemap_quit(voicemap_t *m, const char *nick);
void voicemap_rename(voicemap_t *m, const char *oldnick, const char *newnick);

/* ---- additions ---------------------------------------------------------- */

#define VOICEMAP_NICK_MAX 64  /* bytes of a nick that count (longer ones are cut) */
#define VOICEMAP_CHAN_MAX 128 /* bytes of a channel name that count */
#define VOICEMAP_SPEC_MAX 128 /* "voice pitch range rate pan" */
#define VOICEMAP_SALT_MAX 128

/* A NAMES reply: every nick (mode prefixes @+%~&! allowed) joins channel. */
void voicemap_names(voicemap_t *m, const char *channel, const char *const *nicks, size_t n);
/* KICK: the same as a part. */
void voicemap_kick(voicemap_t *m, const char *channel, const char *nick);
/* We left channel ourselves: forget its roster. */
void voicemap_channel_clear(voicemap_t *m, const char *channel);
size_t voicemap_roster_size(voicemap_t *m, const char *channel);

/* Re-read the file given to voicemap_load (same salt argument). Rosters stay.
 * On error the old mapping stays in force and err says "FILE:LINE: problem". */
int voicemap_reload(voicemap_t *m, char *err, size_t errlen);
/* 1 when the voices file changed (inode, size or mtime) since the last
 * successful (re)load; 0 otherwise and for the built-in pool. */
int voicemap_file_changed(const voicemap_t *m);

enum {
    VOICEMAP_PINNED = 1,    /* from [overrides] */
    VOICEMAP_DISPLACED = 2, /* first choice held by someone present; took a later one */
    VOICEMAP_SHARED = 4     /* the pool ran out: shares its first choice */
};

/* Everything about how nick got its voice (for `purgatory voices explain`). */
typedef struct voicemap_info {
    char norm[VOICEMAP_NICK_MAX]; /* normalized identity */
    uint64_t hash;                /* voicemap_hash(salt, norm) */
    int first;                    /* first-choice pool index */
    int index;                    /* pool index of the voice; -1: a pin outside the pool */
    char id[VOICE_NAME_MAX];      /* pool id of the voice ("" when index is -1) */
    unsigned flags;               /* VOICEMAP_PINNED | DISPLACED | SHARED */
    voice_t v;
} voicemap_info_t;

/* As voicemap_lookup, with the reasons. A nick not in channel's roster is
 * placed as if it had joined (the roster is not changed). */
int voicemap_explain(voicemap_t *m, const char *channel, const char *nick, voicemap_info_t *info);

/* IRC rfc1459 case-mapping of s into out (n bytes, truncating). */
void voicemap_fold(const char *s, char *out, size_t n);
/* Case-mapping plus nick-variant stripping (see voicemap.c). */
void voicemap_normalize(const char *nick, char *out, size_t n);
/* The documented stable hash (see voicemap.c). */
uint64_t voicemap_hash(const char *salt, const char *norm);

/* The pool. */
size_t voicemap_size(const voicemap_t *m);
int voicemap_entry(const voicemap_t *m, size_t i, const char **id, voice_t *v, int *line);
const char *voicemap_salt(const voicemap_t *m);

/* 0 when espeak-ng's data has the voice and its +variant (or when the data
 * cannot be found: then nobody can tell), else PURG_ENOTFOUND and why.
 * Reads files only; does not start espeak-ng. */
int voicemap_voice_status(const char *name, char *why, size_t whylen);
/* espeak-ng's data directory, or NULL. */
const char *voicemap_espeak_data(char *buf, size_t n);

/* Parse a voices file held in memory (for the fuzzer); name is used in
 * messages; check_voices: look the voices up in espeak-ng's data. */
int voicemap_parse_string(const char *name, const char *text, size_t len, int check_voices,
                          char *err, size_t errlen);

/* The voices file's [languages] and [dictionary] sections:
 *   [languages]  use = auto|off|LIST   like --languages (the command line wins)
 *                CODE = VOICE          the espeak-ng voice (no +variant) for
 *                                      lines in language CODE, e.g. fr = fr-be
 *   [dictionary] file = PATH           like --dictionary (relative to the
 *                                      voices file's folder)
 * "" / 0 when not given. */
#define VOICEMAP_LANGS_MAX 512
#define VOICEMAP_LANG_VOICES 48
const char *voicemap_languages(const voicemap_t *m);
size_t voicemap_lang_voices(const voicemap_t *m);
void voicemap_lang_voice(const voicemap_t *m, size_t i, const char **code, const char **voice);
/* The voices file's [phrases.CODE] sections: the words purgatory adds
 * inside a line in language CODE (phrases.h), e.g.
 *   [phrases.fr]  says = dit :   link = lien   link_to = lien vers   dot = point
 * A key not given keeps the built-in words. voicemap_phrase: the file's
 * words for code, else phrases_get's; code "" (languages off) is English
 * ([phrases.en]). m may be NULL. */
#define VOICEMAP_PHRASE_LANGS 48
const char *voicemap_phrase(const voicemap_t *m, const char *code, phrase_t which);
/* The dictionary's path, resolved against the voices file's folder, into
 * buf; 0, or PURG_ENOTFOUND when the file names none, PURG_ETOOBIG. */
int voicemap_dictionary(const voicemap_t *m, char *buf, size_t n);

/* How far apart two voices sound, by their parameters (pan not counted):
 *   d = 2 [different language/accent] + 2 [different variant; 3 if one is
 *       +mN and the other +fN] + |dpitch|/15 + |drange|/30 + |drate|/40
 * Below VOICEMAP_ALIKE two voices are too alike to tell apart. */
double voicemap_distance(const voice_t *a, const voice_t *b);
#define VOICEMAP_ALIKE 2.5

#endif
