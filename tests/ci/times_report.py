# Copyright (c) ascend_ops.vllm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""times_report.py [DIR]: where the time of a CI run went, against its budget.

Reads what tests/ci/stage (stages.tsv: one line per stage) and the ci_timer
callback (ansible.jsonl: one line per playbook, play and task of every
ansible-playbook run molecule started) wrote to DIR ($CI_TIMES_DIR) and
prints: each stage against its budget (tests/ci/budgets) with the load
average when it ended, the total against the total budget, each molecule
scenario's steps, the deploys and other playbooks run inside side effects,
and the slowest plays and tasks. Exits 0: a budget overrun is a warning in
the log of the change that caused it, not a failure.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))

# Molecule runs these playbooks of a scenario; converge.yml runs three times:
# in check mode (the check step), then converge, then idempotence.
STEP_OF_PLAYBOOK = {
    "create.yml": "create",
    "prepare.yml": "prepare",
    "verify.yml": "verify",
    "side_effect.yml": "side_effect",
    "destroy.yml": "destroy",
}


def read_budgets(path: str) -> dict[str, int]:
    budgets: dict[str, int] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.split("#", 1)[0].strip()
            if line:
                name, seconds = line.split()
                budgets[name] = int(seconds)
    return budgets


def read_stages(path: str) -> list[dict]:
    stages = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                name, seconds, status, load, start = line.rstrip("\n").split("\t")
                stages.append({"name": name, "seconds": int(seconds), "status": status, "load": load,
                               "start": int(start)})
    return stages


def read_records(path: str) -> list[dict]:
    records = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    records.append(json.loads(line))
                except ValueError:
                    continue
    return records


def molecule_steps(records: list[dict]) -> dict[str, list[tuple[str, float]]]:
    """Per scenario, the top-level playbooks in the order they ran, named by molecule step."""
    playbooks = sorted((r for r in records if r["kind"] == "playbook" and r.get("scenario")),
                       key=lambda r: r["started"])
    steps: dict[str, list[tuple[str, float]]] = defaultdict(list)
    converges: dict[str, int] = defaultdict(int)
    for record in playbooks:
        base = os.path.basename(record["name"])
        if not record["name"].startswith("molecule/"):
            continue  # a playbook run from inside a step (a deploy in a side effect)
        if base == "converge.yml":
            if record["check"]:
                step = "check"
            else:
                converges[record["scenario"]] += 1
                step = "converge" if converges[record["scenario"]] == 1 else "idempotence"
        else:
            step = STEP_OF_PLAYBOOK.get(base, base)
        steps[record["scenario"]].append((step, record["seconds"]))
    return steps


def table(title: str, header: list[str], rows: list[list], out) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)] if rows else [len(h) for h in header]
    print(f"\n{title}", file=out)
    print("  " + "  ".join(h.ljust(w) for h, w in zip(header, widths)), file=out)
    for row in rows:
        print("  " + "  ".join(str(x).ljust(w) for x, w in zip(row, widths)), file=out)


def report(directory: str, budgets: dict[str, int], out=sys.stdout) -> list[str]:
    stages = read_stages(os.path.join(directory, "stages.tsv"))
    records = read_records(os.path.join(directory, "ansible.jsonl"))
    over: list[str] = []
    rows = []
    top_level = [s for s in stages if not s["name"].startswith("molecule-")]
    for stage in stages:
        budget = budgets.get(stage["name"])
        mark = ""
        if budget is not None and stage["seconds"] > budget:
            mark = "OVER"
            over.append(f"{stage['name']} {stage['seconds']}s > {budget}s")
        rows.append([stage["name"], stage["seconds"], budget if budget is not None else "-", stage["load"],
                     stage["status"], mark])
    # Wall time: the background stages overlap the ones in the foreground.
    total = (max(s["start"] + s["seconds"] for s in top_level) - min(s["start"] for s in top_level)) if top_level else 0
    total_budget = budgets.get("total")
    if total_budget is not None and total > total_budget:
        over.append(f"total {total}s > {total_budget}s")
    rows.append(["total", total, total_budget if total_budget is not None else "-", "", "",
                 "OVER" if total_budget is not None and total > total_budget else ""])
    table("CI time by stage (seconds; load = 1-minute load average at the end of the stage; images and vllm-parser"
          " run in the background of lint, sanity and units; total is wall time)",
          ["stage", "seconds", "budget", "load", "status", ""], rows, out)

    steps = molecule_steps(records)
    if steps:
        step_rows = []
        for scenario, scenario_steps in steps.items():
            for step, seconds in scenario_steps:
                step_rows.append([scenario, step, round(seconds)])
        table("Molecule steps (ansible-playbook wall time; testinfra verifiers are the rest of the stage)",
              ["scenario", "step", "seconds"], step_rows, out)

    nested = sorted((r for r in records if r["kind"] == "playbook" and not r["name"].startswith("molecule/")),
                    key=lambda r: r["started"])
    if nested:
        table("Playbooks run inside a step (deploys of side effects)", ["scenario", "playbook", "check", "seconds"],
              [[r["scenario"], r["name"], "check" if r["check"] else "", round(r["seconds"])] for r in nested], out)

    plays = sorted((r for r in records if r["kind"] == "play"), key=lambda r: -r["seconds"])[:15]
    if plays:
        table("Slowest plays", ["seconds", "scenario", "playbook", "play"],
              [[round(r["seconds"]), r["scenario"], r["playbook"], r["name"][:70]] for r in plays], out)

    tasks: dict[tuple[str, str], list[float]] = defaultdict(list)
    for record in records:
        if record["kind"] == "task":
            tasks[(record["role"], record["name"])].append(record["seconds"])
    slow = sorted(tasks.items(), key=lambda item: -sum(item[1]))[:15]
    if slow:
        table("Slowest tasks (summed over every run)", ["seconds", "runs", "role", "task"],
              [[round(sum(times)), len(times), role or "-", name[:70]] for (role, name), times in slow], out)

    if over:
        print("\nci: over budget: " + "; ".join(over), file=out)
    return over


def main(argv: list[str]) -> int:
    directory = argv[1] if len(argv) > 1 else os.environ.get("CI_TIMES_DIR", "")
    if not directory or not os.path.isdir(directory):
        print(f"times_report.py: no timing directory ({directory or 'CI_TIMES_DIR unset'})", file=sys.stderr)
        return 0
    report(directory, read_budgets(os.path.join(HERE, "budgets")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
