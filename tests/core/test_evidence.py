"""Provenance evidence (issue #6): each kind read from files made here, the verdict rule, `miwake inspect`."""

from __future__ import annotations

import csv
import json
import threading

import pytest

from miwake.core.evidence import EVIDENCE_VERSION, KINDS, format_evidence, read_evidence
from miwake.core.reports import write_csv
from miwake.core.results import EvidenceItem, Reason, Verdict
from tests.evidence_helpers import (
    A1111_TEXT,
    c2pa_sign,
    comfy_prompt,
    comfy_workflow,
    exif_bytes,
    make_c2pa_signer,
    novelai_texts,
    png_bytes,
    save_bytes,
    stealth_image,
    write,
    xmp_packet,
)
from tests.helpers import noise_image


def only(items: tuple[EvidenceItem, ...], kind: str) -> EvidenceItem:
    found = [i for i in items if i.kind == kind]
    assert len(found) == 1, items
    return found[0]


def test_plain_image_has_no_evidence(tmp_path):
    for fmt, ext in (("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp"), ("TIFF", "tif"), ("GIF", "gif")):
        p = write(tmp_path / f"plain.{ext}", save_bytes(fmt, noise_image(300, 280, 3)))
        assert read_evidence(p) == (), fmt
    assert EVIDENCE_VERSION >= 1 and "unreadable" in KINDS


# -- generators -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("itxt,zip", [(False, False), (False, True), (True, False), (True, True)])
def test_a1111_parameters_png(tmp_path, itxt, zip):
    p = write(tmp_path / "a.png", png_bytes(texts={"parameters": A1111_TEXT}, itxt=itxt, zip=zip))
    e = only(read_evidence(p), "a1111")
    assert e.token() == "a1111:model=sd-v1-5" and e.states_ai
    f = e.fields
    assert f["prompt"] == "a watercolor fox in the snow, highly detailed"
    assert f["negative_prompt"] == "blurry, lowres"
    assert (f["seed"], f["steps"], f["sampler"], f["cfg_scale"]) == ("1234567890", "28", "DPM++ 2M Karras", "6.5")
    assert f["model_hash"] == "6ce0161689" and f["loras"] == "fox: abc123, snow: def456"


def test_a1111_forge_and_extras_only(tmp_path):
    forge = A1111_TEXT.replace("Version: v1.6.0", "Version: f2.0.1v1.10.1-previous-313")
    e = only(read_evidence(write(tmp_path / "f.png", png_bytes(texts={"parameters": forge}))), "a1111")
    assert e.fields["ui"] == "Forge" and e.states_ai
    extras = "Postprocess upscale by: 4, Postprocess upscaler: R-ESRGAN 4x+"
    e = only(read_evidence(write(tmp_path / "x.png", png_bytes(texts={"parameters": extras}))), "a1111")
    assert e.token() == "a1111:parameters" and not e.states_ai  # upscaling is not generation


def test_json_parameters_fooocus_and_swarmui(tmp_path):
    fooocus = {
        "Prompt": "a tiger",
        "Base Model": "juggernautXL_v8.safetensors",
        "Seed": 77,
        "Sampler": "dpmpp_2m_sde_gpu",
        "Guidance Scale": 4,
        "Version": "Fooocus v2.5.5",
    }
    e = only(read_evidence(write(tmp_path / "f.png", png_bytes(texts={"parameters": json.dumps(fooocus)}))), "a1111")
    assert e.token() == "a1111:model=juggernautXL_v8.safetensors" and e.fields["ui"] == "Fooocus v2.5.5" and e.states_ai
    swarm = {
        "sui_image_params": {
            "prompt": "a tiger",
            "model": "flux1-dev",
            "seed": 5,
            "steps": 20,
            "cfgscale": 1,
            "swarm_version": "0.9.4",
        }
    }
    e = only(read_evidence(write(tmp_path / "s.png", png_bytes(texts={"parameters": json.dumps(swarm)}))), "a1111")
    assert e.token() == "a1111:model=flux1-dev" and e.fields["ui"] == "SwarmUI 0.9.4" and e.fields["cfg_scale"] == "1"


