"""A video for Chromium's fake camera (`--use-file-for-fake-video-capture=FILE.y4m`), made at test time.

The video shows each subject (a sprite on a light grey table) for `seconds` in turn and loops. A coloured
strip down its left edge says which subject is showing: strip colour i for subject i. The strip lies
outside the frame's centred square (the crop the page takes, and the camera preview shows), so the models
never see it, but a test can read it from the <video> to know what the camera is filming.

Y4M (YUV4MPEG2): a text header, then per frame "FRAME\\n" and the Y, U and V planes (4:2:0, BT.601 full
range, the "C420jpeg" chroma siting Chromium's reader accepts).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

WIDTH, HEIGHT = 160, 120
STRIP = 12  # px: far left of the centred 120 × 120 square (x from 20)
MARKERS = [(220, 30, 30), (30, 170, 40), (40, 60, 220), (230, 200, 20)]
BACKGROUND = (228, 228, 228)


def frame(sprite: Path, marker: tuple[int, int, int], shift: int = 0) -> Image.Image:
    """One frame: the sprite, 96 px tall, on the table (moved by `shift` px, a camera is never still)."""
    im = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    s = Image.open(sprite).convert("RGBA")
    s.thumbnail((96, 96), Image.Resampling.LANCZOS)
    im.paste(s, ((WIDTH - s.width) // 2 + shift, (HEIGHT - s.height) // 2), s)
    im.paste(marker, (0, 0, STRIP, HEIGHT))
    return im


def yuv420(im: Image.Image) -> bytes:
    """BT.601 full-range Y, then U and V at half resolution (2 × 2 means)."""
    rgb = np.asarray(im, dtype=np.float64)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    u = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    v = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    half = lambda p: p.reshape(HEIGHT // 2, 2, WIDTH // 2, 2).mean(axis=(1, 3))  # noqa: E731
    planes = [y, half(u), half(v)]
    return b"".join(np.clip(np.rint(p), 0, 255).astype(np.uint8).tobytes() for p in planes)


def write_video(path: Path, sprites: list[Path], seconds: float = 3.0, fps: int = 10) -> Path:
    """The looping video of `sprites`, `seconds` each, at `fps` frames a second."""
    per = round(seconds * fps)
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for i, sprite in enumerate(sprites):
            planes = [yuv420(frame(sprite, MARKERS[i], shift)) for shift in (-1, 0, 1, 0)]
            for n in range(per):
                f.write(b"FRAME\n" + planes[n % len(planes)])
    return path


#: JavaScript for page.evaluate / wait_for_function: which subject the <video> shows now (its strip's
#: colour, the nearest of MARKERS), or -1 before the first frame.
SUBJECT_JS = """
(markers) => {
  const v = document.querySelector('.teach-video');
  if (!v || !v.videoWidth) return -1;
  const c = (window.__subjectCanvas ??= document.createElement('canvas'));
  c.width = v.videoWidth; c.height = v.videoHeight;
  const ctx = c.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(v, 0, 0);
  const [r, g, b] = ctx.getImageData(Math.floor(c.width * 3 / 160), Math.floor(c.height / 2), 1, 1).data;
  let best = -1, least = Infinity;
  markers.forEach(([R, G, B], i) => { const d = (r - R) ** 2 + (g - G) ** 2 + (b - B) ** 2; if (d < least) { least = d; best = i; } });
  return least < 60 * 60 * 3 ? best : -1;
}
"""
