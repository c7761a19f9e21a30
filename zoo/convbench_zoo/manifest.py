"""manifest.json: the contract between the zoo and the C++ benchmark (schema 1)."""
import importlib.metadata
import json
import os
import platform
import subprocess
from pathlib import Path

SCHEMA = 1
FILENAME = "manifest.json"

# Distributions worth recording per framework (looked up via package metadata so
# that recording a version never imports the package itself).
_PACKAGES = {
    "keras": ["keras", "tf2onnx", "onnx", "onnxruntime", "coremltools", "protobuf"],
    "pytorch": ["onnx", "onnxruntime", "coremltools", "protobuf"],
}


def _dist_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _deb_version(package):
    # Debian's torch build reports "1.13.0a0" in torch.__version__ although the
    # package (and the libtorch the C++ side links) is 1.13.1: record both.
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    return out.stdout.strip() or None


def versions(framework: str, framework_version: str) -> dict:
    import numpy
    v = {"python": platform.python_version(), "numpy": numpy.__version__}
    if framework == "keras":
        v["tensorflow"] = framework_version
    else:
        v["torch"] = framework_version
        v["python3-torch (deb)"] = _deb_version("python3-torch")
    for pkg in _PACKAGES[framework]:
        v[pkg] = _dist_version(pkg)
    return v


def path(model_dir) -> Path:
    return Path(model_dir) / FILENAME


def read(model_dir) -> dict:
    with open(path(model_dir)) as f:
        m = json.load(f)
    if m.get("schema") != SCHEMA:
        raise ValueError(f"{path(model_dir)}: unsupported schema {m.get('schema')!r}")
    return m


def write(model_dir, manifest: dict) -> None:
    # Write-then-rename so a reader (or a crash mid-conversion) never sees a torn file.
    p = path(model_dir)
    tmp = p.with_suffix(".json.tmp")
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    os.replace(tmp, p)
