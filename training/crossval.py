"""Validation that predicts images from elsewhere: whole sources and whole generator families held out.

A single fixed validation split chose the old default's stopping epoch and threshold and then measured it on
the same images; on sources it never saw it was close to chance. This protocol replaces it:

(a) **grouped K-fold over sources** (``source_folds``): every fold holds out whole sources of both classes;
(b) **leave-one-family-out** (``family_folds``) for every AI family with at least `min_family` images: the
    training set loses every source in which that family occurs, and the family is tested against the
    human-made sources of one grouped fold (also absent from training).

Each split is scored as the files are, after JPEG q90 and after a 0.5x downscale, with AUC and the accuracy
of the verdicts under the band that the split's *training* data chose (inner grouped folds: out-of-fold
scores -> ``metrics.choose_operating_point``). Nothing about a test source is ever used to fit or tune.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .features import KINDS
from .metrics import _safe_auc, band_precision, choose_operating_point
from .probe import LinearHead, fit_head, platt, row_weights

EVAL_KINDS = ("raw", "jpeg90", "down05")
TRAIN_KINDS = ("train", "raw")


@dataclass
class Pool:
    """Crop features of a labelled image pool (``training.features.FeatureStore.load``)."""

    feats: np.ndarray  # M x D
    image: np.ndarray  # M: image index
    kind: np.ndarray  # M: index into KINDS
    labels: np.ndarray  # n
    sources: np.ndarray  # n
    families: np.ndarray  # n
    paths: np.ndarray | None = None  # n
    _means: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def from_store(cls, feats: np.ndarray, image: np.ndarray, kind: np.ndarray, meta: dict[str, Any]) -> Pool:
        """The pool of a feature store; images without any crop (unreadable files) are left out."""
        s = meta["samples"]
        fam = [x.get("family") or ("human" if x["label"] == 0 else "unknown") for x in s]
        has = np.zeros(len(s), bool)
        has[np.unique(image)] = True
        new_index = np.cumsum(has) - 1
        keep = has[image]
        return cls(
            feats[keep],
            new_index[image[keep]],
            kind[keep],
            np.array([x["label"] for x in s])[has],
            np.array([x["source"] for x in s])[has],
            np.array(fam)[has],
            np.array([x["path"] for x in s])[has],
        )

    def merged(self, other: Pool) -> Pool:
        """This pool with `other`'s crops added (the same images, e.g. features of other kinds)."""
        if (
            len(other.labels) != self.n
            or (other.labels != self.labels).any()
            or (self.paths is not None and other.paths is not None and (self.paths != other.paths).any())
        ):
            raise ValueError("pools of different images")
        return Pool(
            np.concatenate([self.feats, other.feats]),
            np.concatenate([self.image, other.image]),
            np.concatenate([self.kind, other.kind]),
            self.labels,
            self.sources,
            self.families,
            self.paths,
        )

    @property
    def n(self) -> int:
        return len(self.labels)

    def image_means(self, kind: str) -> np.ndarray:
        """n x D mean crop feature per image for `kind` (NaN rows for images without such crops)."""
        if kind not in self._means:
            k = KINDS.index(kind)
            sel = self.kind == k
            out = np.zeros((self.n, self.feats.shape[1]))
            cnt = np.bincount(self.image[sel], minlength=self.n).astype(float)
            np.add.at(out, self.image[sel], self.feats[sel])
            with np.errstate(invalid="ignore", divide="ignore"):
                out /= cnt[:, None]
            out[cnt == 0] = np.nan
            self._means[kind] = out
        return self._means[kind]

    def rows(self, images: np.ndarray, cols: slice, kinds: Sequence[str] = TRAIN_KINDS) -> tuple[np.ndarray, ...]:
        """Training rows (crops) of `images`: features, labels, source per row."""
        return self.rows_with_family(images, cols, kinds)[:3]

    def rows_with_family(
        self, images: np.ndarray, cols: slice, kinds: Sequence[str] = TRAIN_KINDS
    ) -> tuple[np.ndarray, ...]:
        """Training rows (crops) of `images`: features, labels, source and family per row."""
        keep = self.row_index(images, kinds)
        idx = self.image[keep]
        return self.feats[keep][:, cols], self.labels[idx], self.sources[idx], self.families[idx]

    def row_index(self, images: np.ndarray, kinds: Sequence[str] = TRAIN_KINDS) -> np.ndarray:
        """The row numbers of the crops of `kinds` of `images`, in row order."""
        return np.flatnonzero(np.isin(self.image, images) & np.isin(self.kind, [KINDS.index(k) for k in kinds]))


