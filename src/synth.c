/* synth.c - the espeak-ng engine: one per process, used from one thread.
 *
 * espeak-ng runs in AUDIO_OUTPUT_SYNCHRONOUS mode: espeak_Synth() calls our
 * callback with ~20 ms chunks of 16-bit mono PCM on the calling thread, and we
 * spread each chunk over two channels by the voice's pan (constant-power law,
 * normalized so that the centre plays at full level) and hand it to the sink.
 * Text is passed as plain UTF-8 without espeakSSML, so markup in chat is read,
 * not interpreted. */
#include "synth.h"
#include "purg.h"
#include "util.h"

#include <espeak-ng/speak_lib.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MS 20
#define STEREO_FRAMES 1024

/* espeak-ng has one global engine, and on 1.51 a second espeak_Initialize
 * after espeak_Terminate deadlocks in the next espeak_Terminate. So the
 * engine is started once per process and left to the process's exit. This
 * struct mirrors that engine's own global state and is the one piece of
 * process-wide state here, touched only by the thread that owns synthesis:
 * whether it is up, and which voice name it has loaded (espeak_SetVoiceByName
 * re-reads the voice, variant and language files and rebuilds the
 * translator, ~1 % of a sentence's synthesis; a channel with one talker
 * need not pay it per line). */
static struct {
    int up;
    char voice[VOICE_NAME_MAX]; /* "" = unknown: load on the next line */
} engine;

struct synth {
    audio_t *audio;
    atomic_int cancel;
    /* per-utterance state, touched only by the synth thread */
    uint64_t mark_id;
    int64_t t_first;
    uint64_t frames;       /* handed to the sink so far */
    int failed;            /* the sink refused samples */
    int32_t gain_l, gain_r; /* Q15: 32768 is 1.0 */
    synth_word_fn word_fn; /* or NULL */
    void *word_ctx;
    int16_t stereo[STEREO_FRAMES * AUDIO_CHANNELS];
};

/* x times a Q15 gain in 0..32768, rounded. Integer gains: the float
 * version (two lrintf calls per sample, not inlined) cost ~6% of the
 * engine's own time. A gain below 1.0 fits int16, so the product is a
 * 16x16->32 multiply that SSE2 does 8 at a time (pmullw/pmulhw); 1.0
 * (both channels at the centre, one at a hard pan) is x itself, exactly as
 * (x * 32768 + 16384) >> 15 would give. >> on a negative int is an
 * arithmetic shift on every target gcc and clang build this for. */
static inline int16_t q15(int16_t x, int32_t g)
{
    if (g >= 32768)
        return x;
    return (int16_t)(((int32_t)x * (int16_t)g + 16384) >> 15);
}

/* Mono -> interleaved stereo. The gains are loop-invariant, so the
 * compiler unswitches the loop on them and vectorizes each version; in and
 * out are restrict (both are short: without it every store into out might
 * change in). */
static void pan(const short *restrict in, int16_t *restrict out, int n, int32_t gl, int32_t gr)
{
    for (int i = 0; i < n; i++) {
        out[2 * i] = q15(in[i], gl);
        out[2 * i + 1] = q15(in[i], gr);
    }
}

static int on_samples(short *wav, int n, espeak_EVENT *ev)
{
    synth_t *s = ev ? ev->user_data : NULL;
    if (!s)
        return 0;
    if (atomic_load(&s->cancel) || s->failed)
        return 1; /* stop synthesis */
    for (const espeak_EVENT *e = ev; s->word_fn && e->type != espeakEVENT_LIST_TERMINATED; e++)
        if (e->type == espeakEVENT_WORD)
            s->word_fn(s->word_ctx, e->text_position, e->length, e->audio_position);
    if (!wav || n <= 0)
        return 0;
    if (s->t_first == 0) {
        s->t_first = util_now_ns();
        if (s->mark_id)
            audio_mark(s->audio, s->mark_id);
    }
    const int32_t gl = s->gain_l, gr = s->gain_r;
    int16_t *restrict dst = s->stereo;
    while (n > 0) {
        int m = n < STEREO_FRAMES ? n : STEREO_FRAMES;
        pan(wav, dst, m, gl, gr);
        if (audio_write(s->audio, dst, (size_t)m) != 0) {
            s->failed = 1;
            return 1;
        }
        s->frames += (uint64_t)m;
        wav += m;
        n -= m;
    }
    return 0;
}

int synth_create(synth_t **out, audio_t *a, char *err, size_t errlen)
{
    synth_t *s = calloc(1, sizeof *s);
    if (!s) {
        util_snprintf(err, errlen, "out of memory");
        return PURG_ENOMEM;
    }
    /* espeak-ng starts a thread of its own, idle in this mode, which takes
     * the caller's name unless told otherwise */
    char self[16];
    util_thread_name_get(self, sizeof self);
    util_thread_name("purg-espeak");
    int rate = engine.up ? AUDIO_RATE :
               espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, CHUNK_MS, NULL,
                                 espeakINITIALIZE_DONT_EXIT);
    util_thread_name(self);
    if (rate <= 0) {
        util_snprintf(err, errlen, "espeak-ng could not start (is the espeak-ng-data "
                      "package installed?)");
        free(s);
        return PURG_ESYNTH;
    }
    if (rate != AUDIO_RATE) {
        util_snprintf(err, errlen, "espeak-ng produces %d Hz, expected %d Hz", rate, AUDIO_RATE);
        free(s);
        return PURG_ESYNTH;
    }
    engine.up = 1;
    engine.voice[0] = '\0'; /* whatever a previous synth_t left: load afresh */
    espeak_SetSynthCallback(on_samples);
    s->audio = a;
    atomic_init(&s->cancel, 0);
    *out = s;
    return 0;
}

