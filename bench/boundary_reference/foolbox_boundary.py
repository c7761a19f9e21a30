"""Foolbox 3.3.4's BoundaryAttack on the same TorchScript model and the same images as
convbench-bench-boundary (its --dump folder: inputs.npy, labels.npy); prints the same JSON.

Run with the zoo's venv after `pip install -r zoo/requirements-bench.txt -c zoo/requirements.lock`.
"""
import argparse
import json
import time

import numpy as np
import torch


class CountingModel(torch.nn.Module):
    """The model as Foolbox sees it, counting the rows (queries) and the time spent in it."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.queries = 0
        self.model_s = 0.0

    def forward(self, x):
        self.queries += int(x.shape[0])
        t0 = time.perf_counter()
        y = self.model(x)
        self.model_s += time.perf_counter() - t0
        return y


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--model", required=True, help="TorchScript file (the zoo's model.pt)")
    p.add_argument("--inputs", required=True, help="folder with inputs.npy and labels.npy")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--l2-budget", type=float, default=2.0)
    p.add_argument("--bounds", type=float, nargs=2, default=(0.0, 1.0),
                   help="scalar input bounds (Foolbox has no per-element bounds): MNIST 0 1")
    p.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's)")
    a = p.parse_args()

    import eagerpy  # noqa: F401  (fail here, not mid-run, when the bench packages are missing)
    import foolbox as fb

    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)  # Foolbox's noise comes from torch's global RNG
    x = torch.from_numpy(np.load(f"{a.inputs}/inputs.npy"))
    y = torch.from_numpy(np.load(f"{a.inputs}/labels.npy")).long()
    net = CountingModel(torch.jit.load(a.model).eval()).eval()
    fmodel = fb.PyTorchModel(net, bounds=tuple(a.bounds), device="cpu")
    attack = fb.attacks.BoundaryAttack(steps=a.steps)

    with torch.no_grad():
        t0 = time.perf_counter()
        adv = attack.run(fmodel, x, fb.criteria.Misclassification(y))
        wall = time.perf_counter() - t0
        queries, model_s = net.queries, net.model_s
        is_adv = (net(adv).argmax(-1) != y).numpy()
    l2 = (adv - x).flatten(1).norm(dim=1).numpy()
    success = is_adv & (l2 <= a.l2_budget)
    n = len(x)
    print(json.dumps({
        "implementation": f"foolbox {fb.__version__}",
        "runtime": f"torch {torch.__version__}",
        "model": a.model,
        "images": n,
        "steps": a.steps,
        "seed": a.seed,
        "threads": torch.get_num_threads(),
        "l2_budget": a.l2_budget,
        "adversarial_rate": float(is_adv.mean()),
        "success_rate": float(success.mean()),
        "median_l2": float(np.median(l2[is_adv])) if is_adv.any() else None,
        "queries": queries,
        "wall_s": wall,
        "model_s": model_s,
        "queries_per_s": queries / wall,
        "examples_per_min": n / (wall / 60.0),
    }, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
