#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Cellvisor scenario runner: runs test guests on a HAL and checks output.

Modes (tests/meson.build passes the arguments):

  --hal sim --hvsim HVSIM --config X.dtb --expect NAME
      Runs `HVSIM --max-insns 50000000 X.dtb` (60 s limit; --max-insns N
      overrides the limit, for long runs) and checks its
      output against expected/NAME.txt; hvsim's exit code must equal the
      expected status too.

  --hal qemu --qemu QEMU --cpu CPU --image cellvisor.bin --bundle X.cpio
        --expect NAME
      Boots the EL2 image on QEMU virt (4 CPUs, 1 GiB, the bundle as
      initrd; 90 s limit) and checks the serial output the same way. The
      status comes from "cellvisor: all cells ended, status N" (QEMU's exit
      code does not carry it).

  --same --hvsim HVSIM --qemu QEMU --image IMG [--cpu CPU]
         --pair NAME X.dtb X.cpio [--pair ...]
      Runs each guest on both HALs; the cell console lines (lines starting
      with "[") must be byte-identical, cell by cell, and the statuses equal.

  --hal sim --hvsim HVSIM --config X.dtb --expect NAME
        (--commands FILE | --prompt-input FILE)
      The same with hvsim's management commands (docs/management.md):
      `hvsim --commands FILE`, or `hvsim --prompt` with FILE as its stdin.

  --hal sim --hvsim HVSIM --config X.dtb --bad-commands FILE
      Runs `hvsim --commands FILE X.dtb` and requires exit 2 with exactly
      one line on stderr, "hvsim: FILE:" followed by the text of the
      file's `# expect: TEXT` line (e.g. "# expect: 3: stop: unknown cell
      'x'"), and no summary line (hvsim stops at the first error).

  --hal sim --hvsim HVSIM --bad-config FILE.dts --dtc DTC [--image-dir D]
      Compiles FILE.dts with dtc (or, when its first line is `// raw`,
      uses the file itself as the blob) into a temporary directory that
      also holds a 2 MiB big.bin and the guest images from D, runs hvsim on
      it and requires: a non-zero exit (not a crash or timeout), exactly
      one line on stderr, starting with "hvsim: config error: " and
      containing the text of the file's `// expect: TEXT` line, and no
      cell output.

Expected-file format (tests/scenarios/expected/NAME.txt), one directive
per line; blank lines and lines starting with '#' are ignored:

  status: N       the run's status (summary line; hvsim's exit code).
                  Required.
  line: TEXT      one cell console line, exactly as printed, e.g.
                  "line: [hello] Hello from cell 0!". Every line of every
                  cell must be listed, in order *within each cell*; lines of
                  different cells may interleave in any way, so the order
                  between cells is not checked. A cell that prints lines not
                  listed, or fewer lines than listed, fails.
  match: REGEX    a hypervisor line (not a cell line) must match REGEX as a
                  whole (re.fullmatch). match: directives are satisfied in
                  order, each by a later line than the previous one; other
                  hypervisor lines are allowed. Use it for reports whose
                  PC depends on the compiler, e.g. termination reports.
  has: REGEX      like match:, but in any order (for reports of cells that
                  run side by side and end in no fixed order).

Besides the directives, the summary line "cellvisor: all cells ended,
status N" must appear exactly once, after every cell line.

