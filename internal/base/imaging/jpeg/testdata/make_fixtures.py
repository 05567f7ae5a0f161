#!/usr/bin/env python3
"""Regenerates the JPEG fixtures in this folder and their golden RGB bytes.

Needs Pillow 9.4 (Debian bookworm: apt-get install python3-pil) and
libjpeg-turbo's cjpeg/jpegtran (apt-get install libjpeg-turbo-progs).
Run from this folder: python3 make_fixtures.py

Each NAME.jpg gets NAME.rgb, Pillow's Image.open(p).convert("RGB").tobytes().
Files named refuse-*.jpg are ones the Go decoder must refuse; they get no
golden. `go test -run Golden -update` rewrites only the .rgb files.
"""
import os
import random
import subprocess
import tempfile

from PIL import Image, ImageDraw


def picture(w, h, seed=1):
    """A deterministic test picture: gradients, shapes, noise, sharp edges."""
    rnd = random.Random(seed)
    im = Image.new("RGB", (w, h))
    px = im.load()
    for y in range(h):
        for x in range(w):
            px[x, y] = ((x * 255) // max(w - 1, 1), (y * 255) // max(h - 1, 1),
                        ((x + y) * 7 + rnd.randrange(40)) % 256)
    d = ImageDraw.Draw(im)
    for _ in range(6):
        x0, y0 = rnd.randrange(w), rnd.randrange(h)
        x1, y1 = x0 + rnd.randrange(1, w // 2 + 2), y0 + rnd.randrange(1, h // 2 + 2)
        col = tuple(rnd.randrange(256) for _ in range(3))
        if rnd.random() < 0.5:
            d.ellipse([x0, y0, x1, y1], fill=col)
        else:
            d.rectangle([x0, y0, x1, y1], outline=col, width=2)
    return im


def run(*args):
    subprocess.run(args, check=True)


def main():
    tmp = tempfile.mkdtemp()
    big = picture(61, 45, seed=7)
    odd = picture(17, 13, seed=3)
    tiny = picture(3, 2, seed=5)
    out = []

    def pil(name, im, **kw):
        im.save(name + ".jpg", quality=kw.pop("quality", 85), **kw)
        out.append(name)

    for sub, tag in ((0, "444"), (1, "422"), (2, "420")):
        pil("baseline-%s-61x45" % tag, big, subsampling=sub)
        pil("baseline-%s-17x13" % tag, odd, subsampling=sub)
        pil("progressive-%s-61x45" % tag, big, subsampling=sub, progressive=True)
        pil("progressive-%s-17x13" % tag, odd, subsampling=sub, progressive=True)
    pil("baseline-grey-61x45", big.convert("L"))
    pil("progressive-grey-17x13", odd.convert("L"), progressive=True)
    pil("baseline-420-3x2", tiny, subsampling=2)
    pil("baseline-422-3x2", tiny, subsampling=1)
    pil("baseline-420-q100-61x45", big, subsampling=2, quality=100)
    pil("baseline-420-q5-61x45", big, subsampling=2, quality=5)

    ppm = os.path.join(tmp, "big.ppm")
    big.save(ppm)
    pgm = os.path.join(tmp, "big.pgm")
    big.convert("L").save(pgm)

    def cj(name, *args, src=ppm):
        run("cjpeg", "-quality", "80", *args, "-outfile", name + ".jpg", src)
        out.append(name)

    cj("baseline-440-61x45", "-sample", "1x2")
    cj("baseline-411-61x45", "-sample", "4x1")
    cj("baseline-h2v2-c1x2-61x45", "-sample", "2x2,1x2,1x2")
    cj("baseline-420-restart1row-61x45", "-sample", "2x2", "-restart", "1")
    cj("baseline-444-restart3blk-61x45", "-sample", "1x1", "-restart", "3B")
    cj("progressive-420-restart2blk-61x45", "-sample", "2x2", "-progressive", "-restart", "2B")
    cj("progressive-440-61x45", "-sample", "1x2", "-progressive")
    cj("baseline-rgb-adobe-61x45", "-rgb")
    cj("baseline-grey-restart1-61x45", "-restart", "1", src=pgm)

    scripts = {
        # DC only: libjpeg interpolates DC and estimates 9 AC coefficients.
        "smooth-dconly": "0 1 2: 0 0 0 0;\n",
        # Successive approximation never finished: estimates capped by Al.
        "smooth-al1": ("0 1 2: 0 0 0 1;\n0: 1 5 0 2;\n2: 1 63 0 1;\n1: 1 63 0 1;\n"
                       "0: 6 63 0 2;\n0: 1 63 2 1;\n0 1 2: 0 0 1 0;\n"),
        # Luma has coefficients 1..9 exactly; chroma has DC only.
        "smooth-lumaac": "0 1 2: 0 0 0 0;\n0: 1 9 0 0;\n",
        # Sequential, one component per scan (buffered coefficients).
        "multiscan-sequential": "0: 0 63 0 0;\n1: 0 63 0 0;\n2: 0 63 0 0;\n",
    }
    for name, text in scripts.items():
        path = os.path.join(tmp, name + ".txt")
        with open(path, "w") as f:
            f.write(text)
        args = ["-sample", "2x2", "-scans", path]
        if name.startswith("smooth"):
            args.insert(0, "-progressive")
        cj(name + "-420-61x45", *args)
    # Narrow: luma 2 blocks wide, chroma 1, where libjpeg-turbo 2.1's DC
    # window keeps a stale column.
    narrow = os.path.join(tmp, "narrow.ppm")
    picture(13, 40, seed=11).save(narrow)
    cj("smooth-dconly-420-13x40", "-progressive", "-sample", "2x2", "-scans",
       os.path.join(tmp, "smooth-dconly.txt"), src=narrow)
    cj("smooth-al1-422-13x40", "-progressive", "-sample", "2x1", "-scans",
       os.path.join(tmp, "smooth-al1.txt"), src=narrow)
    path = os.path.join(tmp, "dc.txt")
    with open(path, "w") as f:
        f.write("0: 0 0 0 0;\n")
    cj("smooth-dconly-grey-61x45", "-progressive", "-scans", path, src=pgm)

    # A Motion-JPEG style frame: standard Huffman tables left out.
    run("cjpeg", "-quality", "80", "-sample", "2x1", "-outfile", os.path.join(tmp, "std.jpg"), ppm)
    data = open(os.path.join(tmp, "std.jpg"), "rb").read()
    i, kept = 2, bytearray(data[:2])
    while i < len(data):
        marker, n = data[i + 1], int.from_bytes(data[i + 2:i + 4], "big")
        if marker != 0xC4:
            kept += data[i:i + 2 + n]
        if marker == 0xDA:
            kept += data[i + 2 + n:]
            break
        i += 2 + n
    open("nodht-422-61x45.jpg", "wb").write(bytes(kept))
    out.append("nodht-422-61x45")

    # Scans cut short by a marker: libjpeg pads with zero bits and goes on,
    # and so does Pillow.
    def cut(name, src, scan, frac):
        data = open(src + ".jpg", "rb").read()
        sos = [i for i in range(len(data) - 1) if data[i] == 0xFF and data[i + 1] == 0xDA]
        start = sos[scan]
        end = sos[scan + 1] if scan + 1 < len(sos) else len(data) - 2
        open(name + ".jpg", "wb").write(data[:start + int((end - start) * frac)] + b"\xff\xd9")
        out.append(name)

    cut("cut-baseline-420-61x45", "baseline-420-61x45", 0, 0.5)
    # Decoding zero bits piles up DC differences until 16-bit lanes
    # overflow, where libjpeg-turbo's SIMD IDCT (Pillow's) and its C IDCT
    # disagree.
    cj("lowq-420-61x45", "-quality", "5", "-sample", "2x2")
    out.pop()
    cut("cut-lowq-420-61x45", "lowq-420-61x45", 0, 0.5)
    os.remove("lowq-420-61x45.jpg")
    cj("q30-420-61x45", "-quality", "30", "-sample", "2x2")
    out.pop()
    cut("cut-q30-420-61x45", "q30-420-61x45", 0, 0.3)
    os.remove("q30-420-61x45.jpg")
    cut("cut-restart-420-61x45", "baseline-420-restart1row-61x45", 0, 0.6)
    cut("cut-progressive-420-midscan-61x45", "progressive-420-61x45", 3, 0.5)
    cut("cut-progressive-420-scanend-61x45", "progressive-420-61x45", 5, 0.0)
    cut("cut-progressive-444-dc-61x45", "progressive-444-61x45", 0, 0.7)
    # Cut in an AC scan that follows others: rows the scan did not reach
    # are smoothed with the coefficient bits from before it.
    cut("cut-smooth-al1-420-61x45", "smooth-al1-420-61x45", 4, 0.5)
    cut("cut-smooth-lumaac-420-61x45", "smooth-lumaac-420-61x45", 1, 0.4)

    # Restart markers out of sequence or missing: libjpeg resynchronises
    # (jpeg_resync_to_restart) and Pillow decodes the file.
    def rst(name, src, fn):
        data = bytearray(open(src + ".jpg", "rb").read())
        sos = data.index(b"\xff\xda")
        at = [i for i in range(sos, len(data) - 1) if data[i] == 0xFF and 0xD0 <= data[i + 1] <= 0xD7]
        open(name + ".jpg", "wb").write(bytes(fn(data, at)))
        out.append(name)

    def renumber(data, at):
        data[at[2] + 1] = 0xD0 + (data[at[2] + 1] - 0xD0 + 3) % 8
        data[at[9] + 1] = 0xD0 + (data[at[9] + 1] - 0xD0 + 7) % 8
        return data

    def drop(data, at):
        return data[:at[4]] + data[at[4] + 2:]

    rst("badrst-444-restart3blk-61x45", "baseline-444-restart3blk-61x45", renumber)
    rst("droprst-444-restart3blk-61x45", "baseline-444-restart3blk-61x45", drop)
    rst("badrst-420-progressive-61x45", "progressive-420-restart2blk-61x45", renumber)

    # Refused: CMYK and arithmetic coding.
    big.convert("CMYK").save("refuse-cmyk.jpg", quality=80)
    run("cjpeg", "-arithmetic", "-outfile", "refuse-arithmetic.jpg", ppm)

    for name in out:
        rgb = Image.open(name + ".jpg").convert("RGB").tobytes()
        with open(name + ".rgb", "wb") as f:
            f.write(rgb)
    print("wrote %d fixtures" % len(out))


if __name__ == "__main__":
    main()
