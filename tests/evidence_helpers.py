"""Files carrying provenance metadata, made by the tests (issue #6): generator text chunks, EXIF, XMP,
C2PA manifests signed with a throwaway CA, NovelAI stealth pixels, and hostile variants of them all."""

from __future__ import annotations

import datetime
import gzip
import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from tests.helpers import _png_chunk, noise_image

PNG_SIG = b"\x89PNG\r\n\x1a\n"
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
A1111_TEXT = (
    "a watercolor fox in the snow, highly detailed\n"
    "Negative prompt: blurry, lowres\n"
    "Steps: 28, Sampler: DPM++ 2M Karras, CFG scale: 6.5, Seed: 1234567890, Size: 512x768, "
    'Model hash: 6ce0161689, Model: sd-v1-5, Lora hashes: "fox: abc123, snow: def456", Version: v1.6.0'
)


def png_bytes(
    img: Image.Image | None = None,
    texts: dict[str, str] | None = None,
    *,
    itxt: bool = False,
    zip: bool = False,
    exif: bytes | None = None,
    xmp: bytes | None = None,
) -> bytes:
    img = img if img is not None else noise_image(64, 48, 1)
    info = PngInfo()
    for k, v in (texts or {}).items():
        if itxt:
            info.add_itxt(k, v, zip=zip)
        else:
            info.add_text(k, v, zip=zip)
    if xmp is not None:
        info.add_itxt("XML:com.adobe.xmp", xmp.decode("utf-8"))
    buf = io.BytesIO()
    img.save(buf, "PNG", pnginfo=info, **({"exif": exif} if exif else {}))
    return buf.getvalue()


def png_with_chunks(chunks: list[tuple[bytes, bytes]], img: Image.Image | None = None) -> bytes:
    """A valid PNG with extra raw chunks inserted right after IHDR."""
    base = png_bytes(img)
    ihdr_end = 8 + 8 + 13 + 4
    extra = b"".join(_png_chunk(t, d) for t, d in chunks)
    return base[:ihdr_end] + extra + base[ihdr_end:]


def exif_bytes(
    *, user_comment: bytes | None = None, software: str | None = None, tags: dict[int, Any] | None = None
) -> bytes:
    ex = Image.Exif()
    if software is not None:
        ex[0x0131] = software
    for k, v in (tags or {}).items():
        ex[k] = v
    if user_comment is not None:
        ex.get_ifd(0x8769)[0x9286] = user_comment
    return ex.tobytes()


def save_bytes(fmt: str, img: Image.Image | None = None, **params: Any) -> bytes:
    img = img if img is not None else noise_image(64, 48, 2)
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def xmp_packet(dst: str | None = None, *, element: bool = False, creator_tool: str | None = None) -> bytes:
    attrs, body = "", ""
    if dst and not element:
        attrs += f' Iptc4xmpExt:DigitalSourceType="{dst}"'
    if dst and element:
        body += f'<Iptc4xmpExt:DigitalSourceType rdf:resource="{dst}"/>'
    if creator_tool:
        attrs += f' xmp:CreatorTool="{creator_tool}"'
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        f'xmlns:xmp="http://ns.adobe.com/xap/1.0/"{attrs}>{body}</rdf:Description></rdf:RDF></x:xmpmeta>'
        '<?xpacket end="w"?>'
    ).encode()


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b']><x:xmpmeta xmlns:x="adobe:ns:meta/">&lol9;</x:xmpmeta>'
)


def zlib_bomb(gib: int = 1) -> bytes:
    """A valid zlib stream of a few MB that inflates to `gib` GiB of zeros (full-flush blocks repeat exactly)."""
    co = zlib.compressobj(9)
    mb = bytes(1 << 20)
    first = co.compress(mb) + co.flush(zlib.Z_FULL_FLUSH)
    block = co.compress(mb) + co.flush(zlib.Z_FULL_FLUSH)
    n = gib << 10
    adler = 1
    for _ in range(n):
        adler = zlib.adler32(mb, adler)
    return first[:2] + block * n + b"\x03\x00" + struct.pack(">I", adler)


def comfy_prompt(ckpt: str = "sd_xl_base_1.0.safetensors") -> dict[str, Any]:
    return {
        "3": {
            "class_type": "KSampler",
            "inputs": {
                "seed": 42,
                "steps": 25,
                "cfg": 7.0,
                "sampler_name": "euler",
                "scheduler": "normal",
                "denoise": 1.0,
                "model": ["4", 0],
                "positive": ["6", 0],
                "negative": ["7", 0],
                "latent_image": ["5", 0],
            },
        },
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": ckpt}},
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 1024, "height": 1024, "batch_size": 1}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a lighthouse at dusk", "clip": ["4", 1]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "text, watermark", "clip": ["4", 1]}},
        "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}},
    }