Exit codes: 0 pass, 1 fail, 77 skip (a tool is missing), 99 harness
error (bad arguments, missing expected file, dtc rejecting a bad config).
Logs go to --log-dir (default: scenario-logs/ under the current directory,
which is the build directory under `meson test`).
"""
import argparse
import concurrent.futures
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED_DIR = os.path.join(HERE, "expected")

SIM_TIMEOUT = 60
QEMU_TIMEOUT = 90
# After QEMU printed the summary, how long it may take to power off.
QEMU_POWEROFF_GRACE = 5
SIM_MAX_INSNS = "50000000"
DEFAULT_CPU = "max,pauth=off"

SUMMARY_RE = re.compile(r"cellvisor: all cells ended, status (-?\d+)")
CELL_RE = re.compile(r"\[([^\]]*)\]")
CONFIG_ERROR_PREFIX = "hvsim: config error: "

EXIT_PASS, EXIT_FAIL, EXIT_SKIP, EXIT_ERROR = 0, 1, 77, 99


class HarnessError(Exception):
    """Something wrong with the test setup rather than with Cellvisor."""


class Skip(Exception):
    """A required tool is missing."""


# ---------------------------------------------------------------- output ---

def split_lines(data):
    """Bytes -> text lines without line ends. '\\r' is dropped because the
    bare-metal UART driver may send CRLF where hvsim writes LF."""
    text = data.decode("utf-8", errors="replace").replace("\r", "")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def cell_of(line):
    m = CELL_RE.match(line)
    return m.group(1) if m else None


def cell_lines(lines):
    """{cell name: [its lines in order]} for lines starting with '['."""
    cells = {}
    for l in lines:
        name = cell_of(l)
        if name is not None:
            cells.setdefault(name, []).append(l)
    return cells


def find_status(lines):
    """(status, index of the summary line) or (None, None). More than one
    summary line is reported as a problem by the caller."""
    found = [(int(m.group(1)), i) for i, l in enumerate(lines)
             for m in [SUMMARY_RE.fullmatch(l)] if m]
    if not found:
        return None, None
    return found[-1]


def clip(text, n=80):
    """At most n lines of a diff; the logs hold the rest."""
    lines = text.split("\n")
    if len(lines) <= n:
        return text
    return "\n".join(lines[:n] + [f"... ({len(lines) - n} more lines)"])


def tail(lines, n=25):
    return "\n".join("    " + l for l in lines[-n:])


# ------------------------------------------------------------ expectations --

class Expect:
    def __init__(self, path):
        self.path = path
        self.status = None
        self.cells = {}      # cell -> [lines]
        self.matches = []    # compiled regexes, in order
        self.has = []        # compiled regexes, any order
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise HarnessError(f"cannot read expected file: {e}")
        for n, raw in enumerate(text.splitlines(), 1):
            if not raw.strip() or raw.startswith("#"):
                continue
            key, sep, val = raw.partition(": ")
            if not sep:
                key, val = raw.rstrip(":"), ""
            where = f"{path}:{n}"
            if key == "status":
                try:
                    self.status = int(val)
                except ValueError:
                    raise HarnessError(f"{where}: status is not a number")
            elif key == "line":
                cell = cell_of(val)
                if cell is None:
                    raise HarnessError(f"{where}: a line: must start with [cell]")
                self.cells.setdefault(cell, []).append(val)
            elif key in ("match", "has"):
                try:
                    (self.matches if key == "match" else self.has).append(
                        re.compile(val))
                except re.error as e:
                    raise HarnessError(f"{where}: bad regex: {e}")
            else:
                raise HarnessError(f"{where}: unknown directive {key!r}")
        if self.status is None:
            raise HarnessError(f"{path}: no status: line")


def check_output(expect, lines, exit_code=None):
    """Returns a list of problems (empty when the run matches)."""
    problems = []
    got = cell_lines(lines)

    for cell in sorted(set(expect.cells) | set(got)):
        want = expect.cells.get(cell, [])
        have = got.get(cell, [])
        if want != have:
            diff = "\n".join(difflib.unified_diff(
                want, have, f"expected [{cell}]", f"actual [{cell}]",
                lineterm="", n=2))
            problems.append(f"cell {cell!r}: console lines differ:\n"
                            + clip(diff))

    summaries = [i for i, l in enumerate(lines) if SUMMARY_RE.fullmatch(l)]
    status, at = find_status(lines)
    if status is None:
        problems.append("no 'cellvisor: all cells ended, status N' line")
    else:
        if len(summaries) > 1:
            problems.append(f"{len(summaries)} summary lines, want one")
        if status != expect.status:
            problems.append(f"status {status}, want {expect.status}")
        late = [l for l in lines[at + 1:] if cell_of(l) is not None]
        if late:
            problems.append(f"cell output after the summary: {late[0]!r}")
    if exit_code is not None and exit_code != expect.status:
        problems.append(f"exit code {exit_code}, want {expect.status}")

    hyp = [l for l in lines if cell_of(l) is None]
    pos = 0
    for rx in expect.matches:
        while pos < len(hyp) and not rx.fullmatch(hyp[pos]):
            pos += 1
        if pos == len(hyp):
            problems.append(f"no hypervisor line (in order) matches "
                            f"{rx.pattern!r}")
            break
        pos += 1
    for rx in expect.has:
        if not any(rx.fullmatch(l) for l in hyp):
            problems.append(f"no hypervisor line matches {rx.pattern!r}")
    return problems


# ------------------------------------------------------------------ runs ---

def need_file(path, what):
    if not path or not os.path.isfile(path):
        raise Skip(f"{what} not found: {path}")


def need_exe(path, what):
    need_file(path, what)
    if not os.access(path, os.X_OK):
        raise Skip(f"{what} is not executable: {path}")


def log_path(args, name):
    os.makedirs(args.log_dir, exist_ok=True)
    return os.path.join(args.log_dir, name)


def run_sim(args, hvsim, dtb, tag, extra=(), stdin_path=None):
    """Runs hvsim on dtb (with the options in extra, and stdin_path as its
    standard input); returns (exit code or None on timeout, stdout lines,
    stderr lines, log file prefix)."""
    prefix = log_path(args, tag)
    cmd = [hvsim, "--max-insns", args.max_insns, *extra, dtb]
    with open(prefix + ".stdout", "wb") as out, \
            open(prefix + ".stderr", "wb") as err, \
            open(stdin_path or os.devnull, "rb") as inp:
        try:
            p = subprocess.run(cmd, stdin=inp, stdout=out,
                               stderr=err, timeout=SIM_TIMEOUT)
            code = p.returncode
        except subprocess.TimeoutExpired:
            code = None
    with open(prefix + ".stdout", "rb") as f:
        so = split_lines(f.read())
    with open(prefix + ".stderr", "rb") as f:
        se = split_lines(f.read())
    return code, so, se, prefix


def run_qemu(args, qemu, cpu, image, bundle, tag):
    """Boots the image on QEMU; returns (status problem or None, output
    lines, log file). QEMU is stopped once the summary line has appeared
    and it has not powered off within a short grace period."""
    log = log_path(args, tag + ".log")
    cmd = [qemu, "-M", "virt,virtualization=on,gic-version=3", "-cpu", cpu,
           "-smp", "4", "-m", "1G", "-nographic", "-no-reboot", "-nic", "none",
           "-kernel", image, "-initrd", bundle]
    note = None
    with open(log, "wb") as out:
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT)
        start = time.monotonic()
        seen_summary = None
        while p.poll() is None:
            now = time.monotonic()
            if now - start > QEMU_TIMEOUT:
                note = f"timeout: QEMU still running after {QEMU_TIMEOUT} s"
                break
            if seen_summary is None:
                with open(log, "rb") as f:
                    if SUMMARY_RE.search(f.read().decode("utf-8", "replace")):
                        seen_summary = now
            elif now - seen_summary > QEMU_POWEROFF_GRACE:
                note = (f"note: QEMU did not power off within "
                        f"{QEMU_POWEROFF_GRACE} s of the summary; stopped")
                break
            time.sleep(0.1)
        if p.poll() is None:
            p.kill()
        p.wait()
    with open(log, "rb") as f:
        lines = split_lines(f.read())
    timed_out = note is not None and note.startswith("timeout")
    return (note if timed_out else None), note, lines, log


# ----------------------------------------------------------------- modes ---

def mode_sim(args):
    need_exe(args.hvsim, "hvsim")
    need_file(args.config, "config blob")
    expect = Expect(os.path.join(EXPECTED_DIR, args.expect + ".txt"))
    extra, stdin_path = (), None
    if args.commands:
        need_file(args.commands, "command file")
        extra = ("--commands", args.commands)
    elif args.prompt_input:
        need_file(args.prompt_input, "prompt input")
        extra, stdin_path = ("--prompt",), args.prompt_input
    code, so, se, prefix = run_sim(args, args.hvsim, args.config,
                                   "sim-" + args.expect, extra, stdin_path)
    lines = so + se
    problems = []
    if code is None:
        problems.append(f"timeout: hvsim still running after {SIM_TIMEOUT} s")
    elif code < 0:
        problems.append(f"hvsim killed by signal {-code}")
    problems += check_output(expect, lines, None if code is None or code < 0
                             else code)
    return report(f"sim {args.expect}", problems,
                  [(prefix + ".stdout", so), (prefix + ".stderr", se)])


def mode_qemu(args):
    need_exe(args.qemu, "qemu-system-aarch64")
    need_file(args.image, "EL2 image")
    need_file(args.bundle, "boot bundle")
    expect = Expect(os.path.join(EXPECTED_DIR, args.expect + ".txt"))
    cpu = args.cpu or DEFAULT_CPU
    tag = "qemu-" + args.expect + "-" + cpu.split(",")[0]
    fatal, note, lines, log = run_qemu(args, args.qemu, cpu, args.image,
                                       args.bundle, tag)
    if note and not fatal:
        print(note)
    problems = ([fatal] if fatal else []) + check_output(expect, lines)
    return report(f"qemu ({cpu}) {args.expect}", problems, [(log, lines)])


def mode_same(args):
    need_exe(args.hvsim, "hvsim")
    need_exe(args.qemu, "qemu-system-aarch64")
    need_file(args.image, "EL2 image")
    if not args.pair:
        raise HarnessError("--same needs at least one --pair NAME DTB BUNDLE")
    for _, dtb, bundle in args.pair:
        need_file(dtb, "config blob")
        need_file(bundle, "boot bundle")
    cpu = args.cpu or DEFAULT_CPU

    def one(pair):
        name, dtb, bundle = pair
        code, so, se, prefix = run_sim(args, args.hvsim, dtb,
                                       "same-sim-" + name)
        fatal, note, ql, qlog = run_qemu(args, args.qemu, cpu, args.image,
                                         bundle, "same-qemu-" + name)
        return name, (code, so + se, prefix), (fatal, note, ql, qlog)

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
        results = list(ex.map(one, args.pair))
    for name, (code, sl, prefix), (fatal, note, ql, qlog) in results:
        problems = []
        if code is None:
            problems.append("sim: timeout")
        if fatal:
            problems.append("qemu: " + fatal)
        elif note:
            print(f"{name}: {note}")
        s_status, _ = find_status(sl)
        q_status, _ = find_status(ql)
        if s_status is None:
            problems.append("sim: no summary line")
        if q_status is None:
            problems.append("qemu: no summary line")
        if s_status != q_status:
            problems.append(f"status differs: sim {s_status}, qemu {q_status}")
        s_cells, q_cells = cell_lines(sl), cell_lines(ql)
        if not s_cells and not q_cells:
            problems.append("no cell output on either HAL")
        flat_s = [l for c in sorted(s_cells) for l in s_cells[c]]
        flat_q = [l for c in sorted(q_cells) for l in q_cells[c]]
        if flat_s != flat_q:
            diff = "\n".join(difflib.unified_diff(
                flat_s, flat_q, "sim", "qemu", lineterm="", n=2))
            problems.append("cell output differs:\n" + clip(diff))
        # The core's reports on each cell (started, exited, terminated with
        # PC, ESR and FAR) come from the same code on the same syndromes,
        # so they must match to the byte too.
        ev_s = sorted(l for l in sl if l.startswith("cellvisor: cell '"))
        ev_q = sorted(l for l in ql if l.startswith("cellvisor: cell '"))
        if not ev_s:
            problems.append("sim: no cell report lines")
        if ev_s != ev_q:
            diff = "\n".join(difflib.unified_diff(
                ev_s, ev_q, "sim", "qemu", lineterm="", n=2))
            problems.append("cell reports differ:\n" + clip(diff))
        if report(f"same {name}", problems,
                  [(prefix + ".stdout", sl), (qlog, ql)]):
            failed += 1
    return EXIT_FAIL if failed else EXIT_PASS


def read_bad_config(path):
    """(raw?, expected substring) from the file's leading comments."""
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    lines = text.splitlines()
    raw = bool(lines) and lines[0].strip() == "// raw"
    want = None
    for l in lines:
        m = re.match(r"\s*//\s*expect:\s?(.*)$", l)
        if m:
            want = m.group(1).strip()
            break
    if not want:
        raise HarnessError(f"{path}: no '// expect: TEXT' line")
    return raw, want