@pytest.mark.parametrize(
    "fmt,prefix,encoding",
    [
        ("JPEG", b"UNICODE\x00", "utf-16-be"),
        ("JPEG", b"UNICODE\x00", "utf-16-le"),
        ("WEBP", b"UNICODE\x00", "utf-16-be"),
        ("WEBP", b"ASCII\x00\x00\x00", "ascii"),
    ],
)
def test_a1111_exif_user_comment(tmp_path, fmt, prefix, encoding):
    ex = exif_bytes(user_comment=prefix + A1111_TEXT.encode(encoding))
    p = write(tmp_path / f"a.{fmt.lower()}", save_bytes(fmt, exif=ex))
    e = only(read_evidence(p), "a1111")
    assert e.states_ai and e.fields["seed"] == "1234567890" and "UserComment" in e.fields["source"]


def test_ordinary_user_comment_is_not_evidence(tmp_path):
    ex = exif_bytes(user_comment=b"ASCII\x00\x00\x00Holiday in Kyoto, Steps: to the temple", software="GIMP 2.10")
    assert read_evidence(write(tmp_path / "c.jpg", save_bytes("JPEG", exif=ex))) == ()


def test_comfyui_png_prompt_and_workflow(tmp_path):
    texts = {"prompt": json.dumps(comfy_prompt()), "workflow": json.dumps(comfy_workflow())}
    e = only(read_evidence(write(tmp_path / "c.png", png_bytes(texts=texts))), "comfyui")
    assert e.token() == "comfyui:model=sd_xl_base_1.0.safetensors" and e.states_ai
    assert e.fields["prompt"] == "a lighthouse at dusk" and e.fields["negative_prompt"] == "text, watermark"
    assert (e.fields["seed"], e.fields["steps"], e.fields["sampler"]) == ("42", "25", "euler")
    assert e.fields["graph"] == "prompt+workflow"


def test_comfyui_workflow_only_and_non_generative(tmp_path):
    e = only(
        read_evidence(write(tmp_path / "w.png", png_bytes(texts={"workflow": json.dumps(comfy_workflow())}))), "comfyui"
    )
    assert e.states_ai and e.fields["model"] == "v1-5-pruned.safetensors" and e.fields["seed"] == "7"
    upscale = comfy_workflow(("LoadImage", "ImageScaleBy", "SaveImage"))
    e = only(read_evidence(write(tmp_path / "u.png", png_bytes(texts={"workflow": json.dumps(upscale)}))), "comfyui")
    assert e.token() == "comfyui:workflow" and not e.states_ai
    assert read_evidence(write(tmp_path / "p.png", png_bytes(texts={"prompt": "just a caption"}))) == ()


def test_comfyui_webp_exif_strings(tmp_path):
    ex = exif_bytes(
        tags={0x010F: "workflow:" + json.dumps(comfy_workflow()), 0x0110: "prompt:" + json.dumps(comfy_prompt())}
    )
    e = only(read_evidence(write(tmp_path / "c.webp", save_bytes("WEBP", exif=ex))), "comfyui")
    assert e.states_ai and e.fields["model"] == "sd_xl_base_1.0.safetensors"


def test_novelai_text_chunks(tmp_path):
    e = only(read_evidence(write(tmp_path / "n.png", png_bytes(texts=novelai_texts()))), "novelai")
    assert e.token() == "novelai:model=NovelAI Diffusion V4.5 4BDE2A90" and e.states_ai
    assert e.fields["seed"] == "3141592" and e.fields["negative_prompt"] == "lowres, bad anatomy"
    assert e.fields["size"] == "832x1216" and e.fields["prompt"] == "1girl, cherry blossoms"


