/* lang.h - which language a chat line is in, and the voice that follows it.
 * Thread: one lang_t belongs to one thread (the net thread of `listen`, the
 * demo's loop, or main for `voices explain`); nothing in it is shared.
 *
 * A line is guessed by libexttextcat's n-gram fingerprints restricted to the
 * allowed languages, helped by CLD2 when CLD2 calls its own answer reliable,
 * and by the script of the text (Greek, Hebrew, Arabic, Hangul, kana, Han,
 * Devanagari, Thai decide alone). A running estimate per nick weighs each
 * line against what the nick spoke before: short lines ("ok", "merci!",
 * "lol") keep the nick's language, a switch needs real evidence, and a
 * nick's first line starts from its channel's dominant language.
 *
 * The voice keeps its identity: only its language part changes
 * ("en-gb-scotland+m3" speaking French becomes "fr-fr+m3", with the same
 * pitch, range, rate and pan), and a line in the voice's own language keeps
 * the voice as it is (the nick's English accent stays). */
#ifndef PURG_LANG_H
#define PURG_LANG_H

#include <stddef.h>
#include "voice.h"

#define LANG_MAX 40        /* languages allowed at once */
#define LANG_CODE_MAX 12   /* "zh", "pt", "sr-Latn" */
#define LANG_SPEC_MAX 512  /* a --languages value */

typedef struct lang lang_t;

/* What was decided for one line (lang_line, lang_guess). */
typedef struct lang_result {
    char line[LANG_CODE_MAX];    /* the line's own best guess, "" = no letters */
    double line_conf;            /* its confidence, 0..1 */
    const char *how;             /* "script", "cld2+textcat", "textcat", "none" */
    char cld2[LANG_CODE_MAX];    /* CLD2's answer ("un": none) */
    int cld2_reliable;           /* CLD2 called it reliable */
    char code[LANG_CODE_MAX];    /* the language spoken (after the nick estimate) */
    double conf;                 /* confidence in code, 0..1 */
    int kept;                    /* the nick's language overruled the line's guess */
    int words;                   /* words of letters in the line */
} lang_result_t;

/* spec: "auto" (a broad set of languages, see lang.c), "off" (*out = NULL,
 * returns 0: the caller does nothing, today's behaviour), or a list
 * "en,fr,de" (the first is the default of a channel nobody has spoken in).
 * data: libexttextcat's fingerprint folder, NULL = the installed one.
 * Returns 0, PURG_EINVAL (bad spec: err says which code and what is known),
 * PURG_ENOTFOUND (no fingerprints) or PURG_ENOMEM. */
int lang_create(lang_t **out, const char *spec, const char *data, char *err, size_t errlen);
void lang_free(lang_t *l);

/* The languages `auto` allows, comma-separated. */
const char *lang_auto_list(void);

/* 1 when code is a language this module knows (lang_create accepts it). */
int lang_code_known(const char *code);

/* Check a --languages value without loading anything: 0 or PURG_EINVAL. */
int lang_spec_check(const char *spec, char *err, size_t errlen);

/* The allowed languages, comma-separated, into buf. */
void lang_list(const lang_t *l, char *buf, size_t n);

/* The line's own guess (no nick state). text is the line as heard (IRC
 * formatting, URLs and a leading "nick:" are skipped here). */
void lang_guess(lang_t *l, const char *text, size_t len, lang_result_t *r);

/* The language nick speaks text in, in channel (may be NULL), updating the
 * nick's running estimate and the channel's. */
void lang_line(lang_t *l, const char *channel, const char *nick, const char *text,
               size_t len, lang_result_t *r);

/* A nick change: newnick keeps oldnick's estimate (the person is the same,
 * as its voice is). l may be NULL. */
void lang_rename(lang_t *l, const char *oldnick, const char *newnick);

/* As lang_line, without changing any state (for `voices explain`). */
void lang_peek(lang_t *l, const char *channel, const char *nick, const char *text,
               size_t len, lang_result_t *r);

/* The voice for code: the [languages] override, else the built-in choice.
 * Sets code's voice (e.g. "fr" -> "fr-be"). 0 or PURG_EINVAL (not a
 * language code, or a voice name with a space or '+'). */
int lang_set_voice(lang_t *l, const char *code, const char *voice);
const char *lang_voice_of(const lang_t *l, const char *code);
/* Every language back to its built-in voice. */
void lang_clear_voices(lang_t *l);

/* The language an espeak-ng voice speaks: "en-gb-scotland+m3" -> "en",
 * "cmn" -> "zh", "pt-br" -> "pt". Into out (n bytes). */
void lang_of_voice(const char *voice, char *out, size_t n);

/* v speaking code: v unchanged when its own language is code (or code is
 * ""), else its language part replaced by code's voice, +variant kept. */
void lang_apply(const lang_t *l, const char *code, voice_t *v);

/* The speech path's one call, for a line nick said in channel: raw is the
 * line as heard, text (textlen bytes) the cleaned line. The line's language
 * (lang_line; with l NULL, languages off, the language of v) changes v's
 * language part (lang_apply); the emoji espeak-ng says nothing for are
 * named in that language from e (emoji.h; may be NULL: they are dropped);
 * and the pronunciation dictionary d (may be NULL) rewrites text for it. */
struct dict;
struct emoji;
void lang_speak(lang_t *l, const struct dict *d, const struct emoji *e, const char *channel,
                const char *nick, const char *raw, voice_t *v, char *text, size_t textlen);

/* lang_speak in two steps, for a caller that needs the line's language
 * between them (hear.c cleans the line again with it, phrases.h).
 * lang_pick: with l, the line's language (lang_line) changes v's language
 * part (lang_apply) and its code goes into code (n bytes); when nothing is
 * guessed, or with l NULL (languages off: v unchanged), code is the
 * language of v. lang_words: the emoji names and the dictionary for code. */
void lang_pick(lang_t *l, const char *channel, const char *nick, const char *raw, voice_t *v,
               char *code, size_t n);
void lang_words(const struct dict *d, const struct emoji *e, const char *code, char *text,
                size_t textlen);

#endif
