"""Command line: train / convert / all. See zoo/README.md."""
import argparse
import importlib
import shutil
import sys
import time
from pathlib import Path

from convbench_zoo import data as data_mod
from convbench_zoo import manifest as mf
from convbench_zoo.hparams import DATASET, DEFAULT_OPSET, DEFAULT_SEED, DEFAULTS, MODEL, HParams

FRAMEWORKS = {"keras": "backend_keras", "pytorch": "backend_torch"}
# TensorFlow and torch crash or misbehave when loaded into one process, and
# coremltools imports whichever of them it can find; so each process blocks the
# framework it does not use (a None entry in sys.modules makes `import` fail).
_BLOCK = {"keras": ("torch", "torchvision", "torchaudio"), "pytorch": ("tensorflow",)}


def _log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def load_backend(framework: str):
    for name in _BLOCK[framework]:
        if sys.modules.get(name) is not None:
            raise RuntimeError(f"{name} is already imported; it must not share a process with {framework}")
        sys.modules[name] = None
    return importlib.import_module(f"convbench_zoo.{FRAMEWORKS[framework]}")


def train(framework: str, data: data_mod.Dataset, model_dir, hp: HParams, seed: int) -> dict:
    backend = load_backend(framework)
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    _log(f"[{framework}] training {MODEL} on {len(data.train_x)} samples, "
         f"validating on {len(data.test_x)}, {hp}")

    def log_epoch(epoch, logs):
        _log(f"[{framework}] epoch {epoch}/{hp.epochs} "
             + " ".join(f"{k}={logs[k]:.4f}" for k in ("loss", "accuracy", "val_loss", "val_accuracy")))

    t0 = time.perf_counter()
    model, history = backend.train(data, hp, seed, log_epoch)
    wall_s = time.perf_counter() - t0

    # A retrained model invalidates any earlier conversions in this directory.
    for stale in ("model.onnx", "model.mlpackage"):
        _remove(model_dir / stale)
    manifest = {
        "schema": mf.SCHEMA,
        "model": MODEL,
        "framework": framework,
        "dataset": DATASET,
        "seed": seed,
        "hparams": hp.to_json(),
        "input": {"name": "input", "shape": backend.INPUT_SHAPE, "layout": backend.LAYOUT,
                  "dtype": "float32", "preprocessing": "x/255"},
        "output": {"shape": [10], "activation": "softmax"},
        "training": {"wall_s": round(wall_s, 3), "history": history},
        "artefacts": {"original": backend.save_original(model, model_dir)},
        "versions": mf.versions(framework, backend.FRAMEWORK_VERSION),
    }
    mf.write(model_dir, manifest)
    _log(f"[{framework}] trained in {wall_s:.1f}s, wrote {mf.path(model_dir)}")
    return manifest


def _remove(path: Path):
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def _error_text(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 4000 else text[:4000] + " ...[truncated]"


def _attempt(name, fmt, rel_path, converter, model_dir, run, describe, extra):
    """Runs one conversion; any exception becomes a 'failed' record instead of a crash."""
    out = model_dir / rel_path
    _remove(out)  # never leave an earlier artefact that this run did not produce
    entry = {"format": fmt, "path": rel_path, "status": "ok", "error": None,
             "converter": converter, **extra}
    t0 = time.perf_counter()
    try:
        run(out)
        entry.update(describe(out))
    except Exception as exc:  # noqa: BLE001 - recording every converter failure is the point
        entry.update(status="failed", error=_error_text(exc))
        _remove(out)
    entry["wall_s"] = round(time.perf_counter() - t0, 3)
    _log(f"[convert] {name}: {entry['status']}" + (f" ({entry['error']})" if entry["error"] else ""))
    return entry


def _describe_onnx(path: Path) -> dict:
    import onnx
    onnx.checker.check_model(str(path), full_check=True)  # raises -> recorded as failed
    graph = onnx.load(str(path)).graph
    (inp,), (outp,) = graph.input, graph.output
    return {"input_name": inp.name, "output_name": outp.name}


def _describe_coreml(path: Path) -> dict:
    import coremltools as ct
    desc = ct.utils.load_spec(str(path)).description
    (inp,), (outp,) = desc.input, desc.output
    return {"input_name": inp.name, "output_name": outp.name}


def convert(model_dir, opset: int) -> dict:
    model_dir = Path(model_dir)
    manifest = mf.read(model_dir)
    backend = load_backend(manifest["framework"])
    arts = manifest["artefacts"]
    arts["onnx"] = _attempt(
        "onnx", "onnx", "model.onnx", backend.ONNX_CONVERTER, model_dir,
        lambda out: backend.to_onnx(model_dir, out, opset), _describe_onnx, {"opset": opset})
    mf.write(model_dir, manifest)  # persist before the next converter, in case it crashes hard
    arts["coreml"] = _attempt(
        "coreml", "coreml_mlprogram", "model.mlpackage", backend.COREML_CONVERTER, model_dir,
        lambda out: backend.to_coreml(model_dir, out), _describe_coreml,
        {"input_shape": backend.COREML_INPUT_SHAPE, "compute_precision": "float32"})
    mf.write(model_dir, manifest)
    return manifest


def _parser():
    p = argparse.ArgumentParser(prog="python -m convbench_zoo", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def train_args(sp):
        sp.add_argument("--framework", required=True, choices=sorted(FRAMEWORKS))
        sp.add_argument("--model", default=MODEL, choices=[MODEL])
        sp.add_argument("--data", required=True, type=Path, help="dir with {train,test}_{x,y}.npy")
        sp.add_argument("--out", required=True, type=Path, help="model dir to create")
        sp.add_argument("--epochs", type=int, default=DEFAULTS.epochs)
        sp.add_argument("--batch-size", type=int, default=DEFAULTS.batch_size)
        sp.add_argument("--lr", type=float, default=DEFAULTS.lr)
        sp.add_argument("--seed", type=int, default=DEFAULT_SEED)
        sp.add_argument("--train-subset", type=int, default=DEFAULTS.train_subset, metavar="N",
                        help="train on the first N samples only")

    def convert_args(sp, with_model_dir):
        if with_model_dir:
            sp.add_argument("--model-dir", required=True, type=Path)
        sp.add_argument("--opset", type=int, default=DEFAULT_OPSET)

    train_args(sub.add_parser("train", help="train and save the original model + manifest"))
    convert_args(sub.add_parser("convert", help="convert a trained model to ONNX and Core ML"), True)
    sp = sub.add_parser("all", help="train, then convert, in one process")
    train_args(sp)
    convert_args(sp, False)
    return p


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command in ("train", "all"):
        if args.epochs < 1 or args.batch_size < 1 or not args.lr > 0:
            parser.error("--epochs and --batch-size must be >= 1 and --lr > 0")
        hp = HParams(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                     optimizer=DEFAULTS.optimizer, train_subset=args.train_subset)
        try:
            data = data_mod.load(args.data, hp.train_subset)  # before the (slow) framework import
        except (OSError, ValueError) as exc:
            _log(f"error: bad --data {args.data}: {exc}")
            return 2
        train(args.framework, data, args.out, hp, args.seed)
        model_dir = args.out
    else:
        model_dir = args.model_dir
        try:
            mf.read(model_dir)
        except (OSError, ValueError) as exc:
            _log(f"error: cannot read manifest in {model_dir}: {exc}")
            return 2
    if args.command in ("convert", "all"):
        convert(model_dir, args.opset)
    return 0
