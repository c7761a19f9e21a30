"""Command line: train / convert / all. See zoo/README.md."""
import argparse
import dataclasses
import importlib
import shutil
import sys
import time
from pathlib import Path

from convbench_zoo import arch
from convbench_zoo import data as data_mod
from convbench_zoo import hparams as hparams_mod
from convbench_zoo import manifest as mf
from convbench_zoo.hparams import DEFAULT_MODEL, DEFAULT_OPSET, DEFAULT_SEED, HParams

FRAMEWORKS = {"keras": "backend_keras", "pytorch": "backend_torch"}
# TensorFlow and torch crash or misbehave when loaded into one process, and
# coremltools imports whichever of them it can find; so each process blocks the
# framework it does not use (a None entry in sys.modules makes `import` fail).
_BLOCK = {"keras": ("torch", "torchvision", "torchaudio"), "pytorch": ("tensorflow",)}
VOCAB_FILE = "vocab.txt"  # name of the vocabulary in a text model's directory


def _log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def load_backend(framework: str):
    for name in _BLOCK[framework]:
        if sys.modules.get(name) is not None:
            raise RuntimeError(f"{name} is already imported; it must not share a process with {framework}")
        sys.modules[name] = None
    return importlib.import_module(f"convbench_zoo.{FRAMEWORKS[framework]}")


def _input_record(backend, meta) -> dict:
    """manifest["input"]: what a runtime must feed (shape per sample, layout, preprocessing)."""
    shape = backend.input_shape(meta)
    rec = {"name": "input", "shape": shape, "layout": backend.layout(meta),
           "dtype": arch.input_dtype(shape)}
    if meta["kind"] == "text":
        rec.update(preprocessing="token ids", vocab_file=VOCAB_FILE, seq_len=meta["seq_len"],
                   vocab_size=meta["vocab_size"])
    else:
        rec["preprocessing"] = meta.get("preprocessing", "x/255")
        for k in ("mean", "std"):  # per channel, when the dataset is standardised
            if k in meta:
                rec[k] = meta[k]
    return rec


