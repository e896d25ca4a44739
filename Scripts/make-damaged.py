#!/usr/bin/env python3
"""Damaged copies of capture files, for checking that cipherscope never crashes on them.

    Scripts/make-damaged.py SRC... OUTDIR

For the SRC captures (sorted by name, as given) writes into OUTDIR:

  cut-NAME     truncated at a random byte after the 24-byte file header
  flip-NAME    24 random bits flipped after the first 32 bytes (files over 64 bytes)
  splice-NAME  a random head of NAME followed by a random tail of the next SRC

with fixed seeds (2026_11_30, 42 and 7) and the same 64-bit linear congruential
generator as Tests/CLITests/DamagedCaptureTests.swift, so the files are
byte-for-byte those the test suite damages in memory (a test checks that they
agree). `cipherscope analyze` must read every one with exit status 0 or 2 (never a
signal), name the file, frame and byte offset of the damage on standard error, and
report the flows before it.
"""
import os
import sys

MASK = (1 << 64) - 1


class Generator:
    def __init__(self, state):
        self.state = state

    def next(self, bound):
        self.state = (self.state * 6364136223846793005 + 1442695040888963407) & MASK
        return (self.state >> 33) % max(bound, 1)


def truncated(captures):
    random = Generator(2026_11_30)
    for path in captures:
        data = open(path, "rb").read()
        cut = 24 + random.next(max(len(data) - 24, 1))
        yield "cut-" + os.path.basename(path), data[:cut]


def flipped(captures):
    random = Generator(42)
    for path in captures:
        data = bytearray(open(path, "rb").read())
        if len(data) <= 64:
            continue
        for _ in range(24):
            index = 32 + random.next(len(data) - 32)
            data[index] ^= 1 << random.next(8)
        yield "flip-" + os.path.basename(path), bytes(data)


def spliced(captures):
    random = Generator(7)
    for index, path in enumerate(captures):
        head = open(path, "rb").read()
        tail = open(captures[(index + 1) % len(captures)], "rb").read()
        cut = 24 + random.next(max(len(head) - 24, 1))
        start = random.next(len(tail))
        yield "splice-" + os.path.basename(path), head[:cut] + tail[start:]


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 1
    *sources, outdir = sys.argv[1:]
    captures = sorted(sources, key=os.path.basename)
    os.makedirs(outdir, exist_ok=True)
    written = 0
    for variants in (truncated(captures), flipped(captures), spliced(captures)):
        for name, data in variants:
            with open(os.path.join(outdir, name), "wb") as out:
                out.write(data)
            written += 1
    print(f"{written} damaged captures in {outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
