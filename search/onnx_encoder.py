"""The query-time encoder: the same model exported to ONNX at build time, run
with onnxruntime and the model's own fast tokenizer.

Why: a `tckg search` process that imports PyTorch and sentence-transformers
spends ~7 s before its first query, and one query encode takes ~13 ms; with
onnxruntime the process starts in well under a second (figures in the README).
The export is checked at build time against sentence-transformers on the
documents (up to 512; the vectors must agree to 1e-4) and is not used when it disagrees or
when the model's pipeline is not one this module reproduces (a transformer,
then mean or CLS pooling, then optional normalisation).
"""
from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import numpy as np

MODEL, TOKENIZER, CONFIG = "model.onnx", "tokenizer.json", "encoder.json"
TOLERANCE = 1e-4
CHECKED = 512  # documents compared at build time (all of them for the five plans)


class ExportUnsupported(RuntimeError):
    """The model's pipeline is not one the ONNX encoder reproduces."""


def _pooling(model) -> str:
    kinds = [type(module).__name__ for module in model]
    if kinds[:2] != ["Transformer", "Pooling"] or set(kinds[2:]) - {"Normalize"}:
        raise ExportUnsupported(f"pipeline {kinds} is not transformer + pooling")
    mode = getattr(model[1], "pooling_mode", None)
    if mode not in ("mean", "cls"):
        raise ExportUnsupported(f"pooling {mode!r}")
    return mode


def export(encoder, folder: Path) -> None:
    """Write the encoder's transformer as ONNX, its tokenizer and pooling to `folder`."""
    import torch

    model = encoder._model
    pooling = _pooling(model)
    transformer, tokenizer = model[0].auto_model, model.tokenizer
    inputs = [n for n in ("input_ids", "attention_mask", "token_type_ids")
              if n in tokenizer.model_input_names]

    class LastHidden(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = transformer

        def forward(self, *tensors):
            return self.transformer(**dict(zip(inputs, tensors))).last_hidden_state

    sample = tokenizer(["an example sentence"], return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in [*inputs, "last_hidden_state"]}
    folder.mkdir(parents=True, exist_ok=True)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's notes on opset choices
        torch.onnx.export(LastHidden().eval(), tuple(sample[n] for n in inputs),
                          str(folder / MODEL), input_names=inputs,
                          output_names=["last_hidden_state"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)
    tokenizer.backend_tokenizer.save(str(folder / TOKENIZER))
    config = {"inputs": inputs, "pooling": pooling, "max_tokens": model.max_seq_length,
              "normalize": True}
    (folder / CONFIG).write_text(json.dumps(config, indent=2), encoding="utf-8")


class OnnxEncoder:
    def __init__(self, folder: Path, name: str, threads: int = 1):
        import onnxruntime
        from tokenizers import Tokenizer

        self.config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
        self.tokenizer = Tokenizer.from_file(str(folder / TOKENIZER))
        self.tokenizer.enable_truncation(max_length=self.config["max_tokens"])
        self.tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        # One thread per query: a server encodes several queries at once, and
        # two-way parallelism inside each one only made them queue on 2 cores.
        # A batch of documents alone in its process (tckg add) may use more.
        options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(str(folder / MODEL), options,
                                                    providers=["CPUExecutionProvider"])
        self.name = name
        self.dimension = int(self.session.get_outputs()[0].shape[-1])

    def encode(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        """Vectors in the texts' order. Batches hold texts of similar length:
        padding a short text to a long one's length was most of the work."""
        if not texts:
            return np.empty((0, self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.concatenate([self._encode([texts[i] for i in order[k:k + batch_size]])
                                  for k in range(0, len(order), batch_size)])
        result = np.empty_like(vectors)
        result[order] = vectors
        return result

    def _encode(self, texts: list[str]) -> np.ndarray:
        batch = self.tokenizer.encode_batch(texts)
        arrays = {"input_ids": np.array([e.ids for e in batch], dtype=np.int64),
                  "attention_mask": np.array([e.attention_mask for e in batch], dtype=np.int64),
                  "token_type_ids": np.array([e.type_ids for e in batch], dtype=np.int64)}
        hidden = self.session.run(None, {n: arrays[n] for n in self.config["inputs"]})[0]
        if self.config["pooling"] == "cls":
            pooled = hidden[:, 0]
        else:
            mask = arrays["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        pooled /= np.linalg.norm(pooled, axis=1, keepdims=True).clip(1e-12)
        return np.ascontiguousarray(pooled, dtype=np.float32)


def export_checked(encoder, folder: Path, texts: list[str], vectors: np.ndarray) -> str:
    """Export and verify against `vectors` (the reference encoder's for `texts`).
    Returns "onnx" when the export is usable, else why not (and removes it)."""
    try:
        export(encoder, folder)
        exported = OnnxEncoder(folder, encoder.name).encode(texts[:CHECKED])
        gap = float(np.abs(exported - vectors[:CHECKED]).max())
    except (ExportUnsupported, ImportError, RuntimeError) as err:
        shutil.rmtree(folder, ignore_errors=True)
        return f"sentence-transformers (no ONNX export: {err})"
    if gap > TOLERANCE:
        shutil.rmtree(folder, ignore_errors=True)
        return f"sentence-transformers (ONNX vectors differed by {gap:.1e})"
    return "onnx"