def train(framework: str, model: str, data: data_mod.Dataset, data_dir, model_dir,
          hp: HParams, seed: int) -> dict:
    backend = load_backend(framework)
    meta = data.meta
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    _log(f"[{framework}] training {model} on {len(data.train_x)} {meta['dataset']} samples, "
         f"validating on {len(data.test_x)}, {hp}")

    def log_epoch(epoch, logs):
        _log(f"[{framework}] epoch {epoch}/{hp.epochs} "
             + " ".join(f"{k}={logs[k]:.4f}" for k in ("loss", "accuracy", "val_loss", "val_accuracy")))

    t0 = time.perf_counter()
    trained, history = backend.train(model, data, hp, seed, log_epoch)
    wall_s = time.perf_counter() - t0

    # A retrained model invalidates any earlier conversions in this directory.
    for stale in ("model.onnx", "model.mlpackage", VOCAB_FILE):
        _remove(model_dir / stale)
    if meta["kind"] == "text":  # the tokenizer's vocabulary travels with the model
        shutil.copyfile(Path(data_dir) / meta["vocab_file"], model_dir / VOCAB_FILE)
    inp = _input_record(backend, meta)
    manifest = {
        "schema": mf.SCHEMA,
        "model": model,
        "framework": framework,
        "dataset": meta["dataset"],
        "seed": seed,
        "hparams": hp.to_json(),
        "input": inp,
        "output": {"shape": [meta["num_classes"]], "activation": "softmax"},
        "training": {"wall_s": round(wall_s, 3), "history": history},
        "artefacts": {"original": backend.save_original(trained, model_dir, inp["shape"])},
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
    shape = manifest["input"]["shape"]
    arts["onnx"] = _attempt(
        "onnx", "onnx", "model.onnx", backend.ONNX_CONVERTER, model_dir,
        lambda out: backend.to_onnx(model_dir, out, opset, shape), _describe_onnx, {"opset": opset})
    mf.write(model_dir, manifest)  # persist before the next converter, in case it crashes hard
    coreml_shape = [1] + shape  # Core ML: fixed batch of 1 (text: [1, seq_len])
    arts["coreml"] = _attempt(
        "coreml", "coreml_mlprogram", "model.mlpackage", backend.COREML_CONVERTER, model_dir,
        lambda out: backend.to_coreml(model_dir, out, coreml_shape), _describe_coreml,
        {"input_shape": coreml_shape, "compute_precision": "float32"})
    mf.write(model_dir, manifest)
    return manifest


def _parser():
    p = argparse.ArgumentParser(prog="python -m convbench_zoo", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def train_args(sp):
        sp.add_argument("--framework", required=True, choices=sorted(FRAMEWORKS))
        sp.add_argument("--model", default=DEFAULT_MODEL, choices=arch.MODELS,
                        help="architecture; must fit the dataset (config/models.toml)")
        sp.add_argument("--data", required=True, type=Path,
                        help="dir with {train,test}_{x,y}.npy and meta.json")
        sp.add_argument("--out", required=True, type=Path, help="model dir to create")
        from_config = "default: the model's value in config/models.toml"
        sp.add_argument("--epochs", type=int, help=from_config)
        sp.add_argument("--batch-size", type=int, help=from_config)
        sp.add_argument("--lr", type=float, help=from_config)
        sp.add_argument("--seed", type=int, default=DEFAULT_SEED)
        sp.add_argument("--train-subset", type=int, metavar="N",
                        help="train on the first N training samples only")
        sp.add_argument("--val-subset", type=int, metavar="N",
                        help="validate (per-epoch history) on the first N test samples only")

    def convert_args(sp, with_model_dir):
        if with_model_dir:
            sp.add_argument("--model-dir", required=True, type=Path)
        sp.add_argument("--opset", type=int, default=DEFAULT_OPSET)

    train_args(sub.add_parser("train", help="train and save the original model + manifest"))
    convert_args(sub.add_parser("convert", help="convert a trained model to ONNX and Core ML"), True)
    sp = sub.add_parser("all", help="train, then convert, in one process")
    train_args(sp)
    convert_args(sp, False)
    fp = sub.add_parser("figures", help="draw the report's Figs. 2-4 (SVG) from its exports")
    fp.add_argument("--tables", required=True, type=Path, help="tables.json of `convbench report`")
    fp.add_argument("--history", required=True, type=Path, help="history.csv (per-epoch curves)")
    fp.add_argument("--out", required=True, type=Path, help="directory for fig*.svg")
    from convbench_zoo import onnx_tools
    onnx_tools.add_parser(sub)
    return p


def resolve_hparams(args, config) -> HParams:
    """The model's configured hyperparameters with the command line's overrides applied."""
    overrides = {k: getattr(args, k) for k in
                 ("epochs", "batch_size", "lr", "train_subset", "val_subset")
                 if getattr(args, k) is not None}
    hp = dataclasses.replace(config[args.model].hparams, **overrides)
    hp.check()
    return hp


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "figures":
        from convbench_zoo import figures
        return figures.main(args)
    if args.command == "onnx-tools":
        from convbench_zoo import onnx_tools
        return onnx_tools.main(args)
    if args.command in ("train", "all"):
        # Everything that can be wrong with the request is checked here, before the
        # (slow) framework import; each problem is a usage error (exit 2).
        try:
            config = hparams_mod.load()
        except (OSError, ValueError) as exc:
            _log(f"error: bad {hparams_mod.CONFIG_PATH}: {exc}")
            return 2
        try:
            hp = resolve_hparams(args, config)
        except ValueError as exc:
            parser.error(str(exc))
        try:
            meta = data_mod.read_meta(args.data)
        except (OSError, ValueError) as exc:
            _log(f"error: bad --data {args.data}: {exc}")
            return 2
        wanted = config[args.model].dataset
        if meta["dataset"] != wanted:
            _log(f"error: --model {args.model} trains on {wanted}, but --data {args.data} "
                 f"holds {meta['dataset']}")
            return 2
        try:
            data = data_mod.load(args.data, meta, hp.train_subset, hp.val_subset)
            if meta["kind"] == "text" and not (args.data / meta["vocab_file"]).is_file():
                raise ValueError(f"{meta['vocab_file']} not found")
        except (OSError, ValueError) as exc:
            _log(f"error: bad --data {args.data}: {exc}")
            return 2
        train(args.framework, args.model, data, args.data, args.out, hp, args.seed)
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