@dataclass(frozen=True)
class Candidate:
    """A probe: a linear head over one slice of the features, or the mean logit of heads over several."""

    name: str
    slices: tuple[slice, ...]
    c: float = 0.1
    source_power: float = 1.0
    train_kinds: tuple[str, ...] = TRAIN_KINDS
    family_power: float = 0.0  # 1: every generator family has the same say, its sources sharing it
    learned_weights: bool = False  # several heads: weigh their logits by a fit on inner folds, not equally
    source_axes: tuple[int, ...] = ()  # per slice: directions of between-source spread the head ignores (probe)

    def fit(self, pool: Pool, images: np.ndarray) -> LinearHead:
        heads = self._heads(pool, images)
        if len(heads) == 1 and heads[0][1] == slice(0, pool.feats.shape[1]):
            return heads[0][0]
        if self.learned_weights and len(heads) > 1:
            return LinearHead.average(heads, pool.feats.shape[1], self.head_weights(pool, images))
        return LinearHead.average(heads, pool.feats.shape[1])

    def head_weights(self, pool: Pool, images: np.ndarray, k: int = 3, seed: int = 2) -> np.ndarray:
        """Weights of the heads' logits (summing to the number of heads, none negative) from a source-balanced
        logistic regression on their out-of-fold image logits inside `images` (grouped by source): a head that
        ranks held-out sources better gets more say."""
        from sklearn.linear_model import LogisticRegression

        folds = source_folds(pool.labels[images], pool.sources[images], k, seed)
        z = np.zeros((len(images), len(self.slices)))
        for test_pos in folds:
            inner = self._heads(pool, np.delete(images, test_pos))
            for j, (h, sl) in enumerate(inner):
                z[test_pos, j] = h.logits(np.nan_to_num(pool.image_means("raw")[images[test_pos]][:, sl]))
        z = np.clip(z, -30, 30)
        clf = LogisticRegression(C=1.0, max_iter=1000)
        clf.fit(
            z / z.std(axis=0).clip(1e-6),
            pool.labels[images],
            sample_weight=row_weights(pool.labels[images], pool.sources[images], self.source_power),
        )
        w = np.clip(clf.coef_.ravel() / z.std(axis=0).clip(1e-6), 0.0, None)
        return w * len(w) / w.sum() if w.sum() > 0 else np.ones(len(w))

    def _heads(self, pool: Pool, images: np.ndarray) -> list[tuple[LinearHead, slice]]:
        heads = []
        axes = self.source_axes or (0,) * len(self.slices)
        for sl, k in zip(self.slices, axes, strict=True):
            x, y, g, f = pool.rows_with_family(images, sl, self.train_kinds)
            head = fit_head(
                x,
                y,
                g,
                c=self.c,
                source_power=self.source_power,
                families=f,
                family_power=self.family_power,
                source_axes=k,
            )
            heads.append((head, sl))
        return heads


def source_folds(labels: np.ndarray, sources: np.ndarray, k: int = 5, seed: int = 0) -> list[np.ndarray]:
    """Test image indices of `k` folds; each holds out whole sources, of both classes."""
    from sklearn.model_selection import StratifiedGroupKFold

    cv = StratifiedGroupKFold(n_splits=k, shuffle=True, random_state=seed)
    return [test for _, test in cv.split(np.zeros(len(labels)), labels, sources)]


