/* bench_espeak.c - the baseline for purgatory's overhead figure: espeak-ng's
 * library alone, synthesizing lines in a bare loop; main thread only.
 *
 * usage: bench_espeak [--cache-voice] [--threaded] [--gap-ms N] FILE
 * FILE has one line per utterance, as purgatory listen logs it on stdout:
 *   #chan <nick> [VOICE pitch=P range=R rate=W pan=N] TEXT
 * (lines in any other form are skipped). Each is spoken with the same voice,
 * pitch, range and rate through espeak_Synth in AUDIO_OUTPUT_SYNCHRONOUS
 * mode, the samples counted and dropped. Prints one line:
 *   lines N speech_s S cpu_s C cpu_per_speech_s R
 * where C is this process's user+system CPU time for the loop alone
 * (espeak-ng's start-up and the file reading are not counted).
 * --cache-voice calls espeak_SetVoiceByName only when the voice name differs
 * from the previous line's (the parameters are still set every line), as
 * purgatory's synth.c does: loading a voice re-reads its files.
 * --threaded starts one more thread that only waits, so that libc runs in
 * its multi-threaded mode (locks in rand(), malloc, stdio really lock), as
 * in purgatory. --gap-ms N sleeps N ms between lines (not counted: CPU time
 * only), as a listener fed at a pace does, to show what cold caches cost. */
#include <espeak-ng/speak_lib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

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

static pthread_mutex_t idle_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cv = PTHREAD_COND_INITIALIZER;
static int idle_done;

static void *idle_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&idle_mu);
    while (!idle_done)
        pthread_cond_wait(&idle_cv, &idle_mu);
    pthread_mutex_unlock(&idle_mu);
    return NULL;
}

int main(int argc, char **argv)
{
    int cache = 0, threaded = 0, gap_ms = 0, i = 1;
    for (; i < argc - 1; i++) {
        if (strcmp(argv[i], "--cache-voice") == 0)
            cache = 1;
        else if (strcmp(argv[i], "--threaded") == 0)
            threaded = 1;
        else if (strcmp(argv[i], "--gap-ms") == 0 && i + 2 < argc)
            gap_ms = atoi(argv[++i]);
        else
            break;
    }
    if (i != argc - 1) {
        fprintf(stderr, "usage: bench_espeak [--cache-voice] [--threaded] [--gap-ms N] FILE "
                "(purgatory listen's stdout log)\n");
        return 2;
    }
    const char *path = argv[i];
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_espeak: cannot read %s\n", path);
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
        fprintf(stderr, "bench_espeak: no utterance lines in %s\n", path);
        return 1;
    }
    int rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 20, NULL, espeakINITIALIZE_DONT_EXIT);
    if (rate <= 0) {
        fprintf(stderr, "bench_espeak: espeak-ng could not start\n");
        return 1;
    }
    espeak_SetSynthCallback(on_samples);
    pthread_t idle;
    if (threaded && pthread_create(&idle, NULL, idle_main, NULL) != 0) {
        fprintf(stderr, "bench_espeak: cannot start a thread\n");
        return 1;
    }
    struct timespec gap = { gap_ms / 1000, (long)(gap_ms % 1000) * 1000000L };
    double c0 = cpu_seconds();
    const char *prev = "";
    for (size_t k = 0; k < n; k++) {
        line_t *l = &lines[k];
        if (!cache || strcmp(prev, l->voice) != 0) {
            if (espeak_SetVoiceByName(l->voice) != EE_OK)
                espeak_SetVoiceByName("en");
            prev = l->voice;
        }
        espeak_SetParameter(espeakRATE, l->rate, 0);
        espeak_SetParameter(espeakPITCH, l->pitch, 0);
        espeak_SetParameter(espeakRANGE, l->range, 0);
        espeak_SetParameter(espeakVOLUME, 100, 0);
        espeak_Synth(l->text, strlen(l->text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8,
                     NULL, NULL);
        if (gap_ms > 0)
            nanosleep(&gap, NULL);
    }
    double cpu = cpu_seconds() - c0;
    if (threaded) {
        pthread_mutex_lock(&idle_mu);
        idle_done = 1;
        pthread_cond_signal(&idle_cv);
        pthread_mutex_unlock(&idle_mu);
        pthread_join(idle, NULL);
    }
    double speech = (double)samples / rate;
    printf("lines %zu speech_s %.3f cpu_s %.3f cpu_per_speech_s %.5f\n", n, speech, cpu,
           speech > 0 ? cpu / speech : 0.0);
    for (size_t k = 0; k < n; k++)
        free(lines[k].text);
    free(lines);
    return 0;
}
