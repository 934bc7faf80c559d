/* langopts.c - --languages and --dictionary (see langopts.h). */
#include "langopts.h"
#include "datadir.h"
#include "purg.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

int langopts_opt(langopts_t *o, const char *cmd, int ch, const char *arg)
{
    char err[1024];
    switch (ch) {
    case LANGOPT_LANGUAGES:
        if (lang_spec_check(arg, err, sizeof err) != 0) {
            fprintf(stderr, "purgatory %s: --languages: %s\n", cmd, err);
            return PURG_OPT_ERROR;
        }
        o->languages = arg;
        return PURG_OPT_GO;
    case LANGOPT_DICTIONARY:
        o->dictionary = arg;
        return PURG_OPT_GO;
    default:
        return PURG_OPT_NOT_MINE;
    }
}

void langopts_usage(FILE *f)
{
    fprintf(f,
"languages and pronunciation:\n"
"      --languages auto|off|LIST  speak each line in a voice of its language\n"
"                         (the nick keeps variant, pitch, range, rate and pan);\n"
"                         LIST like en,fr,de restricts the guess to those (the\n"
"                         first is where a new channel starts); auto: 20 common\n"
"                         languages (default %s); off: the nick's voice as is\n"
"      --dictionary FILE  how words are said, per language (default: the\n"
"                         shipped voices/pronounce.dict; off: none)\n\n", LANGOPT_DEFAULT);
}

static int default_dict(char *path, size_t n)
{
    char dir[1024];
    if (datadir_find(dir, sizeof dir, NULL, 0) != 0)
        return -1;
    if (util_snprintf(path, n, "%s/voices/pronounce.dict", dir) != 0)
        return -1;
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    fclose(f);
    return 0;
}

/* The CLDR names of the emoji espeak-ng cannot say, for each language of
 * lang (or of `auto`) and English. */
static int open_emoji(const lang_t *lang, emoji_t **emoji)
{
    char list[LANG_SPEC_MAX];
    if (lang)
        lang_list(lang, list, sizeof list);
    else
        util_strlcpy(list, lang_auto_list(), sizeof list);
    if (emoji_create(emoji) != 0)
        return -1;
    emoji_load_lang(*emoji, NULL, "en");
    for (char *save = NULL, *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save))
        if (strcmp(c, "en") != 0 && emoji_load_lang(*emoji, NULL, c) == PURG_ENOMEM)
            return -1;
    return 0;
}

void langopts_voices(lang_t *lang, const voicemap_t *voices)
{
    if (!lang || !voices)
        return;
    lang_clear_voices(lang);
    for (size_t i = 0; i < voicemap_lang_voices(voices); i++) {
        const char *code, *voice;
        voicemap_lang_voice(voices, i, &code, &voice);
        lang_set_voice(lang, code, voice); /* a language not allowed: nothing to set */
    }
}

int langopts_open(const langopts_t *o, const char *cmd, const voicemap_t *voices, lang_t **lang,
                  dict_t **dict, emoji_t **emoji)
{
    char err[1024];
    *lang = NULL;
    *dict = NULL;
    *emoji = NULL;
    const char *spec = o->languages;
    if (!spec && voices && voicemap_languages(voices)[0])
        spec = voicemap_languages(voices);
    int rc = lang_create(lang, spec ? spec : LANGOPT_DEFAULT, NULL, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "purgatory %s: --languages: %s\n", cmd, err);
        return -1;
    }
    langopts_voices(*lang, voices);
    if (open_emoji(*lang, emoji) != 0) {
        fprintf(stderr, "purgatory %s: out of memory\n", cmd);
        goto fail;
    }
    const char *path = o->dictionary;
    char shipped[1100], fromvoices[1100];
    if (!path && voices && voicemap_dictionary(voices, fromvoices, sizeof fromvoices) == 0)
        path = fromvoices;
    if (path && strcmp(path, "off") == 0)
        return 0;
    if (!path) {
        if (default_dict(shipped, sizeof shipped) != 0)
            return 0; /* not installed: nothing to say about it */
        path = shipped;
    }
    if ((rc = dict_load(dict, path, err, sizeof err)) != 0) {
        fprintf(stderr, "purgatory %s: dictionary: %s\n", cmd, err);
        goto fail;
    }
    return 0;
fail:
    lang_free(*lang);
    emoji_free(*emoji);
    *lang = NULL;
    *emoji = NULL;
    return -1;
}

void langopts_reload(dict_t *d, const char *cmd, int asked)
{
    if (!d || (!asked && !dict_file_changed(d)))
        return;
    char err[1024], vp[UTIL_VIS_MAX];
    if (dict_reload(d, err, sizeof err) == 0)
        fprintf(stderr, "purgatory %s: reloaded the dictionary from %s (%zu entries)\n", cmd,
                util_visible(vp, sizeof vp, dict_path(d)), dict_size(d));
    else
        fprintf(stderr, "purgatory %s: dictionary not reloaded, the previous one stays: %s\n",
                cmd, err);
}
