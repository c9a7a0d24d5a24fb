"""The CNN as the browser gets it: the ONNX export (batch norm folded), its sidecar ``cnn.json`` (the model
artifacts contract), onnxruntime sessions and the torch-vs-ONNX check.
"""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from export.cnn_model import OUTPUTS, Config, ExportedCNN, SmallCNN


def onnx_logits(session, x: np.ndarray, batch: int = 256) -> np.ndarray:
    """Logits of the ONNX model for inputs *x* ``(N, 3, size, size)``."""
    out = [session.run(["logits"], {"image": x[i : i + batch]})[0] for i in range(0, len(x), batch)]
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)


def export_onnx(model: SmallCNN, path: Path, size: int, sidecar: dict) -> None:
    """Write *model* as one ONNX file (opset 17, dynamic batch) with *sidecar* in metadata_props."""
    import onnx

    wrapped = ExportedCNN(model).eval()
    dummy = torch.zeros(1, 3, size, size)
    buffer = io.BytesIO()
    axes = {name: {0: "N"} for name in ("image", *OUTPUTS)}
    with warnings.catch_warnings():  # the TorchScript exporter is deprecated, and writes one file
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            wrapped, (dummy,), buffer, input_names=["image"], output_names=list(OUTPUTS),
            dynamic_axes=axes, opset_version=17, dynamo=False, do_constant_folding=True,
        )
    proto = onnx.load_from_string(buffer.getvalue())
    onnx.helper.set_model_props(proto, {"pyodemo": json.dumps(sidecar), "classes": json.dumps(sidecar["classes"])})
    proto.doc_string = "pyodemo CNN: Who's that Pokémon? See the sidecar cnn.json."
    onnx.checker.check_model(proto)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save_model(proto, str(path), save_as_external_data=False)


def onnx_session(path: Path):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def max_difference(model: SmallCNN, session, x: np.ndarray) -> dict[str, float]:
    """Largest |torch − onnxruntime| per output on inputs *x*, and against the unfolded model (its logits and
    the penultimate activations, what its last layer reads)."""
    penultimate: list[torch.Tensor] = []
    hook = model.fc.register_forward_hook(lambda _module, inputs, _output: penultimate.append(inputs[0]))
    with torch.no_grad():
        reference = ExportedCNN(model).eval()(torch.from_numpy(x))
        plain = model.eval()(torch.from_numpy(x))
    hook.remove()
    ours = session.run(list(OUTPUTS), {"image": x})
    diff = {name: float(np.abs(r.numpy() - o).max()) for name, r, o in zip(OUTPUTS, reference, ours)}
    diff["logits_vs_unfolded_torch"] = float(np.abs(plain.numpy() - ours[0]).max())
    diff["embedding_vs_unfolded_torch"] = float(np.abs(penultimate[0].numpy() - ours[3]).max())
    return diff


def make_sidecar(classes: Sequence[str], config: Config, mean, std, threshold: float) -> dict:
    return {
        "format": "pyodemo-cnn",
        "version": 1,
        "classes": list(classes),
        "input": {
            "name": "image", "size": config.size, "layout": "NCHW", "scale": 255,
            "mean": [float(m) for m in mean], "std": [float(s) for s in std],
            "background": list(config.background), "resample": config.resample,
        },
        "outputs": {"logits": "logits", "feature_maps": ["conv1", "conv2"], "embedding": "embedding"},
        "threshold": threshold,
        "threshold_on": "top-1 softmax probability",
    }
