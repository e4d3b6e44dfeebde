"""The benchmark's results as markdown (one section per configuration in docs/benchmarks.md,
the other sections kept) and as a plot of ops/s per operation (matplotlib, PNG)."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.names import LABELS, OPERATIONS

PACKAGES = [
    "Django",
    "graphene",
    "graphene-django",
    "graphql-core",
    "djangorestframework",
    "django-rest-passwordreset",
]
TITLES = {
    "sqlite": "SQLite (file, WAL)",
    "postgres": "PostgreSQL (127.0.0.1)",
    "md5": "MD5 hasher",
    "default": "Django's default hasher (PBKDF2)",
}
END_MARKER = "<!-- bench:results-end -->"
# Our own work over django-rest-passwordreset's own work, at most (each over its floor).
OWN_WORK_LIMITS = {"request": 1.0, "validate": 1.0, "confirm": 1 / 1.5}
OWN_WORK_WORDS = {"request": "≤ REST's", "validate": "≤ REST's", "confirm": "≤ REST's / 1.5"}
SCALE_LIMIT = 1.1
HASHER_LIMIT = 1.05


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        text = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
        cpu = found.group(1).strip() if found else cpu
        mem = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        memory = f"{int(mem.group(1)) / 1024 / 1024:.0f} GiB" if mem else ""
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "system": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": {name: importlib.metadata.version(name) for name in PACKAGES},
    }


# --- markdown ----------------------------------------------------------------------------------


def _label(implementation: str) -> str:
    return LABELS.get(implementation, implementation)


def _ops(entry: dict[str, Any]) -> str:
    ops = entry["ops"]
    return f"{ops['median']:,.0f} ({ops['min']:,.0f}–{ops['max']:,.0f})"


def _ms(entry: dict[str, Any]) -> str:
    return f"{1000 / entry['ops']['median']:.2f}"


def _ratio(spread: dict[str, float]) -> str:
    return f"{spread['median']:.2f}× ({spread['min']:.2f}–{spread['max']:.2f})"


def _sql(results: dict[str, Any], name: str) -> str:
    counted = results["sql"].get(name)
    if not counted:
        return "–"
    return f"{counted['statements']} + {counted['transactions']} tx"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def title(results: dict[str, Any]) -> str:
    config = results["config"]
    words = [
        f"Django {config.get('django', '5.2')}",
        TITLES[config["db"]],
        TITLES[config["hasher"]],
    ]
    if config["db"] == "sqlite" and config.get("sqlite_mode", "wal") != "wal":
        words[1] = "SQLite (file, rollback journal, fsync per commit)"
    if config["throttles"] != "on":
        words.append("throttles off")
    users = (results.get("fill") or {}).get("users", 0)
    prefix = f"Scale: {users:,} token rows vs empty tables, " if config["scale"] else ""
    return prefix + ", ".join(words)


def plot_name(results: dict[str, Any]) -> str:
    return f"benchmarks-{results['key']}.png"


def _ms_spread(spread: dict[str, float]) -> str:
    return f"{spread['median']:.3f} ms ({spread['min']:.3f}–{spread['max']:.3f})"


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(target, what was measured, met) for every target this configuration can judge."""
    rows: list[tuple[str, str, bool]] = []
    if results["config"]["scale"]:
        users = (results.get("fill") or {}).get("users", 0)
        for operation in OPERATIONS:
            spread = results["scale"].get(f"graphql.{operation}")
            if spread:
                rows.append(
                    (
                        f"{operation} at {users:,} token rows ≤ {SCALE_LIMIT}× its time on "
                        "empty tables",
                        f"{_ratio(spread)}; by CPU time "
                        f"{_ratio(results['cpu']['scale'][f'graphql.{operation}'])}",
                        spread["median"] <= SCALE_LIMIT,
                    )
                )
        return rows
    own = results.get("own", {})
    cpu_own = results["cpu"].get("own", {})
    for operation in OPERATIONS:
        ratio = own.get(f"ratio.{operation}")
        if ratio and not (operation == "confirm" and results["config"]["hasher"] != "md5"):
            # With Django's real hasher both confirms are mostly the hasher: the own-work
            # target of confirm is judged with MD5, and against set_password() + save() here.
            limit = OWN_WORK_LIMITS[operation]
            ours, rest = own[f"graphql.{operation}"], own[f"rest.{operation}"]
            verdict = ratio["median"] <= limit
            missed = "" if verdict else f", over by {(ratio['median'] / limit - 1) * 100:.0f}%"
            cpu = cpu_own.get(f"ratio.{operation}")
            rows.append(
                (
                    f"{operation}: our own work {OWN_WORK_WORDS[operation]} (ratio ≤ {limit:.2f})",
                    f"ours {ours['median']:.3f} ms, REST {rest['median']:.3f} ms: "
                    f"{ratio['median']:.2f}×{missed}"
                    + (f"; by CPU time {cpu['median']:.2f}×" if cpu else ""),
                    verdict,
                )
            )
        counted = results["sql"].get(f"graphql.{operation}")
        theirs = results["sql"].get(f"rest.{operation}")
        if counted and theirs:
            rows.append(
                (
                    f"{operation}: SQL statements ≤ REST's",
                    f"{counted['statements']} (REST {theirs['statements']})",
                    counted["statements"] <= theirs["statements"],
                )
            )
    if results["config"]["hasher"] == "default":
        spread = results["ratios"].get("hasher:graphql.confirm")
        if spread:
            rows.append(
                (
                    f"confirm within {HASHER_LIMIT}× of set_password() + save()",
                    f"{_ratio(spread)}; by CPU time "
                    f"{_ratio(results['cpu']['ratios']['hasher:graphql.confirm'])}",
                    spread["median"] <= HASHER_LIMIT,
                )
            )
    return rows


