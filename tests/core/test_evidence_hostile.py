"""Hostile files against the evidence readers: bombs, billion laughs, broken chunks, fuzzed variants.

The promise: `read_evidence` never raises, never hangs, never balloons memory, and says `unreadable:...`
when a part could not be read.
"""

from __future__ import annotations

import json
import logging
import struct
import tracemalloc
from collections import Counter

import numpy as np
import pytest

from miwake.core.evidence import KINDS, read_evidence
from miwake.core.results import EvidenceItem
from tests.evidence_helpers import (
    A1111_TEXT,
    BILLION_LAUGHS,
    PNG_SIG,
    c2pa_sign,
    comfy_prompt,
    exif_bytes,
    make_c2pa_signer,
    novelai_texts,
    png_bytes,
    png_with_chunks,
    save_bytes,
    stealth_image,
    write,
    xmp_packet,
    zlib_bomb,
)
from tests.helpers import _png_chunk, noise_image

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")  # Pillow on broken EXIF


def tokens(items):
    return [i.token() for i in items]


def read_bounded(path, mib: float | None = 64.0):
    """read_evidence under a Python-heap memory budget (measured in a second run). Time is not asserted here
    (tests assert no timings): a reader that decompressed a bomb would exceed the memory budget first."""
    items = read_evidence(path)
    assert isinstance(items, tuple) and all(isinstance(i, EvidenceItem) and i.kind in KINDS for i in items)
    if mib is not None:
        tracemalloc.start()
        try:
            assert read_evidence(path) == items
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < mib * 2**20, f"{path.name}: peak {peak / 2**20:.0f} MiB"
    return items


@pytest.fixture(scope="module")
def bomb():
    return zlib_bomb(1)  # ~1 MB that inflates to 1 GiB


def test_ztxt_bomb(tmp_path, bomb):
    p = write(tmp_path / "z.png", png_with_chunks([(b"zTXt", b"parameters\x00\x00" + bomb)]))
    items = read_bounded(p)
    assert tokens(items) == ["unreadable:png:zTXt"] and "inflates past" in items[0].fields["error"]


def test_itxt_bomb_next_to_good_text(tmp_path, bomb):
    good = b"parameters\x00" + A1111_TEXT.encode()
    p = write(tmp_path / "i.png", png_with_chunks([(b"iTXt", b"workflow\x00\x01\x00\x00\x00" + bomb), (b"tEXt", good)]))
    assert tokens(read_bounded(p)) == ["a1111:model=sd-v1-5", "unreadable:png:iTXt"]


def test_text_budget_is_bounded(tmp_path):
    chunk = (b"tEXt", b"Comment\x00" + b"x" * (3 << 20))
    p = write(tmp_path / "many.png", png_with_chunks([chunk] * 8))  # 24 MB of text, more than the 16 MB budget
    items = read_bounded(p, mib=96)
    assert "unreadable:png:tEXt" in tokens(items)


def test_chunk_claiming_gigabytes(tmp_path):
    base = png_bytes()
    evil = base[:33] + struct.pack(">I", 0x7FFFFFF0) + b"tEXt" + b"parameters\x00Steps: 1"
    items = read_bounded(write(tmp_path / "big.png", evil))
    assert "unreadable:png:tEXt" in tokens(items)
    huge = base[:33] + struct.pack(">I", 0xFFFFFFF0) + b"tEXt" + base[33:]
    assert tokens(read_bounded(write(tmp_path / "huge.png", huge))) == ["unreadable:png"]


def test_truncated_text_chunk(tmp_path):
    data = png_bytes(texts={"parameters": A1111_TEXT})
    cut = data[: data.find(b"tEXt") + 40]
    assert tokens(read_bounded(write(tmp_path / "t.png", cut))) == ["unreadable:png:tEXt"]


def test_many_tiny_chunks(tmp_path):
    base = png_bytes()
    p = write(tmp_path / "n.png", base[:33] + _png_chunk(b"abCd", b"") * 300_000 + base[33:])
    assert tokens(read_bounded(p, mib=None)) == ["unreadable:png"]


def test_invalid_utf8_text(tmp_path):
    bad = A1111_TEXT.encode().replace(b"watercolor", b"water\xff\xfe\xc3")
    p = write(tmp_path / "u.png", png_with_chunks([(b"iTXt", b"parameters\x00\x00\x00\x00\x00" + bad)]))
    e = read_bounded(p)[0]
    assert e.token() == "a1111:model=sd-v1-5" and "\ufffd" in e.fields["prompt"]
    p = write(tmp_path / "t.png", png_with_chunks([(b"tEXt", b"parameters\x00" + bad)]))  # falls back to Latin-1
    assert read_bounded(p)[0].fields["seed"] == "1234567890"


