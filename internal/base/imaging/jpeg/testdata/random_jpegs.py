#!/usr/bin/env python3
"""Writes random JPEG files and Pillow's RGB bytes for each.

usage: random_jpegs.py OUTDIR COUNT SEED

Files come from Pillow (random size, quality, subsampling, progressive,
optimised Huffman tables, greyscale) and, when libjpeg-turbo's cjpeg is on
$PATH, from cjpeg (every sampling it accepts, restart intervals, Adobe RGB,
random progressive scan scripts that leave coefficients unrefined, and
files cut short inside a scan); some get a few bytes of entropy-coded data
corrupted. For each NAME.jpg Pillow could decode,
NAME.rgb holds Image.open(p).convert("RGB").tobytes(); files Pillow refused
get no .rgb. Used by TestRandomAgainstPillow.
"""
import os
import random
import shutil
import subprocess
import sys

from PIL import Image, ImageDraw


def picture(rnd, w, h):
    im = Image.effect_noise((w, h), rnd.choice([5, 30, 80])).convert("RGB")
    ramp = Image.linear_gradient("L").resize((w, h))
    im = Image.merge("RGB", (ramp, im.split()[1], ramp.rotate(90).resize((w, h))))
    d = ImageDraw.Draw(im)
    for _ in range(rnd.randrange(0, 8)):
        x0, y0 = rnd.randrange(w), rnd.randrange(h)
        d.rectangle([x0, y0, x0 + rnd.randrange(1, w + 1), y0 + rnd.randrange(1, h + 1)],
                    fill=tuple(rnd.randrange(256) for _ in range(3)))
    return im


def scan_script(rnd, ncomp):
    """A valid progressive script that may leave coefficients unsent or
    unrefined (which makes libjpeg smooth blocks)."""
    comps = " ".join(str(c) for c in range(ncomp))
    dcal = rnd.choice([0, 0, 1, 2])
    lines = []
    if ncomp == 1 or rnd.random() < 0.7:
        lines.append("%s: 0 0 0 %d;" % (comps, dcal))
    else:
        lines += ["%d: 0 0 0 %d;" % (c, dcal) for c in range(ncomp)]
    first, refine = [], []
    for c in range(ncomp):
        if rnd.random() < 0.2:
            continue
        ss = 1
        while ss <= 63 and rnd.random() < 0.85:
            se = min(63, ss + rnd.randrange(0, 20))
            al = rnd.choice([0, 0, 1, 2])
            first.append("%d: %d %d 0 %d;" % (c, ss, se, al))
            while al > 0 and rnd.random() < 0.6:
                refine.append((al, "%d: %d %d %d %d;" % (c, ss, se, al, al - 1)))
                al -= 1
            ss = se + 1
    rnd.shuffle(first)
    refine.sort(key=lambda t: -t[0])
    lines += first + [r for _, r in refine]
    while dcal > 0 and rnd.random() < 0.6:
        lines.append("%s: 0 0 %d %d;" % (comps, dcal, dcal - 1))
        dcal -= 1
    return "\n".join(lines) + "\n"


def main():
    out, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(seed)
    have_cjpeg = shutil.which("cjpeg") is not None
    for i in range(count):
        name = os.path.join(out, "r%04d" % i)
        w = rnd.choice([rnd.randrange(1, 40), rnd.randrange(1, 400)])
        h = rnd.choice([rnd.randrange(1, 40), rnd.randrange(1, 300)])
        im = picture(rnd, w, h)
        grey = rnd.random() < 0.15
        if grey:
            im = im.convert("L")
        if not have_cjpeg or rnd.random() < 0.4:
            kw = dict(quality=rnd.randrange(1, 101), progressive=rnd.random() < 0.4,
                      optimize=rnd.random() < 0.3)
            if not grey:
                kw["subsampling"] = rnd.choice([0, 1, 2])
            try:
                im.save(name + ".jpg", **kw)
            except OSError:
                # Pillow's encoder fails on some tiny optimised images.
                continue
        else:
            src = os.path.join(out, "src.pgm" if grey else "src.ppm")
            im.save(src)
            args = ["cjpeg", "-quality", str(rnd.randrange(1, 101))]
            if not grey:
                args += ["-sample", rnd.choice([
                    "1x1", "2x1", "1x2", "2x2", "4x1", "1x4", "4x2", "2x4", "4x4",
                    "2x2,1x2,1x2", "2x2,2x1,2x1", "2x1,1x1,2x1"])]
                if rnd.random() < 0.1:
                    args.append("-rgb")
            p = rnd.random()
            if p < 0.25:
                script = os.path.join(out, "scans.txt")
                with open(script, "w") as f:
                    f.write(scan_script(rnd, 1 if grey else 3))
                args += ["-progressive", "-scans", script]
            elif p < 0.5:
                args.append("-progressive")
            if rnd.random() < 0.3:
                args += ["-restart", rnd.choice(["1", "2", "1B", "3B", "7B"])]
            if rnd.random() < 0.2:
                args.append("-optimize")
            args += ["-outfile", name + ".jpg", src]
            if subprocess.run(args, capture_output=True).returncode != 0:
                continue
            if rnd.random() < 0.15:
                data = open(name + ".jpg", "rb").read()
                sos = data.index(b"\xff\xda")
                cut = rnd.randrange(sos + 12, len(data))
                open(name + ".jpg", "wb").write(data[:cut] + b"\xff\xd9")
        if rnd.random() < 0.15:
            # Corrupt a few bytes of entropy-coded data (or whatever
            # follows the first scan header).
            data = bytearray(open(name + ".jpg", "rb").read())
            sos = data.index(b"\xff\xda")
            start = sos + 2 + int.from_bytes(data[sos + 2:sos + 4], "big")
            if start < len(data) - 2:
                for _ in range(rnd.choice([1, 1, 2, 5])):
                    p = rnd.randrange(start, len(data) - 2)
                    if rnd.random() < 0.5:
                        data[p] ^= 1 << rnd.randrange(8)
                    else:
                        data[p] = rnd.randrange(256)
                open(name + ".jpg", "wb").write(bytes(data))
        try:
            rgb = Image.open(name + ".jpg").convert("RGB").tobytes()
        except Exception:
            continue
        with open(name + ".rgb", "wb") as f:
            f.write(rgb)


if __name__ == "__main__":
    main()
