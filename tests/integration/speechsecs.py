#!/usr/bin/env python3
"""speechsecs.py FILE [RATE CHANNELS] - seconds of sound in a raw s16le file
(or a .wav), not counting runs of digital silence of 0.1 s or more.

The file-backed ALSA device runs far faster than real time, so PortAudio pads
every underrun with zeros; those runs say nothing about what was played.
Prints: "<sound seconds> <total seconds> <stretches>", where stretches counts
the runs of sound separated by at least 0.3 s of silence."""
import array
import sys
import wave


def main():
    path = sys.argv[1]
    rate = int(sys.argv[2]) if len(sys.argv) > 2 else 22050
    ch = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    if path.endswith(".wav"):
        with wave.open(path, "rb") as w:
            rate, ch = w.getframerate(), w.getnchannels()
            data = w.readframes(w.getnframes())
    else:
        with open(path, "rb") as f:
            data = f.read()
    a = array.array("h")
    a.frombytes(data[: len(data) - len(data) % (2 * ch)])
    frames = len(a) // ch
    min_gap, split_gap = rate // 10, rate * 3 // 10
    sound = 0
    stretches = 0
    zero_run = split_gap  # the start counts as after a long silence
    for i in range(frames):
        if any(a[i * ch + c] for c in range(ch)):
            if zero_run >= split_gap:
                stretches += 1
            if zero_run < min_gap:
                sound += zero_run  # a short pause inside speech counts
            sound += 1
            zero_run = 0
        else:
            zero_run += 1
    print("%.3f %.3f %d" % (sound / rate, frames / rate, stretches))


if __name__ == "__main__":
    main()