def test_xmp_billion_laughs_and_external_entity(tmp_path):
    items = read_bounded(write(tmp_path / "b.jpg", save_bytes("JPEG", xmp=BILLION_LAUGHS)))
    assert tokens(items) == ["unreadable:xmp"]
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x:xmpmeta xmlns:x="adobe:ns:meta/">&e;</x:xmpmeta>'
    assert tokens(read_bounded(write(tmp_path / "x.png", png_bytes(xmp=xxe)))) == ["unreadable:xmp"]
    broken = xmp_packet("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia")[:-60]
    assert tokens(read_bounded(write(tmp_path / "c.webp", save_bytes("WEBP", xmp=broken)))) == ["unreadable:xmp"]


def test_broken_json_and_deep_nesting(tmp_path):
    deep = "[" * 200_000 + "]" * 200_000
    texts = {
        "prompt": "{" + deep,
        "invokeai_metadata": '{"a": ' + deep + "}",
        "Software": "NovelAI",
        "Comment": "{nope",
    }
    items = read_bounded(write(tmp_path / "j.png", png_bytes(texts=texts)))
    assert sorted(tokens(items)) == ["unreadable:comfyui", "unreadable:invokeai", "unreadable:novelai"]


def test_pathological_parameter_lines(tmp_path):
    for name, text in (
        ("colons", "a: " * 300_000),
        ("words", "a " * 500_000 + "\nSteps: 1"),
        ("quotes", 'Steps: 1, x: "' + "\\" * 400_000),
        ("commas", "," * 1_000_000),
    ):
        read_bounded(write(tmp_path / f"{name}.png", png_bytes(texts={"parameters": text})))


def test_hostile_exif(tmp_path):
    ex = bytearray(exif_bytes(user_comment=b"UNICODE\x00" + A1111_TEXT.encode("utf-16-be"), software="Midjourney"))
    ex[10:14] = b"\xff\xff\xff\x7f"  # first IFD offset far past the end
    for fmt in ("JPEG", "WEBP"):
        items = read_bounded(write(tmp_path / f"e.{fmt.lower()}", save_bytes(fmt, exif=bytes(ex))))
        assert all(i.kind == "unreadable" for i in items)
    odd = exif_bytes(user_comment=b"UNICODE\x00\xd8\x00" * 50, software="\x00" * 10)  # lone surrogates
    read_bounded(write(tmp_path / "o.jpg", save_bytes("JPEG", exif=odd)))


def test_stealth_hostile_payloads(tmp_path):
    lying = stealth_image(b'{"a": 1}', length_bits=0xFFFFFFF0)
    assert tokens(read_bounded(write(tmp_path / "l.png", save_bytes("PNG", lying)))) == ["unreadable:novelai"]
    bomb_payload = b"stealth_pngcomp"
    img = stealth_image(b"", magic=bomb_payload)  # empty gzip is fine; now a gzip bomb
    import gzip

    gz = gzip.compress(b"{" + b" " * (64 << 20) + b"}", compresslevel=9)
    bits = np.unpackbits(np.frombuffer(bomb_payload + (len(gz) * 8).to_bytes(4, "big") + gz, np.uint8))
    side = int(np.ceil(np.sqrt(bits.size))) + 1
    arr = np.full((side, side, 4), 200, np.uint8)
    flat = arr[..., 3:4].transpose(1, 0, 2).reshape(-1).copy()
    flat[: bits.size] = (flat[: bits.size] & 0xFE) | bits
    arr[..., 3:4] = flat.reshape(side, side, 1).transpose(1, 0, 2)
    from PIL import Image

    p = write(tmp_path / "gz.png", save_bytes("PNG", Image.fromarray(arr, "RGBA")))
    assert tokens(read_bounded(p, mib=96)) == ["unreadable:novelai"]
    empty = tokens(read_bounded(write(tmp_path / "empty.png", save_bytes("PNG", img))))
    assert not any(t.startswith("unreadable") for t in empty)  # an empty payload is well formed, not a bomb


def test_random_bytes_behind_signatures(tmp_path):
    rng = np.random.default_rng(7)
    heads = [
        PNG_SIG,
        b"\xff\xd8",
        b"RIFF\x00\x10\x00\x00WEBP",
        b"II*\x00",
        b"MM\x00*",
        b"GIF89a",
        b"\x00\x00\x00\x18ftypavif",
        b"BM",
        b"",
    ]
    for i, head in enumerate(heads):
        for n in (0, 7, 100, 5000):
            read_bounded(write(tmp_path / f"r{i}_{n}.img", head + rng.bytes(n)))


@pytest.fixture(scope="module")
def signed_png():
    pytest.importorskip("c2pa")
    return c2pa_sign(
        make_c2pa_signer(), save_bytes("PNG", noise_image(80, 60, 3)), "image/png", "trainedAlgorithmicMedia"
    )