def mode_bad_config(args):
    need_exe(args.hvsim, "hvsim")
    need_file(args.bad_config, "bad config source")
    raw, want = read_bad_config(args.bad_config)
    if not raw:
        if not args.dtc or not shutil.which(args.dtc):
            raise Skip(f"dtc not found: {args.dtc}")
    name = os.path.splitext(os.path.basename(args.bad_config))[0]
    with tempfile.TemporaryDirectory(prefix="cellvisor-bad-") as tmp:
        blob = os.path.join(tmp, name + ".dtb")
        if raw:
            shutil.copyfile(args.bad_config, blob)
        else:
            p = subprocess.run([args.dtc, "-q", "-I", "dts", "-O", "dtb",
                                "-o", blob, args.bad_config],
                               stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=30)
            if p.returncode != 0:
                raise HarnessError("dtc rejected the bad config itself:\n"
                                   + p.stderr.decode("utf-8", "replace"))
        # Images the config may name, beside it as configs expect.
        if args.image_dir and os.path.isdir(args.image_dir):
            for f in os.listdir(args.image_dir):
                if f.endswith(".bin"):
                    shutil.copyfile(os.path.join(args.image_dir, f),
                                    os.path.join(tmp, f))
        with open(os.path.join(tmp, "big.bin"), "wb") as f:
            f.write(bytes(2 * 1024 * 1024))
        code, so, se, prefix = run_sim(args, args.hvsim, blob, "bad-" + name)

    problems = []
    if code is None:
        problems.append("timeout")
    elif code == 0:
        problems.append("hvsim accepted the config (exit 0)")
    elif code < 0:
        problems.append(f"hvsim killed by signal {-code}, not a clean refusal")
    err = [l for l in se if l.strip()]
    if len(err) != 1:
        problems.append(f"{len(err)} lines on stderr, want exactly one")
    hits = [l for l in err if l.startswith(CONFIG_ERROR_PREFIX)]
    if not hits:
        problems.append(f"no stderr line starts with {CONFIG_ERROR_PREFIX!r}")
    elif not any(want in l for l in hits):
        problems.append(f"error line lacks the expected text\n"
                        f"    want substring: {want}\n    got: {hits[0]}")
    cells = [l for l in so + se if cell_of(l) is not None]
    if cells:
        problems.append(f"a cell ran: {cells[0]!r}")
    return report(f"bad config {name}", problems,
                  [(prefix + ".stdout", so), (prefix + ".stderr", se)])