def family_folds(
    pool: Pool, k: int = 5, seed: int = 0, min_family: int = 10
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """family -> (train images, test images) for every AI family with at least `min_family` images."""
    folds = source_folds(pool.labels, pool.sources, k, seed)
    counts: defaultdict[str, int] = defaultdict(int)
    for f, lab in zip(pool.families, pool.labels):
        if lab == 1:
            counts[f] += 1
    out = {}
    for i, fam in enumerate(sorted(f for f, c in counts.items() if c >= min_family)):
        fam_img = np.where((pool.families == fam) & (pool.labels == 1))[0]
        test_hum = np.array([j for j in folds[i % k] if pool.labels[j] == 0])
        banned = set(pool.sources[fam_img]) | set(pool.sources[test_hum])
        train = np.array([j for j in range(pool.n) if pool.sources[j] not in banned])
        out[fam] = (train, np.concatenate([fam_img, test_hum]))
    return out


def image_logits(pool: Pool, head: LinearHead, images: np.ndarray, kind: str) -> np.ndarray:
    return head.logits(np.nan_to_num(pool.image_means(kind)[images]))


POOLINGS = ("mean", "top_half", "top2", "max", "noisy_or")  # how crop logits make an image's score


def pooled_logits(pool: Pool, head: LinearHead, images: np.ndarray, kind: str, how: str) -> np.ndarray:
    """Image scores from the head's crop logits, pooled `how`: the mean (what scans do), the mean of the top
    half or top two, the max, or noisy-or (1 - prod(1 - p)); NaN for images without such crops."""
    sel = (pool.kind == KINDS.index(kind)) & np.isin(pool.image, images)
    z = head.logits(pool.feats[sel])
    owner = pool.image[sel]
    out = np.full(len(images), np.nan)
    pos = {int(i): j for j, i in enumerate(images)}
    order = np.argsort(owner, kind="stable")
    owner, z = owner[order], z[order]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    for a, b in zip(starts, np.r_[starts[1:], len(owner)], strict=True):
        v = np.sort(z[a:b])[::-1]
        if how == "mean":
            r = v.mean()
        elif how == "top_half":
            r = v[: max(1, len(v) // 2)].mean()
        elif how == "top2":
            r = v[:2].mean()
        elif how == "max":
            r = v[0]
        elif how == "noisy_or":
            p = 1.0 / (1.0 + np.exp(-np.clip(v, -30, 30)))
            q = np.clip(1.0 - np.prod(1.0 - p), 1e-12, 1 - 1e-12)
            r = np.log(q / (1 - q))
        else:
            raise ValueError(how)
        out[pos[int(owner[a])]] = r
    return out


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


@dataclass(frozen=True)
class OperatingPoint:
    scale: float  # calibration: p = sigmoid(scale * logit + shift)
    shift: float
    threshold: float
    band: tuple[float, float]

    def probability(self, logits: np.ndarray) -> np.ndarray:
        return sigmoid(self.scale * np.asarray(logits) + self.shift)


def inner_operating_point(pool: Pool, cand: Candidate, train: np.ndarray, k: int = 3, seed: int = 1) -> OperatingPoint:
    """Calibration, threshold and band from out-of-fold scores inside `train` (grouped by source)."""
    folds = source_folds(pool.labels[train], pool.sources[train], k, seed)
    z = np.zeros(len(train))
    for test_pos in folds:
        inner_train = np.delete(train, test_pos)
        head = cand.fit(pool, inner_train)
        z[test_pos] = image_logits(pool, head, train[test_pos], "raw")
    scale, shift = platt(z, pool.labels[train], pool.sources[train])
    t, band = choose_operating_point(pool.labels[train], sigmoid(scale * z + shift))
    return OperatingPoint(scale, shift, t, band)


def evaluate_split(
    pool: Pool, cand: Candidate, train: np.ndarray, test: np.ndarray, *, inner: bool = True
) -> dict[str, Any]:
    head = cand.fit(pool, train)
    y = pool.labels[test]
    out: dict[str, Any] = {"n": int(len(test)), "n_ai": int(y.sum()), "scores": {}, "logits": {}}
    for kind in EVAL_KINDS:
        z = image_logits(pool, head, test, kind)
        out["logits"][kind] = z
        out["scores"][kind] = sigmoid(z)
        out[f"auc_{kind}"] = _safe_auc(y, z)
    for how in POOLINGS[1:]:  # the same head, crop scores pooled otherwise (raw files)
        z = pooled_logits(pool, head, test, "raw", how)
        ok = ~np.isnan(z)
        out[f"auc_raw_{how}"] = _safe_auc(y[ok], z[ok])
    if inner:
        op = inner_operating_point(pool, cand, train)
        t, band = op.threshold, op.band
        p = op.probability(out["logits"]["raw"])
        bp = band_precision(y, p, band)
        firm = (p >= band[1]) | (p < band[0])
        out.update(
            calibration=(op.scale, op.shift),
            threshold=t,
            band=band,
            accuracy_at_threshold=float(np.mean((p >= t) == (y == 1))),
            verdict_accuracy=float(np.mean((p[firm] >= band[1]) == (y[firm] == 1))) if firm.any() else math.nan,
            unsure_share=bp["unsure_share"],
        )
    return out


def run_protocol(
    pool: Pool,
    cand: Candidate,
    *,
    k: int = 5,
    seed: int = 0,
    inner: bool = True,
    log: Callable[[str], None] = lambda s: None,
) -> dict[str, Any]:
    """Both halves of the protocol for one candidate: per-fold figures, mean/worst, and out-of-fold scores."""
    oof = {kind: np.full(pool.n, np.nan) for kind in EVAL_KINDS}
    oof_logits = {kind: np.full(pool.n, np.nan) for kind in EVAL_KINDS}
    folds = []
    for i, test in enumerate(source_folds(pool.labels, pool.sources, k, seed)):
        train = np.setdiff1d(np.arange(pool.n), test)
        r = evaluate_split(pool, cand, train, test, inner=inner)
        for kind in EVAL_KINDS:
            oof[kind][test] = r["scores"][kind]
            oof_logits[kind][test] = r["logits"][kind]
        folds.append(
            {kk: v for kk, v in r.items() if kk not in ("scores", "logits")}
            | {"sources": sorted(set(pool.sources[test]))}
        )
        log(f"{cand.name} fold {i}: AUC {r['auc_raw']:.3f} / jpeg {r['auc_jpeg90']:.3f} / down {r['auc_down05']:.3f}")
    fams = {}
    for fam, (train, test) in family_folds(pool, k, seed).items():
        r = evaluate_split(pool, cand, train, test, inner=inner)
        fams[fam] = {kk: v for kk, v in r.items() if kk not in ("scores", "logits")}
        log(
            f"{cand.name} without {fam}: AUC {r['auc_raw']:.3f} / jpeg {r['auc_jpeg90']:.3f} / down {r['auc_down05']:.3f}"
        )
    return {
        "candidate": cand.name,
        "folds": folds,
        "families": fams,
        "oof": oof,
        "oof_logits": oof_logits,
        "summary": summarize(folds, fams),
    }


def summarize(folds: list[dict[str, Any]], fams: dict[str, dict[str, Any]]) -> dict[str, Any]:
    s: dict[str, Any] = {}
    for part, rows in (("source", folds), ("family", list(fams.values()))):
        for key in (
            [f"auc_{k}" for k in EVAL_KINDS]
            + [f"auc_raw_{h}" for h in POOLINGS[1:]]
            + ["verdict_accuracy", "unsure_share", "accuracy_at_threshold"]
        ):
            vals = [r[key] for r in rows if key in r and not math.isnan(r[key])]
            if vals:
                s[f"{part}_{key}_mean"] = float(np.mean(vals))
                s[f"{part}_{key}_worst"] = float(np.max(vals) if key == "unsure_share" else np.min(vals))
    return s


def oof_breakdown(pool: Pool, oof: np.ndarray, by: np.ndarray) -> dict[str, dict[str, Any]]:
    """AUC of each AI group (family or source) against every human-made image, from out-of-fold scores;
    for human sources, the share scored above the median AI score is less telling, so their AUC is against
    every AI image."""
    out = {}
    hum, ai = pool.labels == 0, pool.labels == 1
    for g in sorted(set(by)):
        m = by == g
        other = hum if pool.labels[m][0] == 1 else ai
        sel = m | other
        out[str(g)] = {
            "n": int(m.sum()),
            "label": "ai" if pool.labels[m][0] == 1 else "real",
            "mean_p": float(np.nanmean(oof[m])),
            "auc_vs_other_class": _safe_auc(pool.labels[sel], oof[sel]),
        }
    return out
