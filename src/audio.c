/* audio.c - audio sinks: PortAudio device (callback mode), WAV/FLAC file, null.
 *
 * DESIGN (threads): the producer is one thread (the synth thread). For the
 * device sink, samples travel through a lock-free SPSC ring to the PortAudio
 * callback, which is the only consumer and which never locks, allocates, logs
 * or does I/O: it copies from the ring, pads an underrun with silence, scales
 * by the volume, and notes in a second SPSC ring when an utterance's first
 * frame went out (the latency record).
 *
 * An idle device costs nothing: the stream is open only while there is
 * talk. audio_open opens the stream once to report a missing device at
 * start-up, and closes it again; the producer opens and starts it when it
 * first writes. After IDLE_WALL_S seconds of silence on a device that plays
 * in real time (a sound card, PulseAudio), or after IDLE_FRAMES of silence
 * on one that does not (ALSA's file device runs them off in microseconds),
 * the callback ends the stream (paComplete) and sets `idle`; the producer
 * then closes a paced one (audio_kick, on its idle tick; the file device
 * stays open, see idle_due) and reopens or restarts it when it writes
 * again. Closing, not only stopping, matters: an ALSA PCM that stays
 * open through the `pulse` plugin keeps a PulseAudio client thread in the
 * process waking ~130 times a second. The hand-over is a Dekker pair with
 * sequentially consistent atomics: the callback stores idle=1 then re-reads
 * the ring fill, the producer stores samples then reads idle, so at least
 * one of them sees the other and no written sample is stranded in a stopped
 * stream. Only the producer opens, starts, stops and closes the stream (the
 * callback must not); `stream` is NULL while it is closed.
 * The file and null sinks need no
 * real-time thread: audio_write hands samples straight to libsndfile (or
 * drops them) on the producer's thread. */
#include "audio.h"
#include "purg.h"
#include "ring.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <portaudio.h>
#include <pthread.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define RING_FRAMES (1 << 18) /* ~11.9 s at 22050 Hz: a whole line, synthesized in one
                                 go (espeak-ng runs warm, the synth thread sleeps
                                 once per line instead of every few ms) */
#define WAIT_MAX_MS 100        /* longest sleep of a waiting producer: how late it may
                                 notice a skip, a pause or a resume */
#define MARKS 256
#define IDLE_FRAMES (AUDIO_RATE * 2)  /* silence before an unpaced device stream stops */
#define IDLE_WALL_S 15                /* seconds of silence before a paced one stops and
                                         is closed: a pause in the talk shorter than this
                                         finds the stream running (a start through
                                         PulseAudio's null sink stalls for up to 2 s) */
enum { IDLE_STOP = 1, IDLE_CLOSE = 2 }; /* how the callback ended the stream */
#define REC_FRAMES (1 << 20)  /* ~48 s of played audio waiting for the recorder thread
                                (a file-backed device plays far faster than real time) */

/* the callback stores the position with an atomic: it must never lock */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");

typedef struct mark {
    uint64_t id;
    uint64_t pos;  /* frame position (frames_in) where the utterance starts */
} mark_t;

typedef struct started {
    uint64_t id;
    int64_t t_ns;
} started_t;

struct audio {
    audio_kind_t kind;
    /* device sink */
    PaStream *stream;      /* producer only; NULL while closed */
    int pa_up;
    ring_t *samples;       /* int16[2] frames: producer -> callback */
    ring_t *marks;         /* mark_t: producer -> callback */
    ring_t *started;       /* started_t: callback (or producer) -> reader */
    /* file sink */
    SNDFILE *sf;
    /* counters */
    uint64_t frames_in;                /* producer only */
    uint64_t frames_out;               /* callback only: frames handed out */
    _Atomic uint64_t position;         /* frames heard so far (audio_position): the
                                          callback's frames_out, or what a file or
                                          null sink was given; one writer */
    atomic_int idle;                   /* the callback ended the stream: 0 or IDLE_* */
    unsigned long silent;              /* callback only: frames of underrun */
    int64_t silent_since;              /* callback only: when the underrun began */
    /* presenter controls: any thread sets, the callback (or producer) reads */
    atomic_int flush;                  /* drop what is buffered (skip) */
    atomic_int paused;                 /* output silence, consume nothing */
    atomic_int volume;                 /* percent, 0..200 */
    /* recording (--record): a tee of what was played */
    _Atomic(ring_t *) rec;             /* callback -> recorder thread (device sink) */
    SNDFILE *rec_sf;
    pthread_t rec_thread;
    int rec_running;
    atomic_int rec_stop;
    _Atomic uint64_t rec_lost;         /* frames the recorder ring had no room for */
    uint64_t rec_frames;               /* frames written to the recording */
};

/* PortAudio's JACK and ALSA probes print to stderr whatever we do; keep the
 * user's terminal clean by pointing fd 2 at /dev/null around them (main
 * thread, before any other thread exists). Not in a sanitizer build: a
 * report from inside the probe would vanish, and the process with it. */
static int stderr_mute(void)
{
#ifdef PURG_SANITIZED
    return -1;
#else
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
        dup2(devnull, STDERR_FILENO);
        close(devnull);
    }
    return saved;
#endif
}

