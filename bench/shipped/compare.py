"""The shipped-model corpus through `convbench check` and through Polygraphy, side by side
(bench/shipped/run.sh runs this after reference.py).

    python bench/shipped/compare.py --corpus DIR --results DIR --bin BUILD/bin --table OUT/table.md

Per case of CORPUS/index.json:
  * convbench: `convbench check original.pt converted.onnx --inputs inputs.npz --threads 1 --json`
    (+ the case's args); exit 0 PASS / 1 FAIL / 2 error; its FAIL/CAUSE/suspect lines kept.
  * Polygraphy: `polygraphy run converted.onnx --onnxrt --load-inputs <the same arrays, cast to the
    ONNX inputs' dtypes, one iteration> --load-outputs <the original's outputs, reference.py, as a
    RunResults JSON> --save-outputs ...` at Polygraphy's default tolerances (atol 1e-5, rtol 1e-5,
    elementwise). Polygraphy cannot run TorchScript, so its reference is the original run in
    Python torch; the original has no output names, so the reference is named by position with the
    converted model's output names (what zip(session.get_outputs(), torch_outputs) gives). When
    ONNX Runtime cannot take that feed (a fixed batch, another layout), the feed Polygraphy's user
    would write is tried too: batch-sized iterations, the axes permuted to the declared shape.
  * Same outputs? `convbench check --json` records per-output errors, not the outputs, so the
    ONNX Runtime worker's outputs are taken with build/bin/convbench-onnx-conformance (the same
    worker, through convbench's ModelRunner, 1 thread) on Polygraphy's feed and compared byte for
    byte with what Polygraphy's ONNX Runtime run saved.
Prints the Markdown table and writes it to --table; RESULTS/summary.json has everything.
Exit 1 on an infrastructure error, a faithful case that does not PASS in convbench, or a broken
case whose verdict is not FAIL or whose output lacks its expected cause (index.json "finding").
"""
import sys

sys.modules["torch"] = None  # Debian's torch "1.13.0a0" trips Polygraphy's version check

import argparse  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import helper  # noqa: E402
from polygraphy.comparator import RunResults  # noqa: E402
from polygraphy.comparator.struct import IterationResult  # noqa: E402
from polygraphy.json import load_json, save_json  # noqa: E402

HERE = Path(__file__).resolve().parent
LABELS = ("labels", "label", "y")
WORKER_MISSING = re.compile(r"cannot start \S*convbench-worker")


def run(cmd, timeout, tries=20):
    """Runs cmd; retries while the binary is missing or not executable (it may be relinked by a
    build running beside us for a few seconds)."""
    for k in range(tries):
        t = time.monotonic()
        try:
            p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout)
        except (FileNotFoundError, PermissionError, OSError) as e:
            if k + 1 == tries:
                return 127, "", f"{cmd[0]}: {e}", 0.0
            time.sleep(3)
            continue
        if p.returncode in (126, 127) and k + 1 < tries:
            time.sleep(3)
            continue
        return p.returncode, p.stdout, p.stderr, time.monotonic() - t
    raise AssertionError


def short(s, n=150):
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def onnx_io(path):
    m = onnx.load(str(path))
    inits = {t.name for t in m.graph.initializer}

    def dims(v):
        return [d.dim_value if d.HasField("dim_value") else None for d in v.type.tensor_type.shape.dim]

    ins = [(i.name, helper.tensor_dtype_to_np_dtype(i.type.tensor_type.elem_type), dims(i))
           for i in m.graph.input if i.name not in inits]
    return ins, [o.name for o in m.graph.output]