void synth_free(synth_t *s)
{
    if (!s)
        return;
    free(s);  /* the engine itself stays up: see engine */
}

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

static void set_pan(synth_t *s, int pan)
{
    double angle = (clampi(pan, -100, 100) + 100) / 200.0 * (M_PI / 2);
    double l = cos(angle) * M_SQRT2, r = sin(angle) * M_SQRT2;
    s->gain_l = (int32_t)lrint((l > 1.0 ? 1.0 : l) * 32768.0);
    s->gain_r = (int32_t)lrint((r > 1.0 ? 1.0 : r) * 32768.0);
}

/* Loads voice name: by its name, else (as `espeak-ng -v` does) by its
 * language, with the +variant added to the voice file that language
 * chose. espeak-ng 1.51 knows "fr-fr", the voice of French lines, only as
 * a language: by name it is not found, and French was read by the English
 * fallback. */
static espeak_ERROR load_voice(const char *name)
{
    if (espeak_SetVoiceByName(name) == EE_OK)
        return EE_OK;
    char lang[VOICE_NAME_MAX];
    util_strlcpy(lang, name, sizeof lang);
    char *plus = strchr(lang, '+');
    if (plus)
        *plus = '\0';
    espeak_VOICE sel;
    memset(&sel, 0, sizeof sel);
    sel.languages = lang;
    if (!lang[0] || espeak_SetVoiceByProperties(&sel) != EE_OK)
        return EE_NOT_FOUND;
    const espeak_VOICE *cur = espeak_GetCurrentVoice();
    const char *variant = strchr(name, '+');
    char full[2 * VOICE_NAME_MAX];
    if (variant && cur && cur->identifier &&
        util_snprintf(full, sizeof full, "%s%s", cur->identifier, variant) == 0)
        (void)espeak_SetVoiceByName(full); /* unknown variant: the voice without it */
    return EE_OK;
}

static int set_voice(const voice_t *v)
{
    if (strcmp(engine.voice, v->name) != 0) {
        engine.voice[0] = '\0'; /* a failed load leaves the engine's voice unknown */
        if (load_voice(v->name) != EE_OK &&
            espeak_SetVoiceByName("en") != EE_OK)
            return PURG_ESYNTH;
        /* on the fallback too: the same name would fall back again */
        util_strlcpy(engine.voice, v->name, sizeof engine.voice);
    }
    /* parameters persist across voice changes, and a voice load resets some
     * of them: set every one, every time, loaded now or not */
    espeak_SetParameter(espeakRATE, clampi(v->rate, 80, 450), 0);
    espeak_SetParameter(espeakPITCH, clampi(v->pitch, 0, 100), 0);
    espeak_SetParameter(espeakRANGE, clampi(v->range, 0, 100), 0);
    espeak_SetParameter(espeakVOLUME, 100, 0);
    return 0;
}

int synth_say(synth_t *s, const voice_t *v, const char *text, uint64_t id, int64_t *t_first_ns)
{
    if (set_voice(v) != 0)
        return PURG_ESYNTH;
    set_pan(s, v->pan);
    atomic_store(&s->cancel, 0);
    s->mark_id = id;
    s->t_first = 0;
    s->frames = 0;
    s->failed = 0;
    espeak_ERROR e = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0,
                                  espeakCHARS_UTF8, NULL, s);
    if (t_first_ns)
        *t_first_ns = s->t_first;
    if (s->failed)
        return PURG_ECLOSED;
    return e == EE_OK ? 0 : PURG_ESYNTH;
}

void synth_on_word(synth_t *s, synth_word_fn fn, void *ctx)
{
    s->word_fn = fn;
    s->word_ctx = ctx;
}

uint64_t synth_last_frames(const synth_t *s)
{
    return s->frames;
}

void synth_cancel(synth_t *s)
{
    atomic_store(&s->cancel, 1);
}

int synth_voice_known(synth_t *s, const char *name)
{
    (void)s;
    char base[VOICE_NAME_MAX];
    util_strlcpy(base, name, sizeof base);
    char *plus = strchr(base, '+');
    if (plus)
        *plus = '\0';
    espeak_VOICE spec = { .languages = base };
    const espeak_VOICE **list = espeak_ListVoices(&spec);
    for (; list && *list; list++) {
        const char *lang = (*list)->languages;
        /* languages is a list of (priority byte, NUL-terminated name), ended by a 0 byte */
        while (lang && *lang) {
            if (strcmp(lang + 1, base) == 0)
                return 1;
            lang += strlen(lang + 1) + 2;
        }
        if ((*list)->name && strcmp((*list)->name, base) == 0)
            return 1;
    }
    return 0;
}
