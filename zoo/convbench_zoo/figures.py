"""Figures 2-4 of the study report, drawn with matplotlib from the report's exports.

Reads tables.json (every table cell, written by `convbench report`) and history.csv (per-epoch
training curves), writes fig2.svg, fig3.svg, fig4.svg and figures.json, which says for each figure
either its file or why it could not be drawn. Nothing is drawn that has no data behind it.
"""
import csv
import json
from collections import defaultdict
from pathlib import Path

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
             "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000"}
FRAMEWORK_COLOUR = {"Keras": OKABE_ITO["vermillion"], "PyTorch": OKABE_ITO["blue"]}
VARIANT_STYLE = {  # variant -> (label, colour)
    "original": ("original", OKABE_ITO["black"]),
    "onnx": ("ONNX (ONNX Runtime)", OKABE_ITO["sky"]),
    "coreml": ("Core ML", OKABE_ITO["orange"]),
}
MODEL_ORDER = ["LeNet-5", "ResNet-18", "VGG-16", "LSTM", "GRU"]
MODEL_NAMES = {"lenet5": "LeNet-5", "resnet18": "ResNet-18", "vgg16": "VGG-16", "lstm": "LSTM",
               "gru": "GRU"}
FRAMEWORK_NAMES = {"keras": "Keras", "pytorch": "PyTorch"}
ATTACK_NAMES = {"fgsm": "FGSM", "boundary": "Boundary", "genetic": "GA"}


def _plt():
    import matplotlib
    matplotlib.use("svg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 10, "svg.hashsalt": "convbench",
                         "axes.spines.top": False, "axes.spines.right": False})
    return plt


def _save(fig, path: Path):
    # No metadata block: the report inlines the SVG and must not carry links.
    fig.savefig(path, format="svg", bbox_inches="tight",
                metadata={"Creator": None, "Date": None, "Format": None, "Type": None})


def _model_key(name):
    return MODEL_ORDER.index(name) if name in MODEL_ORDER else len(MODEL_ORDER)


def read_history(path: Path):
    """{(model, framework): {epoch: [row, ...]}} from history.csv (display names)."""
    curves = defaultdict(lambda: defaultdict(list))
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            curves[(row["model"], row["framework"])][int(row["epoch"])].append(row)
    return curves


def fig2(history_csv: Path, out: Path):
    if not history_csv.is_file():
        return None, f"{history_csv.name} is missing"
    curves = read_history(history_csv)
    if not curves:
        return None, "the store holds no per-epoch training history"
    plt = _plt()
    models = sorted({m for m, _ in curves}, key=_model_key)
    fig, axes = plt.subplots(len(models), 2, figsize=(10, 2.6 * len(models)), squeeze=False)
    for i, model in enumerate(models):
        for j, (metric, label) in enumerate([("accuracy", "accuracy (%)"),
                                             ("loss", "loss (cross-entropy)")]):
            ax = axes[i][j]
            for fw in ("Keras", "PyTorch"):
                by_epoch = curves.get((model, fw))
                if not by_epoch:
                    continue
                epochs = sorted(by_epoch)
                scale = 100.0 if metric == "accuracy" else 1.0
                for key, style, split in ((metric, "-", "training"), ("val_" + metric, "--",
                                                                        "validation")):
                    ys = [scale * sum(float(r[key]) for r in by_epoch[e]) / len(by_epoch[e])
                          for e in epochs]
                    n = max(len(by_epoch[e]) for e in epochs)
                    ax.plot(epochs, ys, style, marker="o", markersize=3,
                            color=FRAMEWORK_COLOUR[fw], label=f"{fw} {split} (n={n})")
            ax.set_title(f"{model}: {metric}")
            ax.set_xlabel("epoch")
            ax.set_ylabel(label)
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
    fig.suptitle("Fig. 2: training and validation curves (mean over replicates)")
    fig.tight_layout()
    _save(fig, out)
    plt.close(fig)
    return out.name, None