def section(results: dict[str, Any]) -> str:
    config = results["config"]
    m = results["machine"]
    packages = ", ".join(f"{name} {version}" for name, version in m["packages"].items())
    date = datetime.fromtimestamp(results["started"], UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = results["load"]
    lines = [
        f"## {title(results)}",
        "",
        f"Command: `{results['command']}`, {date}, {results['duration']:.0f} s.  ",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM, {m['system']}; "
        f"Python {m['python']}, {packages}; {results['database_version']}.  ",
        f"Load average (1, 5, 15 min) before: {', '.join(f'{x:.2f}' for x in load['before'])}; "
        f"after: {', '.join(f'{x:.2f}' for x in load['after'])}.  ",
        f"{config['rounds']} rounds; operations per variant and round: "
        + ", ".join(f"{op} {n}" for op, n in config["batch"].items())
        + ". Medians over rounds, min–max in brackets.",
        "",
    ]
    if config["scale"]:
        lines += _scale_tables(results)
    else:
        lines += _tables(results)
    lines += ["", "Targets:", "", "| target | measured | met |", "|---|---|---|"]
    for target, measured, met in targets(results):
        lines.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")
    lines += ["", f"![ops/s per operation]({plot_name(results)})", ""]
    return "\n".join(lines)


IMPLEMENTATIONS = ("rest", "restfloor", "graphql", "noop", "floor", "hasher")


def _tables(results: dict[str, Any]) -> list[str]:
    variants = results["variants"]
    label = next(iter(next(iter(variants.values()))))
    cpu = results["cpu"]
    lines = [
        "| operation | implementation | ops/s | ms/op | SQL statements + transactions "
        "| ops/s ratio to REST | same, by CPU time |",
        "|---|---|---|---|---|---|---|",
    ]
    for operation in OPERATIONS:
        for implementation in IMPLEMENTATIONS:
            name = f"{implementation}.{operation}"
            if name not in variants:
                continue
            entry = variants[name][label]
            ratio = results["ratios"].get(name)
            cpu_ratio = cpu["ratios"].get(name)
            lines.append(
                f"| {operation} | {_label(implementation)} | {_ops(entry)} | {_ms(entry)} "
                f"| {_sql(results, name)} | {_ratio(ratio) if ratio else '–'} "
                f"| {_ratio(cpu_ratio) if cpu_ratio else '–'} |"
            )
    own = results.get("own", {})
    if own:
        lines += [
            "",
            "Own work: a package's time per operation minus its floor's, in the same round "
            "(graphql_passwordreset minus the no-op field; django-rest-passwordreset minus the "
            "DRF view), median and range over rounds:",
            "",
            "| operation | graphql_passwordreset | django-rest-passwordreset | ours / REST "
            "| same, by CPU time |",
            "|---|---|---|---|---|",
        ]
        cpu_own = cpu.get("own", {})
        for operation in OPERATIONS:
            ours, rest = own.get(f"graphql.{operation}"), own.get(f"rest.{operation}")
            ratio, cpu_ratio = own.get(f"ratio.{operation}"), cpu_own.get(f"ratio.{operation}")
            if ours and rest and ratio:
                lines.append(
                    f"| {operation} | {_ms_spread(ours)} | {_ms_spread(rest)} "
                    f"| {_ratio(ratio)} | {_ratio(cpu_ratio) if cpu_ratio else '–'} |"
                )
        lines += [
            "",
            "The ratio is the median of our own work over the median of REST's; the range in "
            "brackets is the ratio round by round.",
        ]
    hashed = [key for key in results["ratios"] if key.startswith("hasher:")]
    if hashed:
        lines += [
            "",
            "Confirm time over the time of one `user.set_password()` + `save()` (the hasher "
            "floor), per round:",
            "",
        ]
        for key in hashed:
            implementation = key.split(":")[1].split(".")[0]
            lines.append(
                f"- {_label(implementation)}: {_ratio(results['ratios'][key])} "
                f"(by CPU time: {_ratio(cpu['ratios'][key])})"
            )
    lines += [
        "",
        "Statements exclude transaction control (BEGIN, SAVEPOINT, RELEASE, COMMIT); "
        "transactions count atomic blocks plus writes made outside one (each its own "
        "transaction in autocommit). CPU time is this process's only: on PostgreSQL it leaves "
        "out the server's work, on SQLite it is all of it but waiting for the disk.",
    ]
    return lines


def _scale_tables(results: dict[str, Any]) -> list[str]:
    variants = results["variants"]
    empty, full = list(next(iter(variants.values())))
    fill = results.get("fill") or {}
    filled_on = datetime.fromtimestamp(fill.get("filled_at", 0), UTC).strftime("%Y-%m-%d")
    lines = [
        f"The filled database has {fill.get('users', 0):,} users, each with a live token in "
        "both packages' tables (this package allows one token per user, so a million token "
        f"rows take a million users). The fill took {fill.get('seconds', 0):.0f} s "
        f"({'made by this run' if fill.get('made_now') else f'made {filled_on}, cached'}); "
        f"each run clones the cached template in {fill.get('clone_seconds', 0):.1f} s.",
        "",
        f"| operation | implementation | ops/s, {empty} | ops/s, {full} | time {full} / {empty} "
        "| same, by CPU time |",
        "|---|---|---|---|---|---|",
    ]
    for operation in OPERATIONS:
        for implementation in IMPLEMENTATIONS:
            name = f"{implementation}.{operation}"
            if name not in variants:
                continue
            lines.append(
                f"| {operation} | {_label(implementation)} | {_ops(variants[name][empty])} "
                f"| {_ops(variants[name][full])} | {_ratio(results['scale'][name])} "
                f"| {_ratio(results['cpu']['scale'][name])} |"
            )
    backlog = results.get("backlog")
    if backlog:
        lines += [
            "",
            f"After {backlog['expired']:,} tokens in each table expired, the next request "
            "(which runs each package's expired-token clean-up):",
            "",
            "| implementation | first request | expired rows left | next request "
            "| a request without the user index |",
            "|---|---|---|---|---|",
        ]
        for implementation in ("rest", "graphql"):
            if implementation in backlog:
                row = backlog[implementation]
                lines.append(
                    f"| {_label(implementation)} | {row['first_seconds'] * 1000:,.1f} ms "
                    f"| {row['expired_left']:,} | {row['second_seconds'] * 1000:,.1f} ms "
                    f"| {row['no_user_index_seconds'] * 1000:,.1f} ms |"
                )
        lines += [
            "",
            "The last column drops the index on the user table's e-mail that the benchmark "
            "creates (see the method above): both packages then read every user per request.",
        ]
    return lines


def write(results: dict[str, Any], output: Path) -> None:
    """Replace this configuration's section of ``output`` (or add it), and draw its plot."""
    output.parent.mkdir(parents=True, exist_ok=True)
    text = output.read_text() if output.exists() else _skeleton()
    begin, end = f"<!-- results:{results['key']} -->", f"<!-- /results:{results['key']} -->"
    block = f"{begin}\n{section(results)}\n{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    elif END_MARKER in text:
        text = text.replace(END_MARKER, f"{block}\n\n{END_MARKER}")
    else:
        text = f"{text.rstrip()}\n\n{block}\n"
    output.write_text(text)
    plot(results, output.parent / plot_name(results))


def _skeleton() -> str:
    return (
        "# Benchmarks\n\n"
        "Produced by `bench/run.py` (see `make help`); each section below is replaced by the "
        "run of its configuration.\n\n"
        f"{END_MARKER}\n"
    )


COLOURS = {
    "rest": "tab:blue",
    "restfloor": "lightsteelblue",
    "graphql": "tab:orange",
    "noop": "navajowhite",
    "floor": "tab:gray",
}


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    variants = results["variants"]
    labels = list(next(iter(variants.values())))
    implementations = [i for i in COLOURS if f"{i}.request" in variants]
    series = [(impl, label) for impl in implementations for label in labels]
    figure, axis = plt.subplots(figsize=(10, 5.5))
    width = 0.8 / len(series)
    for index, (implementation, label) in enumerate(series):
        medians, lows, highs = [], [], []
        for operation in OPERATIONS:
            ops = variants[f"{implementation}.{operation}"][label]["ops"]
            medians.append(ops["median"])
            lows.append(ops["median"] - ops["min"])
            highs.append(ops["max"] - ops["median"])
        positions = [x + (index - (len(series) - 1) / 2) * width for x in range(len(OPERATIONS))]
        axis.bar(
            positions,
            medians,
            width,
            yerr=[lows, highs],
            capsize=2,
            color=COLOURS[implementation],
            edgecolor="black",
            linewidth=0.4,
            hatch="//" if label != labels[0] else None,
        )
    handles = [Patch(color=COLOURS[i], label=_label(i)) for i in implementations]
    if len(labels) > 1:
        handles += [
            Patch(facecolor="white", edgecolor="black", label=labels[0]),
            Patch(facecolor="white", edgecolor="black", hatch="//", label=labels[1]),
        ]
    axis.set_xticks(range(len(OPERATIONS)), list(OPERATIONS))
    axis.set_ylabel("operations per second (median, min–max over rounds)")
    axis.set_title(title(results), fontsize=10)
    axis.legend(
        handles=handles, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=3
    )
    axis.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def console(results: dict[str, Any]) -> str:
    """A short summary for the terminal."""
    lines = [f"{results['command']}: {title(results)}"]
    variants = results["variants"]
    for name, by_label in variants.items():
        cells = "  ".join(
            f"{label}: {entry['ops']['median']:8.0f} ops/s" for label, entry in by_label.items()
        )
        lines.append(f"  {name:18} {cells}  sql {_sql(results, name)}")
    cpu = results["cpu"]
    for name, spread in results["ratios"].items():
        lines.append(f"  ratio {name:24} {_ratio(spread)}   cpu {_ratio(cpu['ratios'][name])}")
    for name, spread in results.get("own", {}).items():
        if name.startswith("ratio."):
            lines.append(f"  own-work {name:21} {_ratio(spread)}")
        else:
            lines.append(f"  own-work {name:21} {_ms_spread(spread)}")
    for name, spread in results["scale"].items():
        lines.append(f"  scale {name:24} {_ratio(spread)}   cpu {_ratio(cpu['scale'][name])}")
    for target, measured, met in targets(results):
        lines.append(f"  [{'met' if met else 'MISSED'}] {target}: {measured}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Redraw sections and plots from saved results: python -m bench.report RESULTS.json..."""
    import json

    default = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
    output = Path(os.environ.get("BENCH_OUTPUT", default))
    for name in argv:
        write(json.loads(Path(name).read_text()), output)
        print(f"rewrote the section of {name} in {output}")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
