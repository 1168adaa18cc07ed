"""Draws the app's icons (web/public/icons/*.png) with the standard library only: a white wave
with a dot riding its crest on leadwave's blue. Run it again after changing the drawing:

    python3 web/scripts/make_icons.py

icon-192.png, icon-512.png: a rounded square on a transparent background (the manifest's "any");
icon-maskable-512.png: full bleed, the mark inside the central 60% (the maskable safe zone is 80%);
apple-touch-icon.png (180): full bleed (iOS rounds the corners itself).
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "public" / "icons"
BLUE = (0x1F, 0x5F, 0xBF)
WHITE = (0xFF, 0xFF, 0xFF)


def _png(width: int, height: int, rgba: bytearray) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    stride = width * 4
    raw = b"".join(b"\0" + bytes(rgba[y * stride:(y + 1) * stride]) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _rounded_square_distance(x: float, y: float, radius: float) -> float:
    """Signed distance from (x, y) to the unit square with corners rounded by ``radius`` (< 0 inside)."""
    qx = abs(x - 0.5) - (0.5 - radius)
    qy = abs(y - 0.5) - (0.5 - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


X0, X1, MID, AMP, HALF, PERIODS = 0.1, 0.9, 0.6, 0.12, 0.062, 1.5
DOT_RADIUS = 0.082


def _wave(t: float) -> float:
    return MID - AMP * math.sin(2 * math.pi * PERIODS * (t - X0) / (X1 - X0))


WAVE = [(X0 + (X1 - X0) * i / 400, _wave(X0 + (X1 - X0) * i / 400)) for i in range(401)]
CREST = X0 + (X1 - X0) / (4 * PERIODS)  # the first crest: the lead riding the wave
DOT = (CREST, _wave(CREST) - HALF - 0.05 - DOT_RADIUS)


def _mark_distance(u: float, v: float) -> float:
    """Distance from (u, v) (the mark's own unit square) to the mark's edge (< 0 on the mark)."""
    best = math.hypot(u - DOT[0], v - DOT[1]) - DOT_RADIUS
    if abs(v - MID) > AMP + HALF + 0.05:
        return best
    step = (X1 - X0) / 400
    lo = max(0, int((u - X0 - HALF - 0.05) / step) - 1)
    hi = min(len(WAVE) - 1, int((u - X0 + HALF + 0.05) / step) + 1)
    for i in range(lo, hi):
        (ax, ay), (bx, by) = WAVE[i], WAVE[i + 1]
        dx, dy = bx - ax, by - ay
        t = min(1.0, max(0.0, ((u - ax) * dx + (v - ay) * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(u - ax - t * dx, v - ay - t * dy) - HALF)
    return best


def _coverage(distance: float, pixel: float) -> float:
    """How much of a pixel a shape covers, from the signed distance at its centre."""
    return min(1.0, max(0.0, 0.5 - distance / pixel))


def draw(size: int, *, full_bleed: bool, scale: float) -> bytes:
    rgba = bytearray(size * size * 4)
    pixel = 1 / size
    for py in range(size):
        for px in range(size):
            x, y = (px + 0.5) * pixel, (py + 0.5) * pixel
            back = 1.0 if full_bleed else _coverage(_rounded_square_distance(x, y, 0.22), pixel)
            if not back:
                continue
            mark = _coverage(_mark_distance((x - 0.5) / scale + 0.5, (y - 0.5) / scale + 0.5) * scale, pixel)
            i = (py * size + px) * 4
            rgba[i:i + 3] = bytes(round(b + (f - b) * mark) for b, f in zip(BLUE, WHITE, strict=True))
            rgba[i + 3] = round(255 * back)
    return _png(size, size, rgba)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, full_bleed, scale in (
        ("icon-192.png", 192, False, 0.78),
        ("icon-512.png", 512, False, 0.78),
        ("icon-maskable-512.png", 512, True, 0.6),
        ("apple-touch-icon.png", 180, True, 0.72),
    ):
        (OUT / name).write_bytes(draw(size, full_bleed=full_bleed, scale=scale))
        print(f"{OUT / name}")


if __name__ == "__main__":
    main()