def comfy_workflow(types: tuple[str, ...] = ("CheckpointLoaderSimple", "KSampler", "SaveImage")) -> dict[str, Any]:
    widgets = {
        "CheckpointLoaderSimple": ["v1-5-pruned.safetensors"],
        "KSampler": [7, "fixed", 20, 8, "euler", "normal", 1],
    }
    return {
        "last_node_id": len(types),
        "nodes": [{"id": i + 1, "type": t, "widgets_values": widgets.get(t, [])} for i, t in enumerate(types)],
        "links": [],
    }


def novelai_texts() -> dict[str, str]:
    comment = {
        "prompt": "1girl, cherry blossoms",
        "steps": 28,
        "height": 1216,
        "width": 832,
        "scale": 5.0,
        "seed": 3141592,
        "sampler": "k_euler_ancestral",
        "uc": "lowres, bad anatomy",
        "request_type": "PromptGenerationRequest",
        "signed_hash": "abc==",
    }
    return {
        "Title": "AI generated image",
        "Description": "1girl, cherry blossoms",
        "Software": "NovelAI",
        "Source": "NovelAI Diffusion V4.5 4BDE2A90",
        "Generation time": "5.2",
        "Comment": json.dumps(comment),
    }


def stealth_image(
    payload: bytes, magic: bytes = b"stealth_pngcomp", size: tuple[int, int] = (96, 80), length_bits: int | None = None
) -> Image.Image:
    """Hide `payload` in the alpha (or RGB) LSBs the way NovelAI does: column-major, magic + 32-bit length."""
    data = gzip.compress(payload) if magic.endswith(b"comp") else payload
    n = len(data) * 8 if length_bits is None else length_bits
    bits = np.unpackbits(np.frombuffer(magic + n.to_bytes(4, "big") + data, dtype=np.uint8))
    w, h = size
    arr = np.asarray(noise_image(w, h, 5).convert("RGBA")).copy()
    arr[..., 3] = 255
    if b"png" in magic:
        plane = arr[..., 3:4]
    else:
        plane = arr[..., :3]
    flat = plane.transpose(1, 0, 2).reshape(-1).copy()
    assert bits.size <= flat.size, "payload does not fit"
    flat[: bits.size] = (flat[: bits.size] & 0xFE) | bits
    plane[...] = flat.reshape(w, h, plane.shape[2]).transpose(1, 0, 2)
    return Image.fromarray(arr, "RGBA")


# -- C2PA: a throwaway CA and signer ----------------------------------------------------------------------
def make_c2pa_signer() -> Any:
    """An ES256 signer whose leaf certificate is issued by a CA made here (c2pa refuses self-signed leaves)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(cn: str) -> x509.Name:
        return x509.Name(
            [x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Miwake tests")]
        )

    def usage(ca: bool) -> x509.KeyUsage:
        return x509.KeyUsage(
            digital_signature=True,
            key_cert_sign=ca,
            crl_sign=ca,
            content_commitment=False,
            key_encipherment=False,
            data_encipherment=False,
            key_agreement=False,
            encipher_only=False,
            decipher_only=False,
        )

    now = datetime.datetime.now(datetime.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def builder(subject: x509.Name, issuer: x509.Name, pub: Any) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(pub)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=7))
        )

    ca = (
        builder(name("Miwake test CA"), name("Miwake test CA"), ca_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(usage(True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        builder(name("Miwake test signer"), ca.subject, key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage(False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    chain = leaf.public_bytes(serialization.Encoding.PEM) + ca.public_bytes(serialization.Encoding.PEM)
    pkey = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return chain, pkey


def c2pa_sign(
    signer_material: Any, src: bytes, mime: str, source_type: str | None, agent: str = "Test Generator"
) -> bytes:
    """`src` with a C2PA manifest whose one action is `c2pa.created` by `agent` (with `source_type`, if any).

    Without a source type the manifest is what older (claim v1) tools wrote; the SDK's own check after
    signing would refuse it, so that check is off for this case.
    """
    import c2pa

    chain, pkey = signer_material
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain, pkey, None))
    action: dict[str, Any] = {"action": "c2pa.created", "softwareAgent": {"name": agent, "version": "1.0"}}
    if source_type:
        action["digitalSourceType"] = IPTC + source_type
    manifest = {
        "claim_generator_info": [{"name": "Miwake tests", "version": "1"}],
        "title": "test image",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [action]}}],
    }
    out = io.BytesIO()
    ctx = None if source_type else c2pa.Context(c2pa.Settings.from_dict({"verify": {"verify_after_sign": False}}))
    with c2pa.Builder(manifest, context=ctx) as b:
        b.sign(signer, mime, io.BytesIO(src), out)
    signer.close()
    return out.getvalue()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
