"""ComfyUI graphs: the API `prompt` graph and the UI `workflow`, as PNG text or WebP/JPEG EXIF strings.

A ComfyUI graph states AI generation only when it generates: a sampler or a model loader is in it. A
workflow that only loads, upscales and saves a photo is reported, but does not state AI.
"""

from __future__ import annotations

from typing import Any

from ._metadata_util import clip, dict_at, fields_of, loads, token_part, unreadable
from .results import EvidenceItem

MAX_NODES = 10_000
_MODEL_KEYS = ("ckpt_name", "unet_name")
_GENERATIVE_HINTS = ("sampler", "checkpointloader", "unetloader", "diffusersloader", "unclipcheckpointloader")


def _is_generative(class_types: set[str]) -> bool:
    return any(h in c.lower() for c in class_types for h in _GENERATIVE_HINTS)


def _linked_text(graph: dict[str, Any], link: Any) -> str | None:
    """The prompt text of the node a sampler input links to (["id", slot]); one hop, then one more."""
    for _ in range(3):
        if not (isinstance(link, list) and link and isinstance(graph.get(str(link[0])), dict)):
            return None
        inputs = graph[str(link[0])].get("inputs")
        if not isinstance(inputs, dict):
            return None
        for key in ("text", "text_g", "prompt"):
            if isinstance(inputs.get(key), str):
                return inputs[key]
        link = next((v for k, v in inputs.items() if k in ("conditioning", "conditioning_1", "positive")), None)
    return None


def _from_prompt(graph: dict[str, Any], out: dict[str, Any], types: set[str]) -> None:
    models: list[str] = []
    loras: list[str] = []
    texts: list[str] = []
    sampler: dict[str, Any] | None = None
    for node in list(graph.values())[:MAX_NODES]:
        if not isinstance(node, dict) or not isinstance(node.get("class_type"), str):
            continue
        ct = node["class_type"]
        types.add(ct)
        inputs = dict_at(node, "inputs")
        models += [v for k, v in inputs.items() if k in _MODEL_KEYS and isinstance(v, str)]
        if isinstance(inputs.get("lora_name"), str):
            loras.append(inputs["lora_name"])
        if ct.startswith("CLIPTextEncode") and isinstance(inputs.get("text"), str):
            texts.append(inputs["text"])
        if sampler is None and "sampler" in ct.lower() and ("seed" in inputs or "noise_seed" in inputs):
            sampler = inputs
    if sampler is not None:
        vals = dict(
            seed=sampler.get("seed", sampler.get("noise_seed")),
            steps=sampler.get("steps"),
            cfg_scale=sampler.get("cfg"),
            sampler=sampler.get("sampler_name"),
            scheduler=sampler.get("scheduler"),
            denoise=sampler.get("denoise"),
            prompt=_linked_text(graph, sampler.get("positive")),
            negative_prompt=_linked_text(graph, sampler.get("negative")),
        )
        out.update({k: v for k, v in vals.items() if not isinstance(v, (list, dict))})  # lists are links
    if not out.get("prompt") and texts:
        out["prompt"] = texts[0]
    if models:
        out["model"] = ", ".join(dict.fromkeys(models))
    if loras:
        out["loras"] = ", ".join(dict.fromkeys(loras))


def _from_workflow(wf: dict[str, Any], out: dict[str, Any], types: set[str]) -> None:
    nodes = wf.get("nodes")
    if not isinstance(nodes, list):
        return
    for node in nodes[:MAX_NODES]:
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            continue
        t = node["type"]
        types.add(t)
        w = node.get("widgets_values")
        if not isinstance(w, list) or not w:
            continue
        loader = "checkpointloader" in t.lower() or "unetloader" in t.lower()
        if "model" not in out and loader and isinstance(w[0], str):
            out["model"] = w[0]
        elif "prompt" not in out and t.startswith("CLIPTextEncode") and isinstance(w[0], str):
            out["prompt"] = w[0]
        elif "seed" not in out and t in ("KSampler", "KSamplerAdvanced") and len(w) >= 7:
            vals = w if t == "KSampler" else w[1:]
            out.update(seed=vals[0], steps=vals[2], cfg_scale=vals[3], sampler=vals[4], scheduler=vals[5])


def comfyui_item(prompt_text: str | None, workflow_text: str | None, where: str) -> EvidenceItem | None:
    """One `comfyui` item from a prompt graph and/or a workflow; None when neither is a ComfyUI graph."""
    out: dict[str, Any] = {}
    types: set[str] = set()
    seen = False
    try:
        if prompt_text and prompt_text.lstrip().startswith("{"):
            graph = loads(prompt_text)
            if isinstance(graph, dict) and any(isinstance(v, dict) and "class_type" in v for v in graph.values()):
                seen = True
                _from_prompt(graph, out, types)
        if workflow_text and workflow_text.lstrip().startswith("{"):
            wf = loads(workflow_text)
            if isinstance(wf, dict) and isinstance(wf.get("nodes"), list):
                seen = True
                _from_workflow(wf, out, types)
    except ValueError as e:
        return unreadable("comfyui", f"{where}: ComfyUI graph is not valid JSON: {e}")
    if not seen:
        return None
    generative = _is_generative(types)
    if types:
        out["nodes"] = ", ".join(sorted(types)[:40])
    out["graph"] = "+".join(k for k, v in (("prompt", prompt_text), ("workflow", workflow_text)) if v)
    out["source"] = where
    fields = fields_of(out)
    detail = f"model={token_part(fields['model'])}" if fields.get("model") else "workflow"
    if not generative:
        fields["note"] = clip("no sampler or model loader in the graph: not a generation")
    return EvidenceItem("comfyui", detail, generative, fields)