static void stderr_restore(int saved)
{
    if (saved < 0)
        return;
    dup2(saved, STDERR_FILENO);
    close(saved);
}

/* Volume in percent on n interleaved frames, saturating. No locks, no calls. */
static void scale(int16_t *s, size_t frames, int pct)
{
    if (pct == 100)
        return;
    for (size_t i = 0; i < frames * AUDIO_CHANNELS; i++) {
        int v = s[i] * pct / 100;
        s[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
    }
}

/* CLOCK_MONOTONIC through the vDSO: no syscall, no lock; fit for the callback. */
static int64_t cb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* Callback only: has the stream been silent long enough to stop? A device
 * that consumed far more silent frames than the wall clock allows is not
 * paced (the file device): stop after IDLE_FRAMES, IDLE_STOP (the PCM stays
 * open: ALSA's file device truncates its file whenever it is opened). A
 * paced device waits for IDLE_WALL_S seconds of real silence: IDLE_CLOSE.
 * 0 while not due. */
static int idle_due(const audio_t *a)
{
    if (a->silent < IDLE_FRAMES)
        return 0;
    int64_t wall = cb_now_ns() - a->silent_since;
    uint64_t paced = (uint64_t)(wall > 0 ? wall : 0) / (NS_PER_S / AUDIO_RATE);
    if (a->silent > 4 * paced + AUDIO_RATE)
        return IDLE_STOP;
    return wall >= IDLE_WALL_S * NS_PER_S ? IDLE_CLOSE : 0;
}

static int pa_callback(const void *in, void *out, unsigned long frames,
                       const PaStreamCallbackTimeInfo *ti, PaStreamCallbackFlags flags,
                       void *user)
{
    (void)in; (void)ti; (void)flags;
    audio_t *a = user;
    int16_t *dst = out;
    uint64_t pos = a->frames_out;
    mark_t m;
    if (atomic_exchange(&a->flush, 0)) {
        /* skip: what was buffered is never played; its marks go with it */
        pos += ring_discard(a->samples);
        while (ring_peek(a->marks, &m) && m.pos < pos)
            ring_read(a->marks, &m, 1);
    }
    size_t got = 0;
    int paused = atomic_load_explicit(&a->paused, memory_order_relaxed);
    if (!paused)
        got = ring_read(a->samples, dst, frames);
    if (got < frames)
        memset(dst + got * AUDIO_CHANNELS, 0, (frames - got) * AUDIO_CHANNELS * sizeof *dst);
    if (got > 0) {
        a->silent = 0;
    } else {
        if (a->silent == 0)
            a->silent_since = cb_now_ns();
        a->silent += frames;
    }
    scale(dst, got, atomic_load_explicit(&a->volume, memory_order_relaxed));
    ring_t *rec = atomic_load_explicit(&a->rec, memory_order_acquire);
    if (got > 0 && rec && ring_write(rec, dst, got) < got)
        atomic_fetch_add_explicit(&a->rec_lost, 1, memory_order_relaxed);
    while (got > 0 && ring_peek(a->marks, &m) && m.pos < pos + got) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no syscall, no lock */
        started_t s = { m.id, (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec };
        ring_read(a->marks, &m, 1);
        ring_write(a->started, &s, 1); /* a full record ring loses records, not audio */
    }
    a->frames_out = pos + got;
    /* lock-free on every target we build for (static_assert below) */
    atomic_store_explicit(&a->position, a->frames_out, memory_order_release);
    int due = idle_due(a);
    if (due) {
        atomic_store(&a->idle, due);
        /* paused: stop too; the producer restarts the stream on resume */
        if (paused || ring_readable(a->samples) == 0)
            return paComplete;
        atomic_store(&a->idle, 0); /* the producer wrote meanwhile: go on */
        a->silent = 0;
    }
    return paContinue;
}

/* Producer side: open the default output stream (not started). */
static PaError open_stream(audio_t *a)
{
    return Pa_OpenDefaultStream(&a->stream, 0, AUDIO_CHANNELS, paInt16, AUDIO_RATE,
                                paFramesPerBufferUnspecified, pa_callback, a);
}

/* Producer side: close a stream the callback ended (or never started). */
static void close_stream(audio_t *a)
{
    if (!a->stream)
        return;
    Pa_StopStream(a->stream);  /* lets a completing stream finish */
    Pa_CloseStream(a->stream);
    a->stream = NULL;
}

/* Producer side: samples were written; start the stream if it is closed,
 * or restart it if the callback ended it. 0, or PURG_ENODEV when the
 * device cannot be opened again (the samples stay in the ring for the next
 * try). */
static int start_stream(audio_t *a)
{
    if (a->stream) {
        Pa_StopStream(a->stream);  /* lets a completing stream finish */
    } else if (open_stream(a) != paNoError) {
        a->stream = NULL;
        return PURG_ENODEV;
    }
    atomic_store(&a->idle, 0);
    a->silent = 0;
    if (Pa_StartStream(a->stream) != paNoError) {
        close_stream(a); /* the next write tries afresh */
        return PURG_ENODEV;
    }
    return 0;
}

/* Producer side: open and start the stream, or restart one the callback
 * ended, unless it is running or play is paused. */
static int wake_stream(audio_t *a)
{
    if (atomic_load(&a->paused) || (a->stream && !atomic_load(&a->idle)))
        return 0;
    /* the threads PortAudio starts here take this thread's name: give them
     * their own (top -H shows "purg-audio", not a second "purg-synth") */
    char self[16];
    util_thread_name_get(self, sizeof self);
    util_thread_name("purg-audio");
    int rc = start_stream(a);
    util_thread_name(self);
    return rc;
}

static int open_device(audio_t *a, char *err, size_t errlen)
{
    int saved = stderr_mute();
    PaError pe = Pa_Initialize();
    stderr_restore(saved);
    if (pe != paNoError) {
        util_snprintf(err, errlen, "cannot start the audio system (PortAudio: %s); "
                      "use --output FILE.wav to write a file instead", Pa_GetErrorText(pe));
        return PURG_EAUDIO;
    }
    a->pa_up = 1;
    if (Pa_GetDefaultOutputDevice() == paNoDevice) {
        util_snprintf(err, errlen, "no audio output device found; "
                      "use --output FILE.wav or set up ALSA/PulseAudio");
        return PURG_ENODEV;
    }
    int rc;
    if ((rc = ring_create(&a->samples, sizeof(int16_t) * AUDIO_CHANNELS, RING_FRAMES)) != 0 ||
        (rc = ring_create(&a->marks, sizeof(mark_t), MARKS)) != 0)
        return rc;
    /* open once now, so that a missing device is reported at start-up, and
     * close again: the first audio_write opens it for real */
    saved = stderr_mute();
    pe = open_stream(a);
    if (pe == paNoError)
        close_stream(a);
    else
        a->stream = NULL;
    stderr_restore(saved);
    if (pe != paNoError) {
        util_snprintf(err, errlen, "the audio output device cannot be opened (%s); "
                      "use --output FILE.wav or check ALSA/PulseAudio", Pa_GetErrorText(pe));
        return pe == paDeviceUnavailable ? PURG_ENODEV : PURG_EAUDIO;
    }
    return 0;
}

static int open_file(audio_t *a, const char *path, char *err, size_t errlen)
{
    if (!path || !*path) {
        util_snprintf(err, errlen, "no output file named");
        return PURG_EINVAL;
    }
    SF_INFO info = { .samplerate = AUDIO_RATE, .channels = AUDIO_CHANNELS };
    const char *dot = strrchr(path, '.');
    if (dot && strcasecmp(dot, ".flac") == 0)
        info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    else
        info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    a->sf = sf_open(path, SFM_WRITE, &info);
    if (!a->sf) {
        util_snprintf(err, errlen, "cannot write audio file %s: %s", path, sf_strerror(NULL));
        return PURG_EIO;
    }
    return 0;
}

int audio_open(audio_t **out, audio_kind_t kind, const char *path, char *err, size_t errlen)
{
    audio_t *a = calloc(1, sizeof *a);
    if (!a) {
        util_snprintf(err, errlen, "out of memory");
        return PURG_ENOMEM;
    }
    a->kind = kind;
    atomic_init(&a->idle, 0);
    atomic_init(&a->position, 0);
    atomic_init(&a->flush, 0);
    atomic_init(&a->paused, 0);
    atomic_init(&a->volume, 100);
    atomic_init(&a->rec_stop, 0);
    atomic_init(&a->rec_lost, 0);
    atomic_init(&a->rec, NULL);
    int rc = ring_create(&a->started, sizeof(started_t), MARKS);
    if (rc == 0) {
        if (kind == AUDIO_DEVICE)
            rc = open_device(a, err, errlen);
        else if (kind == AUDIO_WAV)
            rc = open_file(a, path, err, errlen);
    }
    if (rc != 0) {
        if (rc == PURG_ENOMEM)
            util_snprintf(err, errlen, "out of memory");
        audio_close(a);
        return rc;
    }
    *out = a;
    return 0;
}

/* Producer side of the records ring for sinks without a callback. */
static void note_started(audio_t *a, uint64_t id)
{
    started_t s = { id, util_now_ns() };
    ring_write(a->started, &s, 1);
}

void audio_mark(audio_t *a, uint64_t id)
{
    if (a->kind == AUDIO_DEVICE) {
        mark_t m = { id, a->frames_in };
        ring_write(a->marks, &m, 1);
    } else {
        note_started(a, id);
    }
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* How long the device takes to play n frames, in ms: 1..WAIT_MAX_MS. */
static int frames_ms(size_t n)
{
    size_t ms = n * 1000 / AUDIO_RATE + 1;
    return ms < WAIT_MAX_MS ? (int)ms : WAIT_MAX_MS;
}

int audio_write(audio_t *a, const int16_t *frames, size_t nframes)
{
    while (a->kind != AUDIO_DEVICE && atomic_load(&a->paused))
        sleep_ms(10); /* a file sink has no clock: pause holds the producer */
    if (a->kind != AUDIO_DEVICE && a->rec_sf) {
        sf_writef_short(a->rec_sf, frames, (sf_count_t)nframes);
        a->rec_frames += nframes;
    }
    if (a->kind != AUDIO_DEVICE) /* no clock: written is heard */
        atomic_store_explicit(&a->position, atomic_load_explicit(&a->position,
                              memory_order_relaxed) + nframes, memory_order_release);
    switch (a->kind) {
    case AUDIO_NULL:
        break;
    case AUDIO_WAV:
        if (sf_writef_short(a->sf, frames, (sf_count_t)nframes) != (sf_count_t)nframes)
            return PURG_EIO;
        break;
    case AUDIO_DEVICE:
        while (nframes > 0) {
            size_t n = ring_write(a->samples, frames, nframes);
            frames += n * AUDIO_CHANNELS;
            nframes -= n;
            a->frames_in += n;
            int rc = wake_stream(a);
            if (rc != 0)
                return rc; /* a full ring would wait forever for a device that is gone */
            if (nframes == 0)
                break;
            /* the ring is full (a line longer than it; wake_stream also
             * restarted a stream that ended while paused): sleep until the
             * callback has played what is left of this chunk */
            sleep_ms(frames_ms(nframes));
        }
        return 0;
    }
    return 0;
}

uint64_t audio_position(const audio_t *a)
{
    return atomic_load_explicit(&((audio_t *)a)->position, memory_order_acquire);
}

uint64_t audio_written(const audio_t *a)
{
    return a->kind == AUDIO_DEVICE ? a->frames_in : audio_position(a);
}

int audio_take_started(audio_t *a, uint64_t *id, int64_t *t_ns)
{
    started_t s;
    if (ring_read(a->started, &s, 1) == 0)
        return PURG_EEMPTY;
    *id = s.id;
    *t_ns = s.t_ns;
    return 0;
}

void audio_drain(audio_t *a)
{
    if (a->kind != AUDIO_DEVICE) {
        if (a->sf)
            sf_write_sync(a->sf);
        return;
    }
    /* until the ring is empty or the device gone; a pause holds the rest */
    while (!atomic_load(&a->paused) && !audio_settle(a, 0))
        ;
    /* what left the ring still sits in the device's buffer */
    const PaStreamInfo *info = a->stream ? Pa_GetStreamInfo(a->stream) : NULL;
    if (info)
        sleep_ms((int)(info->outputLatency * 1000.0) + 10);
}

int audio_settle(audio_t *a, size_t lead)
{
    if (a->kind != AUDIO_DEVICE)
        return 1;
    size_t queued = ring_readable(a->samples);
    if (queued <= lead)
        return 1;
    if (atomic_load(&a->paused)) {
        audio_kick(a); /* close a stream that went idle while paused, as the idle tick does */
        sleep_ms(WAIT_MAX_MS);
        return 0;
    }
    if (wake_stream(a) != 0)
        return 1; /* the device is gone: nothing will drain */
    sleep_ms(frames_ms(queued - lead));
    return 0;
}

void audio_close(audio_t *a)
{
    if (!a)
        return;
    close_stream(a);
    if (a->rec_running) {
        atomic_store(&a->rec_stop, 1);
        pthread_join(a->rec_thread, NULL);
    }
    if (a->rec_sf)
        sf_close(a->rec_sf);
    ring_free(atomic_load(&a->rec));
    if (a->pa_up)
        Pa_Terminate();
    if (a->sf)
        sf_close(a->sf);
    ring_free(a->samples);
    ring_free(a->marks);
    ring_free(a->started);
    free(a);
}

/* ---- presenter controls and the recording ------------------------------ */

void audio_flush(audio_t *a)
{
    atomic_store(&a->flush, 1);
}

void audio_set_paused(audio_t *a, int paused)
{
    atomic_store(&a->paused, paused ? 1 : 0);
}

int audio_paused(const audio_t *a)
{
    return atomic_load(&((audio_t *)a)->paused);
}

void audio_set_volume(audio_t *a, int percent)
{
    atomic_store(&a->volume, percent < 0 ? 0 : percent > AUDIO_VOLUME_MAX ? AUDIO_VOLUME_MAX : percent);
}

int audio_volume(const audio_t *a)
{
    return atomic_load(&((audio_t *)a)->volume);
}

size_t audio_buffered(const audio_t *a)
{
    return a->samples ? ring_readable(a->samples) : 0;
}

int audio_wants_kick(const audio_t *a)
{
    return a->kind == AUDIO_DEVICE && (a->stream || ring_readable(a->samples) > 0);
}

void audio_kick(audio_t *a)
{
    if (a->kind != AUDIO_DEVICE)
        return;
    int waiting = ring_readable(a->samples) > 0;
    if (!a->stream) {
        if (waiting)
            wake_stream(a); /* resumed after the stream was closed while paused */
        return;
    }
    int idle = atomic_load(&a->idle);
    if (!idle)
        return;
    /* the callback ended the stream: close it when nothing waits to be
     * played (or play is held), restart it when the producer's samples
     * arrived just as it ended or play resumed */
    if (idle == IDLE_CLOSE && (atomic_load(&a->paused) || !waiting))
        close_stream(a);
    else
        wake_stream(a);
}

/* The recorder thread: drains the tee ring into the file, so that the
 * callback never does I/O. Ends when told to and the ring is empty. */
static void *rec_main(void *arg)
{
    audio_t *a = arg;
    util_thread_name("purg-record");
    int16_t buf[4096 * AUDIO_CHANNELS];
    for (;;) {
        int stop = atomic_load(&a->rec_stop); /* read before the ring: no frame left behind */
        size_t n = ring_read(atomic_load(&a->rec), buf, 4096);
        if (n > 0) {
            sf_writef_short(a->rec_sf, buf, (sf_count_t)n);
            a->rec_frames += n;
            continue;
        }
        if (stop)
            break;
        sleep_ms(10);
    }
    return NULL;
}

static int open_sf(const char *path, SNDFILE **out, char *err, size_t errlen)
{
    SF_INFO info = { .samplerate = AUDIO_RATE, .channels = AUDIO_CHANNELS };
    const char *dot = strrchr(path, '.');
    if (dot && strcasecmp(dot, ".flac") == 0)
        info.format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    else if (dot && strcasecmp(dot, ".wav") == 0)
        info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    else {
        util_snprintf(err, errlen, "the recording %s must end in .wav or .flac", path);
        return PURG_EINVAL;
    }
    *out = sf_open(path, SFM_WRITE, &info);
    if (!*out) {
        util_snprintf(err, errlen, "cannot write the recording %s: %s", path, sf_strerror(NULL));
        return PURG_EIO;
    }
    return 0;
}

int audio_record(audio_t *a, const char *path, char *err, size_t errlen)
{
    if (a->rec_sf) {
        util_snprintf(err, errlen, "already recording");
        return PURG_EINVAL;
    }
    int rc = open_sf(path, &a->rec_sf, err, errlen);
    if (rc != 0 || a->kind != AUDIO_DEVICE)
        return rc; /* file sinks write the recording on the producer's thread */
    ring_t *r = NULL;
    if ((rc = ring_create(&r, sizeof(int16_t) * AUDIO_CHANNELS, REC_FRAMES)) != 0) {
        sf_close(a->rec_sf);
        a->rec_sf = NULL;
        util_snprintf(err, errlen, "out of memory");
        return rc;
    }
    atomic_store_explicit(&a->rec, r, memory_order_release); /* the callback may run */
    if (pthread_create(&a->rec_thread, NULL, rec_main, a) != 0) {
        util_snprintf(err, errlen, "cannot start the recorder thread");
        return PURG_EIO; /* audio_close frees the ring and closes the file */
    }
    a->rec_running = 1;
    return 0;
}

uint64_t audio_record_lost(const audio_t *a)
{
    return atomic_load(&((audio_t *)a)->rec_lost);
}