# ----------------------------------------------------------------------------------- convbench
def convbench(bin_dir, corpus, res, c):
    d = res / c["case"]
    cmd = [bin_dir / "convbench", "check", corpus / c["original"], corpus / c["converted"],
           "--inputs", corpus / c["inputs"], "--threads", "1", "--json", d / "convbench.json",
           *c["args"]]
    for _ in range(20):
        rc, out, err, wall = run(cmd, timeout=600)
        if not (rc == 2 and WORKER_MISSING.search(err)):
            break
        time.sleep(3)  # a worker binary being relinked beside us
    (d / "convbench.out").write_text(out)
    (d / "convbench.err").write_text(err)
    lines = [ln.strip() for ln in out.splitlines()
             if re.match(r"\s*(FAIL |CAUSE:|suspect:|precision:|first diverging layer:)", ln)]
    verdict = {0: "PASS", 1: "FAIL", 2: "error"}.get(rc, f"crash (exit {rc})")
    errors = [ln.split(" error ", 1)[1] for ln in err.splitlines() if " error " in ln]
    maxabs = None
    try:  # the largest over every output (the `elementwise` block is the class-score output's)
        j = json.loads((d / "convbench.json").read_text())
        maxabs = max(o["max_abs"] for o in j["candidates"][0]["outputs"])
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        pass
    finding = c.get("finding")
    found = None if not finding else re.search(finding, out) is not None
    return {"cmd": " ".join(str(x) for x in cmd), "rc": rc, "verdict": verdict, "lines": lines,
            "errors": errors, "wall_s": wall, "max_abs": maxabs, "finding_found": found}


def convbench_cell(r):
    if r["verdict"] == "PASS":
        return "PASS" + (f" (max abs {r['max_abs']:.3g})" if r["max_abs"] is not None else "")
    if r["verdict"] == "error":
        return "error (exit 2): " + short(r["errors"][0] if r["errors"] else "?", 110)
    if r["verdict"] != "FAIL":
        return r["verdict"]
    causes = [ln for ln in r["lines"] if ln.startswith(("CAUSE:", "suspect:"))]
    fails = [ln for ln in r["lines"] if ln.startswith("FAIL ")]
    parts = []
    for ln in fails[:2]:
        name, _, rest = ln[5:].partition(": ")
        m = re.search(r"max abs [^,;]+", rest)
        v = re.search(r"(vacuous tolerance: .*?)(, far below|;|$)", rest)
        if v:  # the outputs are below atol: judged relative to their scale
            parts.append(f"{name} ({short(v.group(1), 90)}; rescaled {m.group(0) if m else ''})")
        else:
            parts.append(f"{name}" + (f" ({m.group(0)})" if m else f": {short(rest, 90)}"))
    txt = "FAIL " + "; ".join(parts) + (" …" if len(fails) > 2 else "")
    prec = [ln for ln in r["lines"] if ln.startswith("precision:")]
    if prec:  # convbench names the graph's reduced precision beside its errors
        txt += " — " + short(prec[0].split(" — ")[0], 90)
    txt += " — " + (short(causes[0], 170) if causes else "no cause confirmed")
    local = [ln for ln in r["lines"] if ln.startswith("first diverging layer:")]
    if local:  # localised to a layer
        txt += " — " + short(local[0].split(": max abs")[0], 120)
    return txt


# ---------------------------------------------------------------------------------- Polygraphy
def cast_feed(feed, ins):
    return {n: np.asarray(feed[n]).astype(dt, copy=False) for n, dt, _ in ins}


def adapt(feed, ins):
    """The feed a Polygraphy user would write for this model: axes permuted to the declared
    per-sample shape, batches of the declared size. None when nothing needs adapting."""
    changed, batch, out = False, None, {}
    for n, _, dims in ins:
        a = feed[n]
        if len(dims) == a.ndim and a.ndim > 1:
            want = dims[1:]
            if any(w is not None and w != s for w, s in zip(want, a.shape[1:])):
                for p in itertools.permutations(range(1, a.ndim)):
                    if all(w is None or w == a.shape[k] for w, k in zip(want, p)):
                        a, changed = np.ascontiguousarray(a.transpose((0, *p))), True
                        break
            if dims[0] is not None and dims[0] != a.shape[0]:
                batch, changed = dims[0], True
        out[n] = a
    if not changed:
        return None
    n0 = next(iter(out.values())).shape[0]
    b = batch or n0
    return [{k: v[i : i + b] for k, v in out.items()} for i in range(0, n0, b)], b