def mode_bad_commands(args):
    need_exe(args.hvsim, "hvsim")
    need_file(args.config, "config blob")
    need_file(args.bad_commands, "command file")
    want = None
    with open(args.bad_commands, encoding="utf-8", errors="replace") as f:
        for l in f:
            m = re.match(r"\s*#\s*expect:\s?(.*)$", l)
            if m:
                want = m.group(1).rstrip()
                break
    if not want:
        raise HarnessError(f"{args.bad_commands}: no '# expect: TEXT' line")
    name = os.path.splitext(os.path.basename(args.bad_commands))[0]
    code, so, se, prefix = run_sim(args, args.hvsim, args.config,
                                   "badcmd-" + name,
                                   ("--commands", args.bad_commands))
    problems = []
    if code is None:
        problems.append("timeout")
    elif code != 2:
        problems.append(f"exit code {code}, want 2")
    err = [l for l in se if l.strip()]
    line = f"hvsim: {args.bad_commands}:{want}"
    if err != [line]:
        problems.append(f"stderr is not the one expected line\n"
                        f"    want: {line}\n    got: {err}")
    if any(SUMMARY_RE.fullmatch(l) for l in so + se):
        problems.append("the run went on to completion after the error")
    return report(f"bad commands {name}", problems,
                  [(prefix + ".stdout", so), (prefix + ".stderr", se)])


