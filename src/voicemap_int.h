/* voicemap_int.h - the voice pool as read from a voices file, shared by
 * voicemap.c (the mapping) and voicefile.c (the file) only; same threads as
 * voicemap.h. */
#ifndef PURG_VOICEMAP_INT_H
#define PURG_VOICEMAP_INT_H

#include "phrases.h"
#include "voicemap.h"

#include <sys/stat.h>

#define VM_POOL_MAX 4096
#define VM_PINS_MAX 4096

/* One pool voice: [voices] id = spec. */
typedef struct vm_entry {
    char id[VOICE_NAME_MAX];
    voice_t v;
    int line;
} vm_entry_t;

/* One [overrides] pin; pool >= 0 when it names a pool voice by id. */
typedef struct vm_pin {
    char key[VOICEMAP_NICK_MAX]; /* normalized nick */
    char value[VOICEMAP_SPEC_MAX];
    voice_t v;
    int pool;
    int line;
} vm_pin_t;

typedef struct vm_pool {
    vm_entry_t *e;
    size_t n, cap;
    vm_pin_t *pins;
    size_t npins, pincap;
    char salt[VOICEMAP_SALT_MAX];
    int pan_width;
    /* [languages] and [dictionary] (voicemap.h: voicemap_languages ...) */
    char languages[VOICEMAP_LANGS_MAX];        /* use = ... ("" = not given) */
    char lang_code[VOICEMAP_LANG_VOICES][16];  /* CODE = VOICE */
    char lang_voice[VOICEMAP_LANG_VOICES][VOICE_NAME_MAX];
    size_t nlang;
    char dictionary[1024];                     /* file = ... (as written) */
    /* [phrases.CODE] KEY = WORDS ("" = the built-in words, phrases.h) */
    char phrase_code[VOICEMAP_PHRASE_LANGS][16];
    char phrase[VOICEMAP_PHRASE_LANGS][PHRASE_COUNT][PHRASE_MAX];
    size_t nphrase;
} vm_pool_t;

/* Load the pool of the voices file path (NULL: the built-in pool), its salt
 * replaced by salt_arg when not NULL; check_voices looks each voice up in
 * espeak-ng's data. st receives the file's stat (zeroes for the built-in
 * pool). 0, or a negative code with "FILE:LINE: problem" in err. */
int voicefile_load(vm_pool_t *pool, const char *path, const char *salt_arg, int check_voices,
                   struct stat *st, char *err, size_t errlen);

/* Frees what the pool holds and zeroes it; accepts a zeroed pool. */
void voicefile_clear(vm_pool_t *pool);

/* "voice [pitch [range [rate [pan]]]]" -> v; *has_pan says whether pan was
 * given. 0, or PURG_EINVAL with why (visible text). */
int voicefile_parse_spec(const char *spec, voice_t *v, int *has_pan, char *why, size_t whylen);

#endif