def _success_cells(cells, table):
    """{(model, framework): {attack: {variant: cell}}} of one figure's table."""
    rows = defaultdict(lambda: defaultdict(dict))
    for c in cells:
        if c["table"] == table and c["quantity"] == "success_rate_pct":
            key = (MODEL_NAMES.get(c["model"], c["model"]),
                   FRAMEWORK_NAMES.get(c["framework"], c["framework"]))
            rows[key][ATTACK_NAMES.get(c["attack"], c["attack"])][c["variant"]] = c
    return rows


def fig_success(cells, table, title, out: Path):
    rows = _success_cells(cells, table)
    if not rows:
        return None, f"this store has no attack results for Figure {table[-1]} (table {table})"
    plt = _plt()
    order = ["FGSM", "Boundary", "GA"]
    attacks = sorted({a for r in rows.values() for a in r},
                     key=lambda a: (order.index(a) if a in order else len(order), a))
    keys = sorted(rows, key=lambda k: (_model_key(k[0]), k[1]))
    variants = ["original", "onnx", "coreml"]
    width = 0.8 / len(variants)
    fig, axes = plt.subplots(1, len(attacks), figsize=(max(5.0, 1.6 * len(keys)) * len(attacks),
                                                        4.2), squeeze=False)
    for ax, attack in zip(axes[0], attacks):
        for vi, variant in enumerate(variants):
            label, colour = VARIANT_STYLE[variant]
            for ki, key in enumerate(keys):
                c = rows[key].get(attack, {}).get(variant)
                x = ki + (vi - 1) * width
                if c is not None and c["mean"] is not None:
                    ax.bar(x, c["mean"], width, color=colour, edgecolor="black", linewidth=0.5,
                           yerr=c["std"] if c["std"] is not None else None, capsize=2,
                           label=label if ki == 0 else None)
                else:
                    note = (c or {}).get("note") or "no value"
                    if variant == "coreml" and "not runnable" in note:
                        note = "not runnable on Linux"
                    # No bar (a bar would read as a value): a marker and the reason.
                    ax.plot([x], [0], marker="x", color=colour, markersize=8, linestyle="none",
                            label=f"{label}: {note}" if ki == 0 else None)
                    ax.text(x, 4, note, rotation=90, ha="center", va="bottom", fontsize=8,
                            color="#333333")
        ax.set_xticks(range(len(keys)))
        ax.set_xticklabels([f"{m}\n{f}" for m, f in keys])
        ax.set_ylim(0, 105)
        ax.set_ylabel("attack success rate (%)")
        ax.set_title(attack)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(0, -0.18), ncol=1, frameon=False)
    fig.suptitle(title)
    fig.tight_layout()
    _save(fig, out)
    plt.close(fig)
    return out.name, None


def draw_all(tables_json: Path, history_csv: Path, out_dir: Path) -> dict:
    out_dir.mkdir(parents=True, exist_ok=True)
    cells = json.loads(tables_json.read_text())["cells"]
    status = {}
    jobs = {
        "fig2": lambda p: fig2(history_csv, p),
        "fig3": lambda p: fig_success(cells, "Fig3", "Fig. 3: attack success rate on CNNs, "
                                      "original vs converted (mean ± std over replicates)", p),
        "fig4": lambda p: fig_success(cells, "Fig4", "Fig. 4: GA success rate on RNNs, "
                                      "original vs converted (mean ± std over replicates)", p),
    }
    for name, job in jobs.items():
        path = out_dir / f"{name}.svg"
        path.unlink(missing_ok=True)
        try:
            file, why = job(path)
        except Exception as exc:  # noqa: BLE001 - a figure that fails is reported, not faked
            file, why = None, f"{type(exc).__name__}: {exc}"
        status[name] = {"file": file} if file else {"missing": why}
    (out_dir / "figures.json").write_text(json.dumps(status, indent=1))
    return status


def main(args) -> int:
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        args.out.mkdir(parents=True, exist_ok=True)
        why = f"matplotlib is not installed in this Python ({exc})"
        (args.out / "figures.json").write_text(json.dumps(
            {k: {"missing": why} for k in ("fig2", "fig3", "fig4")}, indent=1))
        print(why)
        return 0
    status = draw_all(args.tables, args.history, args.out)
    for name, s in status.items():
        print(name, s.get("file") or "missing: " + s["missing"])
    return 0