def polygraphy(py, c, corpus, res, iterations, refs, out_names, batch, tag):
    d = res / c["case"]
    rr = RunResults()
    results = []
    for k in range(len(iterations)):
        sl = slice(k * batch, (k + 1) * batch) if batch else slice(None)
        results.append(IterationResult({n: refs[i][sl] for i, n in enumerate(out_names)},
                                       runner_name="original-torchscript"))
    rr.append(("original-torchscript", results))
    inp, ref, outp = (d / f"polygraphy_{tag}_{x}.json" for x in ("inputs", "reference", "outputs"))
    save_json(iterations, str(inp))
    save_json(rr, str(ref))
    outp.unlink(missing_ok=True)
    cmd = [py, HERE / "polygraphy_cli.py", "run", corpus / c["converted"], "--onnxrt",
           "--load-inputs", inp, "--load-outputs", ref, "--save-outputs", outp]
    rc, out, err, wall = run(cmd, timeout=600)
    log = out + err
    (d / f"polygraphy_{tag}.log").write_text(log)
    r = {"cmd": "polygraphy " + " ".join(str(x) for x in cmd[2:]), "rc": rc, "wall_s": wall,
         "iterations": len(iterations), "outputs_file": str(outp) if outp.exists() else None,
         "tag": tag}
    summ = re.search(r"Accuracy Summary \| .* \| Passed: (\d+)/(\d+) iterations", log)
    metrics = re.findall(r"Error Metrics: (\S+)\s*\n.*?Minimum Required Tolerance: \S+ error \| "
                         r"\[abs=([^\]]+)\] OR \[rel=([^\]]+)\]", log)
    failed = sorted(set(re.findall(r"FAILED \| Output: '([^']+)'", log)))
    if summ:
        ok = summ.group(1) == summ.group(2)
        r["verdict"] = "PASS" if ok and rc == 0 else "FAIL"
        worst = {}
        for name, a, rel in metrics:
            a, rel = float(a), float(rel)
            w = worst.setdefault(name, [0.0, 0.0])
            w[0], w[1] = max(w[0], a), max(w[1], rel)
        r["metrics"] = worst
        r["failed_outputs"] = failed
        r["passed_iterations"] = f"{summ.group(1)}/{summ.group(2)}"
        notes = re.findall(r"\[E\] (?!\s*FAILED)(?!Accuracy Summary)(.*)", log)
        r["notes"] = [short(x, 120) for x in notes if "Mismatched outputs" not in x][:3]
    else:
        lines = log.splitlines()
        crit = [k for k, ln in enumerate(lines) if ln.startswith("[!]")]
        errs = [ln for ln in lines if re.match(r"\[(!|E)\]", ln)]
        r["verdict"] = "error"
        if crit:  # Polygraphy's critical message and its "Note:" line
            k = crit[0]
            msg = lines[k][4:] + (" " + lines[k + 1].strip() if k + 1 < len(lines)
                                  and lines[k + 1].strip().startswith("Note:") else "")
        else:
            msg = errs[0] if errs else (log.strip().splitlines() or ["(no output)"])[-1]
        m = re.search(r"(\[ONNXRuntimeError\][^\n]*)", log)
        r["error"] = short(m.group(1) if m else msg, 220)
        r["infrastructure"] = not errs  # no Polygraphy diagnostic at all: it did not run
    # What Polygraphy did to the feed on its own (it transposes/reshapes a mismatched buffer).
    r["feed_notes"] = [short(re.sub(r"^\[.\] ", "", ln), 140) for ln in log.splitlines()
                       if re.match(r"\[W\] (Input tensor|Could not reshape)|\[I\] Permuted array", ln)]
    return r


def polygraphy_text(r):
    if r["verdict"] == "error":
        return f"error: {short(r['error'], 120)}"
    parts = []
    for name, (a, rel) in r["metrics"].items():
        mark = "FAIL" if name in r["failed_outputs"] else "ok"
        parts.append(f"{mark} '{name}' abs {a:.3g} rel {rel:.3g}")
    txt = f"{r['verdict']} ({r['passed_iterations']} it.): " + "; ".join(parts)
    if r.get("notes"):
        txt += " — " + "; ".join(r["notes"][:1])
    permuted = [n for n in r["feed_notes"] if n.startswith("Permuted array")]
    if permuted:
        txt += f" — after Polygraphy itself {short(permuted[0][0].lower() + permuted[0][1:], 90)} (a warning)"
    return txt


def polygraphy_cell(rs):
    return " / then ".join(
        (f"{polygraphy_text(r)}" if r["tag"] == "same" else
         f"with the feed adapted to the model ({r['iterations']} iterations): {polygraphy_text(r)}")
        for r in rs)


