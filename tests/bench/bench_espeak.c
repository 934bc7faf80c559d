/* bench_espeak.c - the baseline for purgatory's overhead figure: espeak-ng's
 * library alone, synthesizing lines in a bare loop; main thread only.
 *
 * usage: bench_espeak FILE
 * FILE has one line per utterance, as purgatory listen logs it on stdout:
 *   #chan <nick> [VOICE pitch=P range=R rate=W pan=N] TEXT
 * (lines in any other form are skipped). Each is spoken with the same voice,
 * pitch, range and rate through espeak_Synth in AUDIO_OUTPUT_SYNCHRONOUS
 * mode, the samples counted and dropped. Prints one line:
 *   lines N speech_s S cpu_s C cpu_per_speech_s R
 * where C is this process's user+system CPU time for the loop alone
 * (espeak-ng's start-up and the file reading are not counted). */
#include <espeak-ng/speak_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct line {
    char voice[64];
    int pitch, range, rate;
    char *text;
} line_t;

static unsigned long long samples;

static int on_samples(short *wav, int n, espeak_EVENT *ev)
{
    (void)ev;
    if (wav && n > 0)
        samples += (unsigned long long)n;
    return 0;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* One log line -> l; 0 on success. The text is the rest of the line, which
 * purgatory wrote after cleaning (a leading "* " marks an action). */
static int parse(char *s, line_t *l)
{
    char *open = strstr(s, "> [");
    if (!open)
        return -1;
    int pan, used = 0;
    if (sscanf(open, "> [%63s pitch=%d range=%d rate=%d pan=%d]%n", l->voice, &l->pitch,
               &l->range, &l->rate, &pan, &used) != 5 || used == 0)
        return -1;
    char *text = open + used;
    if (*text == ' ')
        text++;
    text[strcspn(text, "\n")] = '\0';
    l->text = strdup(text);
    return l->text ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_espeak FILE (purgatory listen's stdout log)\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        fprintf(stderr, "bench_espeak: cannot read %s\n", argv[1]);
        return 1;
    }
    size_t n = 0, cap = 0;
    line_t *lines = NULL;
    char buf[8192];
    while (fgets(buf, sizeof buf, f)) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            line_t *nl = realloc(lines, cap * sizeof *lines);
            if (!nl) {
                fprintf(stderr, "bench_espeak: out of memory\n");
                return 1;
            }
            lines = nl;
        }
        if (parse(buf, &lines[n]) == 0)
            n++;
    }
    fclose(f);
    if (n == 0) {
        fprintf(stderr, "bench_espeak: no utterance lines in %s\n", argv[1]);
        return 1;
    }
    int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 20, NULL, espeakINITIALIZE_DONT_EXIT);
    if (rate <= 0) {
        fprintf(stderr, "bench_espeak: espeak-ng could not start\n");
        return 1;
    }
    espeak_SetSynthCallback(on_samples);
    double c0 = cpu_seconds();
    for (size_t i = 0; i < n; i++) {
        line_t *l = &lines[i];
        if (espeak_SetVoiceByName(l->voice) != EE_OK)
            espeak_SetVoiceByName("en");
        espeak_SetParameter(espeakRATE, l->rate, 0);
        espeak_SetParameter(espeakPITCH, l->pitch, 0);
        espeak_SetParameter(espeakRANGE, l->range, 0);
        espeak_SetParameter(espeakVOLUME, 100, 0);
        espeak_Synth(l->text, strlen(l->text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8,
                     NULL, NULL);
    }
    double cpu = cpu_seconds() - c0;
    double speech = (double)samples / rate;
    printf("lines %zu speech_s %.3f cpu_s %.3f cpu_per_speech_s %.5f\n", n, speech, cpu,
           speech > 0 ? cpu / speech : 0.0);
    for (size_t i = 0; i < n; i++)
        free(lines[i].text);
    free(lines);
    return 0;
}