def test_novelai_stealth_alpha_and_variants(tmp_path):
    payload = json.dumps({k: v for k, v in novelai_texts().items()}).encode()
    p = write(tmp_path / "s.png", save_bytes("PNG", stealth_image(payload)))
    e = only(read_evidence(p), "novelai")
    assert e.token() == "novelai:stealth" and e.states_ai and e.fields["seed"] == "3141592"
    assert "stealth_pngcomp" in e.fields["source"]
    p = write(tmp_path / "i.png", save_bytes("PNG", stealth_image(A1111_TEXT.encode(), b"stealth_pnginfo")))
    assert only(read_evidence(p), "a1111").fields["seed"] == "1234567890"
    p = write(tmp_path / "r.png", save_bytes("PNG", stealth_image(payload, b"stealth_rgbcomp").convert("RGB")))
    assert only(read_evidence(p), "novelai").detail == "stealth"


def test_invokeai_variants(tmp_path):
    meta = {
        "positive_prompt": "castle",
        "negative_prompt": "fog",
        "seed": 9,
        "steps": 30,
        "cfg_scale": 7.5,
        "scheduler": "euler",
        "width": 512,
        "height": 512,
        "model": {"model_name": "dreamshaper_8", "base_model": "sd-1"},
        "app_version": "3.4.0",
    }
    e = only(
        read_evidence(write(tmp_path / "i.png", png_bytes(texts={"invokeai_metadata": json.dumps(meta)}))), "invokeai"
    )
    assert e.token() == "invokeai:model=dreamshaper_8" and e.fields["prompt"] == "castle" and e.states_ai
    old = {
        "model_weights": "stable-diffusion-1.5",
        "app_version": "2.3.0",
        "image": {"prompt": [{"prompt": "a boat", "weight": 1}], "seed": 5, "steps": 50, "sampler": "k_lms"},
    }
    e = only(read_evidence(write(tmp_path / "o.png", png_bytes(texts={"sd-metadata": json.dumps(old)}))), "invokeai")
    assert e.fields["model"] == "stable-diffusion-1.5" and e.fields["prompt"] == "a boat"
    dream = '"a red bicycle" -s 50 -S 1592514025 -W 512 -H 512 -C 7.5 -A k_lms'
    e = only(read_evidence(write(tmp_path / "d.png", png_bytes(texts={"Dream": dream}))), "invokeai")
    assert (e.fields["prompt"], e.fields["seed"], e.fields["sampler"]) == ("a red bicycle", "1592514025", "k_lms")


@pytest.mark.parametrize(
    "software,expected",
    [
        ("Midjourney", "exif:Software=Midjourney"),
        ("Adobe Firefly", "exif:Software=Adobe Firefly"),
        ("DALL-E 3", "exif:Software=DALL-E 3"),
        ("Stable Diffusion XL", "exif:Software=Stable Diffusion XL"),
        ("Adobe Photoshop 25.0 (Windows)", None),
        ("GIMP 2.10", None),
    ],
)
def test_exif_software(tmp_path, software, expected):
    items = read_evidence(write(tmp_path / "s.jpg", save_bytes("JPEG", exif=exif_bytes(software=software))))
    assert [i.token() for i in items] == ([expected] if expected else [])
    assert all(i.states_ai for i in items)


def test_png_software_text(tmp_path):
    items = read_evidence(write(tmp_path / "s.png", png_bytes(texts={"Software": "DALL·E"})))
    assert [i.token() for i in items] == ["exif:Software=DALL·E"] and items[0].fields["generator"] == "DALL·E"


# -- IPTC / XMP -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
@pytest.mark.parametrize("element", [False, True])
def test_iptc_digital_source_type(tmp_path, fmt, element):
    pk = xmp_packet("http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia", element=element)
    data = png_bytes(xmp=pk) if fmt == "PNG" else save_bytes(fmt, xmp=pk)
    e = only(read_evidence(write(tmp_path / f"x.{fmt.lower()}", data)), "iptc")
    assert e.token() == "iptc:trainedAlgorithmicMedia" and e.states_ai
    cam = save_bytes("JPEG", xmp=xmp_packet("http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"))
    e = only(read_evidence(write(tmp_path / "cam.jpg", cam)), "iptc")
    assert e.token() == "iptc:digitalCapture" and not e.states_ai


