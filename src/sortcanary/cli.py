"""`sortcanary`: the package's command line (the workflow runs through `snakemake`, or `sortcanary run`)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import tempfile
from pathlib import Path

from . import __version__, layout
from .deploy import (
    EXIT_USAGE,
    PROFILE_CHAINS,
    RUN_EXIT_CODES,
    DeployError,
    init_workdir,
    run_workflow,
)

# A command imports what it needs itself: `sortcanary status` is called again and again on runs of
# thousands of recordings, and the config schema and the recording formats cost it a fifth of a second.


def _cmd_demo_data(args: argparse.Namespace) -> int:
    from .demo import write_demo

    paths = write_demo(args.dir, duration_s=args.duration, num_channels=args.channels, num_units=args.units,
                       seed=args.seed)
    for path in paths:
        print(path)
    return 0


def _cmd_canary(args: argparse.Namespace) -> int:
    from .atomic import dumps
    from .classification import lab_rules
    from .config import load_config
    from .jobs.canary import run_canary
    from .jobs.preflight import run_preflight
    from .jobs.records import EXIT_BLOCKED
    from .plan.preflight import plan_preflight
    from .plan.sorter_params import check_sorter_params
    from .recordings import entry_for_path
    from .taxonomy import SortFailure

    cfg = load_config(args.config, overrides={"recordings_dir": str(Path(args.path).parent)})
    entry = entry_for_path(args.path, stream=args.stream, formats=cfg["formats"])
    check_sorter_params(cfg["sorter"], cfg["sorter_params"])
    lab_rules(cfg["classification"]["rules"])
    if args.window is not None:
        cfg["canary"]["window_s"] = args.window
    work = Path(tempfile.mkdtemp(prefix=f"sortcanary-{entry.name}-"))
    log_path = work / "canary.log"
    preflight = plan_preflight(cfg, entry.hdf5.get("filters", []))
    if preflight.enabled:
        try:
            run_preflight(preflight, results_dir=work, scratch_dir=work)
        except SortFailure as failure:
            print(dumps({"recording": entry.name, "verdict": "blocked", "stage": "preflight",
                         **failure.verdict.as_dict()}), end="")
            return EXIT_BLOCKED
    code, record = run_canary(entry, cfg, scratch=work / "scratch", log_path=log_path, evidence_dir=work / "evidence")
    record["log"] = str(log_path)
    print(dumps(record), end="")
    return code


def _cmd_classify(args: argparse.Namespace) -> int:
    from .classification import classify, explain, lab_rules
    from .classification.rules import Rule
    from .config import load_config

    text = sys.stdin.read()
    try:  # a spikeinterface_log.json: its error_trace is the text to classify
        trace = json.loads(text).get("error_trace")
        text = "\n".join(trace) if isinstance(trace, list) else str(trace or text)
    except (ValueError, AttributeError):
        pass
    rules: tuple[Rule, ...] = ()
    if args.config:  # the lab's classification.rules, as the workflow's jobs would use them
        rules = lab_rules(load_config(args.config, overrides={"recordings_dir": "."})["classification"]["rules"])
    if args.explain:
        print(explain(text, rules=rules))
        return 0
    verdict = classify(text, rules=rules)
    print(json.dumps({k: verdict.as_dict()[k] for k in ("category", "error_class", "message", "remediation")},
                     indent=2))
    return 0


def _status_once(args: argparse.Namespace, render: bool = False) -> tuple[int, str]:
    from .views.rows import needs_attention
    from .views.status import status_rows
    from .views.summary import to_table

    root, rows, notes = status_rows(args.results_dir, render=render)
    if not rows:
        return 0, f"no recordings found under {root / 'results'}"
    if args.allow_biological:  # the designed outcome: everything sorted but the biologically unsortable
        bad = [r for r in rows if r.sort not in ("done", "running")
               and not (r.sort == "blocked" and r.category == "biological")]
    else:
        bad = [r for r in rows if needs_attention(r)]
    return (1 if bad else 0), to_table(rows, notes=notes)


def _cmd_status(args: argparse.Namespace) -> int:
    """Print the table once (and bring the summary files up to date), or with --watch redraw it in
    place every N seconds until Ctrl-C (like `watch`: clear the screen, a header line, the table)."""
    if args.watch is None:
        code, text = _status_once(args, render=True)
        print(text)
        return code
    import time

    code = 0
    try:
        while True:
            code, text = _status_once(args)
            header = f"Every {args.watch:g}s: sortcanary status {args.results_dir}"
            print(f"\033[H\033[2J{header}    {time.strftime('%Y-%m-%d %H:%M:%S')}\n\n{text}", flush=True)
            time.sleep(args.watch)
    except KeyboardInterrupt:
        return code


def _cmd_summary(args: argparse.Namespace) -> int:
    """Write the run's views from its rows: summary.tsv, .png, .html and the report's figure folder."""
    from .views.status import run_recordings, status_root
    from .views.summary import write_summary

    root = status_root(args.results_dir)
    names, problems, skipped = run_recordings(root)
    if not names and not problems:
        print(f"sortcanary: no recordings found under {root / 'results'}", file=sys.stderr)
        return 2
    rows, _ = write_summary(names, str(root), problems, skipped)
    written = (layout.SUMMARY_TSV, layout.SUMMARY_HTML, layout.SUMMARY_PNG, layout.REPORT_FIGURES)
    print(f"{len(rows)} recordings: " + ", ".join(layout.path(p, str(root)) for p in written))
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    for path in init_workdir(args.dir, recordings_dir=args.recordings, force=args.force):
        print(path)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    return run_workflow(args.recordings_dir, workdir=args.directory, cores=args.cores, profile=args.profile,
                        config=args.config, snakemake_args=args.snakemake_args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sortcanary", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    init = sub.add_parser("init", help="write an editable config/config.yaml and a SLURM profile to adapt into DIR")
    init.add_argument("dir")
    init.add_argument("--recordings", help="set recordings_dir in the written config")
    init.add_argument("--force", action="store_true", help="overwrite files that exist")
    init.set_defaults(func=_cmd_init)

    run = sub.add_parser("run", help="run the packaged workflow on RECORDINGS_DIR (snakemake, keep-going)",
                         epilog=f"Anything after `--` goes to snakemake unchanged. {RUN_EXIT_CODES}.")
    run.add_argument("recordings_dir")
    run.add_argument("--directory", default=".", help="working directory: config/, results/, logs/ (default: here)")
    run.add_argument("--cores", help="cores for local runs (default: all; omitted for cluster profiles)")
    run.add_argument("--profile", default="default",
                     help=f"{', '.join(PROFILE_CHAINS)} (a copy in DIR/profiles/ wins), or a profile folder")
    run.add_argument("--config", nargs="+", default=[], metavar="KEY=VALUE", help="config overrides, as snakemake's")
    run.set_defaults(func=_cmd_run)

    demo = sub.add_parser("demo-data", help="write a small demo recordings directory")
    demo.add_argument("dir")
    demo.add_argument("--duration", type=float, default=60.0, help="seconds per recording (default 60)")
    demo.add_argument("--channels", type=int, default=32)
    demo.add_argument("--units", type=int, default=10)
    demo.add_argument("--seed", type=int, default=0)
    demo.set_defaults(func=_cmd_demo_data)

    canary = sub.add_parser("canary", help="run the canary on one recording; exit 0 = proceed, 3 = blocked")
    canary.add_argument("path", help="a recording: any layout of docs/formats.md (a file or a session folder)")
    canary.add_argument("--stream", help="the stream to canary when PATH holds several (e.g. imec0.ap)")
    canary.add_argument("--config", help="a sortcanary config YAML (recordings_dir is not needed here)")
    canary.add_argument("--window", type=float, help="override canary.window_s")
    canary.set_defaults(func=_cmd_canary)

    cls = sub.add_parser("classify", help="classify an error text read on stdin; prints JSON")
    cls.add_argument("--explain", action="store_true",
                     help="say which rule fired on which line (and what it outranked), or why none did")
    cls.add_argument("--config", help="a sortcanary config YAML whose classification.rules are used too")
    cls.set_defaults(func=_cmd_classify)

    status = sub.add_parser("status", help="per-recording table of a results folder; non-zero if any is blocked/failed")
    status.add_argument("results_dir", nargs="?", default="results")
    status.add_argument("--allow-biological", action="store_true",
                        help="exit 0 when every recording is sorted except those blocked as biological")
    status.add_argument("--watch", nargs="?", type=float, const=5.0, metavar="SECONDS",
                        help="redraw the table in place every SECONDS (default 5) until Ctrl-C")
    status.set_defaults(func=_cmd_status)

    summary = sub.add_parser("summary", help="write a results folder's summary.tsv/html/png and report figures "
                             "(the run does this when it ends)")
    summary.add_argument("results_dir", nargs="?", default="results")
    summary.set_defaults(func=_cmd_summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # argparse can't pass `--` through a subcommand: what follows it is `sortcanary run`'s snakemake args
    cut = argv.index("--") if "--" in argv else len(argv)
    args = build_parser().parse_args(argv[:cut])
    args.snakemake_args = argv[cut + 1:]
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        code: int = args.func(args)
        sys.stdout.flush()  # here, not at exit: a reader that went away is handled below
        return code
    except BrokenPipeError:
        # The reader closed the pipe (`sortcanary classify < log | head -1`): it has what it wanted.
        # Further output goes nowhere, and the exit status is a shell's for a process ended by SIGPIPE.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE
    except Exception as exc:
        if not isinstance(exc, _argument_errors()):
            raise
        print(f"sortcanary: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _argument_errors() -> tuple[type, ...]:
    """The errors that mean bad arguments or input: a config, a recording, a deployment. Only
    those of modules already imported: a command that never loaded the config can't raise its error."""
    errors = [DeployError]
    for module, name in (("sortcanary.config", "ConfigError"), ("sortcanary.recordings.entry", "EntryError")):
        if module in sys.modules:
            errors.append(getattr(sys.modules[module], name))
    return tuple(errors)


if __name__ == "__main__":
    sys.exit(main())
