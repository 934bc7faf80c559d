/* voice.h - what a speaker sounds like: a plain value copied between threads. */
#ifndef PURG_VOICE_H
#define PURG_VOICE_H

#define VOICE_NAME_MAX 64

typedef struct voice {
    char name[VOICE_NAME_MAX]; /* espeak-ng voice with optional variant: "en-us+m3" */
    int pitch;                 /* espeak-ng base pitch, 0..100 (50 = normal) */
    int range;                 /* espeak-ng pitch range, 0..100 (50 = normal) */
    int rate;                  /* words per minute, 80..450 (175 = normal) */
    int pan;                   /* stereo place, -100 (left) .. 0 (centre) .. 100 (right) */
} voice_t;

#endif