def test_broken_c2pa_stores(tmp_path, signed_png):
    assert tokens(read_evidence(write(tmp_path / "ok.png", signed_png))) == ["c2pa:trainedAlgorithmicMedia"]
    at = signed_png.find(b"caBX")
    length = struct.unpack(">I", signed_png[at - 4 : at])[0]
    seen = set()
    for k, offset in enumerate((40, 100, 300, length // 2, length - 200)):
        d = bytearray(signed_png)
        d[at + 4 + offset : at + 4 + offset + 16] = b"\xa5" * 16
        seen.update(tokens(read_bounded(write(tmp_path / f"b{k}.png", bytes(d)))))
    d = bytearray(signed_png)
    d[at + 4 : at + 4 + length] = bytes(length)  # a zeroed JUMBF store
    seen.update(tokens(read_bounded(write(tmp_path / "zero.png", bytes(d)))))
    assert "unreadable:c2pa" in seen
    cut = signed_png[: at + 4 + length // 3]
    assert "unreadable:png:caBX" not in tokens(read_bounded(write(tmp_path / "cut.png", cut)))
    jpeg_jumbf = (
        save_bytes("JPEG")[:2]
        + b"\xff\xeb\x00\x20JP\x00\x01\x00\x00\x00\x01\x00\x00\x00\x18jumbc2pa"
        + b"\x00" * 8
        + save_bytes("JPEG")[2:]
    )
    read_bounded(write(tmp_path / "j.jpg", jpeg_jumbf))


# -- fuzzing ----------------------------------------------------------------------------------------------
def _seeds(signed: bytes | None) -> list[tuple[str, bytes]]:
    ex = exif_bytes(
        user_comment=b"UNICODE\x00" + A1111_TEXT.encode("utf-16-be"),
        software="Midjourney",
        tags={0x0110: "prompt:" + json.dumps(comfy_prompt())},
    )
    pk = xmp_packet(
        "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", creator_tool="Adobe Firefly"
    )
    seeds = [
        (
            "png",
            png_bytes(
                texts={"parameters": A1111_TEXT, "prompt": json.dumps(comfy_prompt())}, zip=True, exif=ex, xmp=pk
            ),
        ),
        ("png", png_bytes(texts=novelai_texts(), itxt=True, zip=True)),
        ("png", save_bytes("PNG", stealth_image(json.dumps(novelai_texts()).encode()))),
        ("jpg", save_bytes("JPEG", exif=ex, xmp=pk)),
        ("webp", save_bytes("WEBP", exif=ex, xmp=pk)),
        ("tif", save_bytes("TIFF", exif=ex)),
        (
            "png",
            png_bytes(noise_image(320, 288, 4), texts={"parameters": A1111_TEXT}),
        ),  # big enough for the watermark decoder
        ("webp", save_bytes("WEBP", noise_image(320, 288, 5), exif=ex, lossless=True)),
    ]
    if signed is not None:
        seeds.append(("png", signed))
    return seeds


def _mutate(rng: np.random.Generator, data: bytes) -> bytes:
    d = bytearray(data)
    op = int(rng.integers(0, 6))
    if op == 0:  # flip a few bytes
        for _ in range(int(rng.integers(1, 20))):
            d[int(rng.integers(0, len(d)))] = int(rng.integers(0, 256))
    elif op == 1:  # truncate
        del d[int(rng.integers(1, len(d))) :]
    elif op == 2:  # insert random bytes
        at = int(rng.integers(0, len(d)))
        d[at:at] = rng.bytes(int(rng.integers(1, 400)))
    elif op == 3:  # duplicate a slice (repeated chunks/segments)
        a = int(rng.integers(0, len(d)))
        b = min(len(d), a + int(rng.integers(1, 2000)))
        d[b:b] = d[a:b] * int(rng.integers(1, 4))
    elif op == 4:  # a wild 32-bit length/offset
        at = int(rng.integers(0, max(1, len(d) - 4)))
        d[at : at + 4] = struct.pack(">I", int(rng.choice([0, 1, 0x7FFFFFFF, 0xFFFFFFFF, 0x10000, len(d) * 2])))
    else:  # zero a range
        a = int(rng.integers(0, len(d)))
        d[a : a + int(rng.integers(1, 300))] = bytes(min(len(d) - a, 300))[: int(rng.integers(1, 300))]
    return bytes(d)


def test_fuzzed_files(tmp_path, caplog, request):
    signed = None
    try:
        signed = request.getfixturevalue("signed_png")
    except pytest.skip.Exception:
        pass
    seeds = _seeds(signed)
    rng = np.random.default_rng(20240601)
    found: Counter[str] = Counter()
    with caplog.at_level(logging.WARNING, logger="core"):
        for i in range(600):
            ext, data = seeds[i % len(seeds)]
            if rng.random() < 0.3:
                data = _mutate(rng, data)
            data = _mutate(rng, data)
            p = write(tmp_path / f"f{i}.{ext}", data)
            items = read_evidence(p)
            assert isinstance(items, tuple) and all(i.kind in KINDS for i in items)
            assert all(";" not in i.token() and "\n" not in i.token() for i in items)
            found.update(i.kind for i in items)
            p.unlink()
    crashes = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    assert not crashes, crashes  # every problem was handled where it arises, not by the last-resort guard
    assert found["unreadable"] > 20 and found["a1111"] > 20  # the mutations hit both readable and broken parts