def report(what, problems, logs):
    if not problems:
        print(f"PASS: {what}")
        return EXIT_PASS
    print(f"FAIL: {what}")
    for p in problems:
        print("  - " + p.replace("\n", "\n    "))
    for path, lines in logs:
        print(f"  {path} ({len(lines)} lines), last lines:")
        print(tail(lines))
    return EXIT_FAIL


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hal", choices=["sim", "qemu"])
    ap.add_argument("--same", action="store_true")
    ap.add_argument("--hvsim")
    ap.add_argument("--qemu")
    ap.add_argument("--cpu")
    ap.add_argument("--image")
    ap.add_argument("--bundle")
    ap.add_argument("--config")
    ap.add_argument("--expect")
    ap.add_argument("--pair", nargs=3, action="append",
                    metavar=("NAME", "DTB", "BUNDLE"))
    ap.add_argument("--bad-config")
    ap.add_argument("--commands")
    ap.add_argument("--prompt-input")
    ap.add_argument("--bad-commands")
    ap.add_argument("--dtc")
    ap.add_argument("--image-dir")
    ap.add_argument("--log-dir", default="scenario-logs")
    ap.add_argument("--max-insns", default=SIM_MAX_INSNS)  # hvsim's limit
    return ap.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    try:
        if args.same:
            return mode_same(args)
        if args.hal == "sim" and args.bad_config:
            return mode_bad_config(args)
        if args.hal == "sim" and args.bad_commands and args.config:
            return mode_bad_commands(args)
        if args.hal == "sim" and args.config and args.expect:
            return mode_sim(args)
        if args.hal == "qemu" and args.expect:
            return mode_qemu(args)
        raise HarnessError("unknown combination of arguments (see --help)")
    except Skip as e:
        print(f"SKIP: {e}")
        return EXIT_SKIP
    except HarnessError as e:
        print(f"ERROR: {e}")
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