# -------------------------------------------------------------------------- outputs identical?
def identity_cases(c, corpus, res, rs, ins, out_names):
    """Conformance-index entries: Polygraphy's feed and its ONNX Runtime outputs, per iteration."""
    r, iters = None, None
    for cand in rs:
        if cand["outputs_file"]:
            runs = [x for x in load_json(cand["outputs_file"]).items() if x[1]]
            if runs:
                r, iters = cand, runs[0][1]
                break
    if r is None:
        return []
    d = res / c["case"] / "identity"
    d.mkdir(exist_ok=True)
    feeds = load_json(str(res / c["case"] / f"polygraphy_{r['tag']}_inputs.json"))
    if any(n.startswith("Permuted array") for n in r["feed_notes"]):
        # Polygraphy permuted the buffer itself before ONNX Runtime saw it: feed the worker that.
        feeds = [it for f in feeds for it in (adapt(f, ins) or ([f], None))[0]]
        r["identity_feed"] = "permuted as Polygraphy did"
    entries = []
    for k, (feed, got) in enumerate(zip(feeds, iters)):
        e = {"case": f"{c['case']}#{k}", "kind": "shipped", "model": str(corpus / c["converted"]),
             "rtol": 0.0, "atol": 0.0, "inputs": [], "outputs": [], "skip": None, "py_error": None,
             "feed": r["tag"]}
        for n, _, _ in ins:
            f = d / f"in_{k}_{n}.npy"
            np.save(f, feed[n])
            e["inputs"].append({"name": n, "file": str(f)})
        for n in out_names:
            f = d / f"polygraphy_{k}_{n}.npy"
            np.save(f, np.asarray(got[n]))
            e["outputs"].append({"name": n, "ref": str(f), "py": str(f)})
        entries.append(e)
    return entries


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--results", type=Path, required=True)
    ap.add_argument("--bin", type=Path, required=True)
    ap.add_argument("--table", type=Path, required=True)
    a = ap.parse_args()
    corpus, res = a.corpus.resolve(), a.results.resolve()
    py = sys.executable
    index = json.loads((corpus / "index.json").read_text())
    rows, infra, ident_index = [], [], []
    for c in index:
        name = c["case"]
        (res / name).mkdir(parents=True, exist_ok=True)
        ins, out_names = onnx_io(corpus / c["converted"])
        cb = convbench(a.bin, corpus, res, c)
        if not cb["verdict"] in ("PASS", "FAIL", "error"):
            infra.append(f"{name}: convbench check {cb['verdict']}: {cb['cmd']}")
        ref = np.load(res / name / "reference.npz")
        refs = [ref[f"out_{i}"] for i in range(len(ref.files))]
        if len(refs) != len(out_names):
            infra.append(f"{name}: the original gives {len(refs)} outputs, the ONNX model {len(out_names)}")
            refs = (refs + refs)[: len(out_names)]
        feed = cast_feed(np.load(corpus / c["inputs"]), ins)
        pgs = [polygraphy(py, c, corpus, res, [feed], refs, out_names, None, "same")]
        if pgs[0]["verdict"] == "error":
            ad = adapt(feed, ins)
            if ad:
                pgs.append(polygraphy(py, c, corpus, res, ad[0], refs, out_names, ad[1], "adapted"))
        for r in pgs:
            if r["verdict"] == "error" and r.get("infrastructure"):
                infra.append(f"{name}: Polygraphy did not run: {r['error']}")
        ids = identity_cases(c, corpus, res, pgs, ins, out_names)
        ident_index += ids
        rows.append({"case": c, "convbench": cb, "polygraphy": pgs, "identity_cases": [e["case"] for e in ids]})
        print(f"{name}: convbench {cb['verdict']} ({cb['wall_s']:.1f} s), Polygraphy "
              f"{' / '.join(r['verdict'] for r in pgs)} ({sum(r['wall_s'] for r in pgs):.1f} s)",
              file=sys.stderr)

    # Same outputs: the ONNX Runtime worker (through convbench's ModelRunner) vs Polygraphy's run.
    (res / "identity_index.json").write_text(json.dumps(ident_index, indent=1))
    for _ in range(20):
        (res / "identity.md").unlink(missing_ok=True)
        rc, out, err, wall = run([a.bin / "convbench-onnx-conformance", "--index",
                                  res / "identity_index.json", "--runtimes", "onnxruntime",
                                  "--markdown", res / "identity.md"], timeout=600)
        md = (res / "identity.md").read_text() if (res / "identity.md").exists() else ""
        if not WORKER_MISSING.search(md + err):
            break
        time.sleep(3)  # a worker binary being relinked beside us: run it again
    (res / "identity.log").write_text(out + err)
    if rc not in (0, 1) or not (res / "identity.md").exists():
        infra.append(f"convbench-onnx-conformance exit {rc}: {short(err, 200)}")
        fails = {}
        tally = "not measured"
    else:
        sect = md.split("### onnxruntime: failures", 1)[1].split("\n### ", 1)[0]
        fails, bad_iters = {}, set()
        for ln in sect.splitlines():
            m = re.match(r"- ([^:#]+)#(\d+): (.*)", ln)
            if m:
                fails.setdefault(m.group(1), []).append(f"#{m.group(2)}: {m.group(3)}")
                bad_iters.add((m.group(1), m.group(2)))
        bad = len(bad_iters)
        tally = f"{len(ident_index) - bad} of {len(ident_index)} iterations byte-identical"

    # The table.
    hdr = ("| case | expected | convbench check | Polygraphy (ONNX Runtime vs the original, atol=rtol=1e-5) "
           "| agree? | ORT outputs: convbench worker = Polygraphy |\n|---|---|---|---|---|---|\n")
    body, bad_faithful, gaps = "", [], []
    for row in rows:
        c, cb, pgs = row["case"], row["convbench"], row["polygraphy"]
        name = c["case"]
        cb_flags = cb["verdict"] != "PASS"
        pg_flags = any(r["verdict"] != "PASS" for r in pgs[:1])
        cell = convbench_cell(cb)
        if c["expect"] == "PASS" and cb["verdict"] != "PASS":
            bad_faithful.append(name)
            cell += " **(faithful case not PASS)**"
        elif c["expect"] != "PASS" and cb["verdict"] != c["expect"]:
            gaps.append(name)
            cell += " **(verdict not the expected FAIL)**"
        elif cb.get("finding_found") is False:
            gaps.append(name)
            cell += f" **(cause not named: expected /{c['finding']}/)**"
        exp = "PASS" if c["expect"] == "PASS" else f"FAIL: {c['cause']}"
        agree = "yes" if cb_flags == pg_flags else "**no**"
        if not row["identity_cases"]:
            same = "not compared (no Polygraphy outputs)"
        elif name in fails:
            same = "**no**: " + short("; ".join(fails[name]), 100)
        else:
            n = len(row["identity_cases"])
            how = next((r.get("identity_feed") for r in pgs if r.get("identity_feed")), None)
            if len(pgs) > 1 and pgs[-1]["tag"] == "adapted":
                how = "adapted feed"
            same = f"identical ({n} iteration{'s' if n > 1 else ''}" + (f", {how})" if how else ")")
        cells = [name, exp, cell, polygraphy_cell(pgs), agree, same]
        body += "| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |\n"
    times = "| case | convbench check wall s | Polygraphy wall s |\n|---|---|---|\n" + "".join(
        f"| {r['case']['case']} | {r['convbench']['wall_s']:.1f} | "
        f"{' + '.join('%.1f' % p['wall_s'] for p in r['polygraphy'])} |\n" for r in rows)
    tot_cb = sum(r["convbench"]["wall_s"] for r in rows)
    tot_pg = sum(p["wall_s"] for r in rows for p in r["polygraphy"])
    times += f"| **total** | {tot_cb:.1f} | {tot_pg:.1f} |\n"
    table = (hdr + body + f"\nORT outputs, convbench's ONNX Runtime worker vs Polygraphy's ONNX Runtime run "
             f"(same feed, byte for byte, `convbench-onnx-conformance`): {tally}.\n\n" + times)
    if gaps:
        table += f"\nBroken cases without the expected verdict and cause: {', '.join(gaps)}.\n"
    if bad_faithful:
        table += f"\nFaithful cases that do not PASS: {', '.join(bad_faithful)}.\n"
    if infra:
        table += "\nInfrastructure errors:\n" + "".join(f"- {x}\n" for x in infra)
    a.table.write_text(table)
    print(table)
    (res / "summary.json").write_text(json.dumps(
        {"rows": rows, "identity": {"tally": tally, "failures": fails}, "infrastructure": infra,
         "known_gaps": gaps, "faithful_not_pass": bad_faithful}, indent=1, default=str))
    return 1 if infra or bad_faithful or gaps else 0


if __name__ == "__main__":
    sys.exit(main())
