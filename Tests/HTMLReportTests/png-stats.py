#!/usr/bin/env python3
"""Prints 'WIDTH HEIGHT VARIANCE DARK_FRACTION' of an 8-bit RGB(A) PNG (the grey level's
variance over all pixels, and the share of pixels darker than mid-grey), with the standard
library only: a blank page gives a variance near 0. Usage: png-stats.py FILE.png"""
import struct, sys, zlib

data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
offset, idat, header = 8, b"", None
while offset < len(data):
    length, kind = struct.unpack(">I4s", data[offset:offset + 8])
    body = data[offset + 8:offset + 8 + length]
    if kind == b"IHDR":
        header = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    offset += 12 + length
width, height, depth, colour, _, _, interlace = header
assert depth == 8 and colour in (2, 6) and interlace == 0, "expects 8-bit RGB or RGBA, not interlaced"
channels = 3 if colour == 2 else 4
stride = width * channels
raw = zlib.decompress(idat)
previous = bytearray(stride)
total = total_sq = dark = 0
for y in range(height):
    kind = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        left = line[i - channels] if i >= channels else 0
        up = previous[i]
        corner = previous[i - channels] if i >= channels else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            line[i] = (line[i] + predictor) & 0xFF
    for x in range(0, stride, channels):
        grey = (line[x] + line[x + 1] + line[x + 2]) // 3
        total += grey
        total_sq += grey * grey
        dark += grey < 128
    previous = line
count = width * height
mean = total / count
print(width, height, round(total_sq / count - mean * mean, 3), round(dark / count, 5))
