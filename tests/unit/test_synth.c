/* test_synth.c - the real espeak-ng engine into the WAV sink: speech is
 * produced, panning places it in the stereo field, different voices give
 * different audio, the latency mark is recorded, and a cancelled line stops
 * early. One engine switching voices back and forth (synth.c skips reloading
 * an unchanged voice) speaks each line as a fresh engine would, with the
 * line's own rate. */
#include "check.h"
#include "audio.h"
#include "purg.h"
#include "synth.h"

#include <espeak-ng/speak_lib.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct stats {
    long frames;
    double rms_l, rms_r;
} stats_t;

static stats_t say_to_wav(const char *path, const voice_t *v, const char *text)
{
    stats_t st = { 0 };
    char err[256];
    audio_t *a = NULL;
    synth_t *s = NULL;
    CHECK_EQ(audio_open(&a, AUDIO_WAV, path, err, sizeof err), 0);
    CHECK_EQ(synth_create(&s, a, err, sizeof err), 0);
    if (!a || !s)
        return st;
    int64_t t_first = 0;
    CHECK_EQ(synth_say(s, v, text, 7, &t_first), 0);
    CHECK_GT(t_first, 0);
    uint64_t id = 0;
    int64_t t = 0;
    CHECK(audio_take_started(a, &id, &t) == 0 && id == 7 && t >= t_first);
    synth_free(s);
    audio_close(a);

    SF_INFO info = { 0 };
    SNDFILE *f = sf_open(path, SFM_READ, &info);
    CHECK(f != NULL);
    if (!f)
        return st;
    CHECK(info.channels == 2 && info.samplerate == AUDIO_RATE);
    short buf[2048];
    double sl = 0, sr = 0;
    sf_count_t n;
    while ((n = sf_readf_short(f, buf, 1024)) > 0) {
        for (sf_count_t i = 0; i < n; i++) {
            sl += (double)buf[2 * i] * buf[2 * i];
            sr += (double)buf[2 * i + 1] * buf[2 * i + 1];
        }
        st.frames += n;
    }
    sf_close(f);
    if (st.frames) {
        st.rms_l = sqrt(sl / st.frames);
        st.rms_r = sqrt(sr / st.frames);
    }
    return st;
}

static void test_voices(void)
{
    const char *tmp = getenv("PURG_TEST_TMP");
    char p1[512], p2[512], p3[512];
    snprintf(p1, sizeof p1, "%s/synth1.wav", tmp ? tmp : "/tmp");
    snprintf(p2, sizeof p2, "%s/synth2.wav", tmp ? tmp : "/tmp");
    snprintf(p3, sizeof p3, "%s/synth3.wav", tmp ? tmp : "/tmp");

    voice_t left = { "en-us+m3", 40, 50, 175, -100 };
    voice_t right = { "en-gb-scotland+f2", 70, 60, 200, 100 };
    const char *text = "the quick brown fox jumps over the lazy dog";
    const voice_t bogus_first = { "xx-nonexistent", 40, 50, 175, -100 };

    stats_t a = say_to_wav(p1, &left, text);
    CHECK_GT(a.frames, AUDIO_RATE);              /* more than a second of speech */
    CHECK(a.rms_l > 300 && a.rms_r < 1.0);      /* hard left */

    stats_t b = say_to_wav(p2, &right, text);
    CHECK_GT(b.frames, AUDIO_RATE);
    CHECK(b.rms_r > 300 && b.rms_l < 1.0);      /* hard right */
    CHECK_GT(labs(a.frames - b.frames), 1000);    /* another voice, another length */

    voice_t centre = left;
    centre.pan = 0;
    stats_t c = say_to_wav(p3, &centre, text);
    CHECK(c.rms_l > 300 && fabs(c.rms_l - c.rms_r) < 1.0);
    fprintf(stderr, "frames: left %ld right %ld centre %ld\n", a.frames, b.frames, c.frames);
    CHECK_LT(labs(c.frames - a.frames), AUDIO_RATE / 20); /* same voice, about the same length */

    /* one engine, voices switching and repeating: lengths as when fresh */
    {
        char err[256];
        audio_t *au = NULL;
        synth_t *sy = NULL;
        CHECK_EQ(audio_open(&au, AUDIO_NULL, NULL, err, sizeof err), 0);
        CHECK(au && synth_create(&sy, au, err, sizeof err) == 0);
        if (sy) {
            voice_t fast = left;
            fast.rate = 350;
            const voice_t *seq[] = { &left, &left, &right, &left, &fast, &left, &bogus_first };
            long got[7];
            for (int i = 0; i < 7; i++) {
                CHECK_EQ(synth_say(sy, seq[i], text, 0, NULL), 0);
                got[i] = (long)synth_last_frames(sy);
            }
            fprintf(stderr, "one engine: %ld %ld %ld %ld %ld %ld %ld\n", got[0], got[1],
                    got[2], got[3], got[4], got[5], got[6]);
            /* espeak-ng's lengths wander by a few frames from line to line */
            long tol = AUDIO_RATE / 20;
            CHECK(labs(got[0] - a.frames) < tol && labs(got[1] - a.frames) < tol);
            CHECK_LT(labs(got[2] - b.frames), tol);
            CHECK_LT(labs(got[3] - a.frames), tol);
            CHECK_LT(got[4], a.frames * 3 / 4);         /* same voice, its rate still applied */
            CHECK_LT(labs(got[5] - a.frames), tol);     /* and restored */
            CHECK_GT(got[6], AUDIO_RATE);       /* unknown voice: English */
        }
        synth_free(sy);
        audio_close(au);
    }

    /* an unknown voice falls back to English rather than failing */
    voice_t bogus = { "xx-nonexistent", 50, 50, 175, 0 };
    stats_t d = say_to_wav(p3, &bogus, "hello");
    CHECK_GT(d.frames, 1000);
}

/* A voice espeak-ng knows by its language only ("fr-fr", the voice of
 * French lines) is loaded by that language, with its +variant, not
 * replaced by the English fallback; an unknown name still falls back. */
static void test_voice_by_language(void)
{
    char err[256];
    audio_t *a = NULL;
    synth_t *s = NULL;
    CHECK_EQ(audio_open(&a, AUDIO_NULL, NULL, err, sizeof err), 0);
    CHECK_EQ(synth_create(&s, a, err, sizeof err), 0);
    if (!a || !s)
        return;
    voice_t fr = { "fr-fr+m3", 50, 50, 175, 0 };
    CHECK_EQ(synth_say(s, &fr, "bonjour", 1, NULL), 0);
    const espeak_VOICE *cur = espeak_GetCurrentVoice();
    CHECK(cur && cur->languages && strncmp(cur->languages + 1, "fr", 2) == 0);
    CHECK(cur && cur->identifier && strstr(cur->identifier, "+m3") != NULL);
    voice_t bad = { "nosuchvoice+m3", 50, 50, 175, 0 };
    CHECK_EQ(synth_say(s, &bad, "hello", 2, NULL), 0);
    cur = espeak_GetCurrentVoice();
    CHECK(cur && cur->languages && strncmp(cur->languages + 1, "en", 2) == 0);
    synth_free(s);
    audio_close(a);
}

static const check_case_t cases[] = {
    CHECK_CASE(voice_by_language),
    CHECK_CASE(voices),
};

int main(int argc, char **argv)
{
    return check_run(argc, argv, cases, CHECK_NCASES(cases));
}