def test_xmp_creator_tool(tmp_path):
    data = save_bytes(
        "JPEG",
        xmp=xmp_packet(
            "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia",
            creator_tool="Adobe Firefly",
        ),
    )
    items = read_evidence(write(tmp_path / "f.jpg", data))
    assert [i.token() for i in items] == ["iptc:compositeWithTrainedAlgorithmicMedia", "exif:CreatorTool=Adobe Firefly"]
    assert all(i.states_ai for i in items)


# -- C2PA -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def signer():
    pytest.importorskip("c2pa")
    return make_c2pa_signer()


@pytest.mark.parametrize(
    "fmt,mime", [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"), ("TIFF", "image/tiff")]
)
def test_c2pa_ai_manifest(tmp_path, signer, fmt, mime):
    src = save_bytes(fmt, noise_image(120, 90, 7))
    p = write(
        tmp_path / f"c.{fmt.lower()}", c2pa_sign(signer, src, mime, "trainedAlgorithmicMedia", agent="Image Maker")
    )
    e = only(read_evidence(p), "c2pa")
    assert e.token() == "c2pa:trainedAlgorithmicMedia" and e.states_ai
    f = e.fields
    assert f["validation_state"] in ("Valid", "Trusted") and "signingCredential.untrusted" in f["validation_failures"]
    assert f["software_agent"] == "Image Maker 1.0" and f["claim_generator"].startswith("Miwake tests")
    assert f["actions"] == "c2pa.created" and "Miwake tests" in f["signer"]


def test_c2pa_camera_and_generator_agent(tmp_path, signer):
    src = save_bytes("JPEG", noise_image(120, 90, 8))
    e = only(
        read_evidence(write(tmp_path / "cam.jpg", c2pa_sign(signer, src, "image/jpeg", "digitalCapture", "Camera"))),
        "c2pa",
    )
    assert e.token() == "c2pa:digitalCapture" and not e.states_ai
    e = only(
        read_evidence(write(tmp_path / "m.jpg", c2pa_sign(signer, src, "image/jpeg", None, "Adobe Firefly"))), "c2pa"
    )
    assert e.token() == "c2pa:softwareAgent=Adobe Firefly 1.0" and e.states_ai
    assert "assertion.action.malformed" in e.fields["validation_failures"]


def test_c2pa_tampered_pixels_still_reported(tmp_path, signer):
    signed = bytearray(
        c2pa_sign(signer, save_bytes("PNG", noise_image(120, 90, 9)), "image/png", "trainedAlgorithmicMedia")
    )
    idat = signed.rfind(b"IDAT")
    signed[idat + 20] ^= 0xFF  # change pixel data after signing: the hard binding no longer matches
    e = only(read_evidence(write(tmp_path / "t.png", bytes(signed))), "c2pa")
    assert e.fields["validation_state"] == "Invalid" and e.states_ai
    assert "assertion.dataHash.mismatch" in e.fields["validation_failures"]


def test_readers_are_thread_safe(tmp_path, signer):
    files = [
        write(
            tmp_path / "c.png",
            c2pa_sign(signer, save_bytes("PNG", noise_image(300, 260, 1)), "image/png", "trainedAlgorithmicMedia"),
        ),
        write(tmp_path / "a.png", png_bytes(noise_image(300, 260, 2), texts={"parameters": A1111_TEXT})),
        write(
            tmp_path / "x.jpg",
            save_bytes("JPEG", xmp=xmp_packet("http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia")),
        ),
        write(tmp_path / "s.png", save_bytes("PNG", stealth_image(json.dumps(novelai_texts()).encode()))),
    ]
    expected = {f: read_evidence(f) for f in files}
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            for k in range(12):
                f = files[(seed + k) % len(files)]
                assert read_evidence(f) == expected[f]
        except BaseException as e:  # re-raised in the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


# -- verdict rule, reports, CLI ---------------------------------------------------------------------------
def test_scan_verdict_rule(tmp_path, tiny_bundle):
    from miwake.core.detector import Detector
    from miwake.core.scan_options import ScanOptions
    from miwake.core.scanner import ScanJob

    d = tmp_path / "scan"
    write(d / "gen.png", png_bytes(noise_image(96, 64, 1), texts={"parameters": A1111_TEXT}))
    write(d / "extras.png", png_bytes(noise_image(96, 64, 2), texts={"parameters": "Postprocess upscale by: 2"}))
    write(d / "plain.png", save_bytes("PNG", noise_image(96, 64, 3)))
    data = png_bytes(noise_image(96, 64, 4), texts={"parameters": A1111_TEXT})
    write(d / "broken.png", data[: data.find(b"IDAT") + 40])  # text intact, pixels truncated
    job = ScanJob(
        [d],
        Detector(tiny_bundle, "cpu"),
        options=ScanOptions(workers=2, unsure_band=(0.0, 0.999)),
        evidence_reader=read_evidence,
        evidence_version=EVIDENCE_VERSION,
    )
    results = {r.path.rsplit("/", 1)[-1]: r for r in job.events() if hasattr(r, "evidence_states_ai")}
    gen, extras, plain, broken = (results[n] for n in ("gen.png", "extras.png", "plain.png", "broken.png"))
    assert gen.verdict == Verdict.AI and gen.reason == Reason.METADATA and gen.probability is not None
    assert extras.reason == Reason.PIXELS and extras.verdict != Verdict.AI  # band set so pixels say "unsure"/human
    assert plain.reason == Reason.PIXELS and plain.evidence == () and plain.verdict != Verdict.AI
    assert not broken.ok and broken.probability is None  # the pixels cannot be read: no probability ...
    assert broken.verdict == Verdict.AI and broken.reason == Reason.METADATA  # ... but the metadata decides
    out = tmp_path / "r.csv"
    write_csv(list(results.values()), out)
    rows = {r["path"].rsplit("/", 1)[-1]: r for r in csv.DictReader(out.read_text("utf-8-sig").splitlines())}
    assert rows["gen.png"]["evidence"] == "a1111:model=sd-v1-5" and rows["gen.png"]["evidence_states_ai"] == "yes"
    assert rows["gen.png"]["reason"] == "metadata" and rows["plain.png"]["evidence"] == ""
    assert rows["plain.png"]["evidence_states_ai"] == "no"
    assert rows["broken.png"]["verdict"] == "ai" and rows["broken.png"]["error_kind"] == "truncated"


def test_format_evidence_lines():
    items = (
        EvidenceItem("c2pa", "trainedAlgorithmicMedia", True, {"validation_state": "Valid", "prompt": "x" * 500}),
        EvidenceItem("unreadable", "xmp", False, {"error": "broken\nXML"}),
    )
    lines = format_evidence(items)
    assert lines[0].startswith("c2pa:trainedAlgorithmicMedia") and "states AI generation" in lines[0]
    assert "    validation_state: Valid" in lines and max(len(s) for s in lines) < 330
    assert any("could not be read" in s for s in lines)
    assert "x" * 500 in "\n".join(format_evidence(items, max_value=None))


def test_inspect_cli(tmp_path, tiny_bundle, capsys):
    from miwake.cli import main

    p = write(tmp_path / "gen.png", png_bytes(noise_image(96, 64, 1), texts={"parameters": A1111_TEXT}))
    assert main(["inspect", str(p), "--no-model"]) == 0
    out = capsys.readouterr().out
    assert "a1111:model=sd-v1-5" in out and "seed: 1234567890" in out and "Verdict: AI (metadata)" in out
    assert main(["models", "import", str(tiny_bundle.path)]) == 0
    capsys.readouterr()
    assert main(["inspect", str(p)]) == 0
    out = capsys.readouterr().out
    assert "AI probability:" in out and "Verdict: AI (metadata)" in out
    assert main(["inspect", str(p), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["reason"] == "metadata" and doc["evidence"][0]["fields"]["seed"] == "1234567890"
    plain = write(tmp_path / "plain.png", save_bytes("PNG", noise_image(96, 64, 2)))
    assert main(["inspect", str(plain), "--no-model"]) == 0
    assert "none found" in capsys.readouterr().out
    assert main(["inspect", str(tmp_path / "missing.png")]) == 2
