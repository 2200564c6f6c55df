"""Shared by the benchmark scripts: one figure format, one table, one JSON.

Every benchmark script produces a list of figures. A figure is a value
measured in this run beside its reference (a reference measured in the
same run, or a fixed target), the ratio between them and whether the
target is met. bench/suite.py gathers the figures of every script into one
table and one JSON file; each script also prints its own table when run
alone.

    fig = figure("null hypercalls/s, hvsim", 3.1e6, "exits/s",
                 reference=7.5e6, reference_name="bare Unicorn, trap in hook",
                 target=">= 3000000", met=True)

JSON (schema "cellvisor-bench-1"):
    {"schema": "cellvisor-bench-1", "figures": [
        {"group": "sim", "name": ..., "value": ..., "unit": ...,
         "reference": ..., "reference_name": ..., "ratio": ...,
         "target": ..., "met": true|false|null, "note": ...}, ...]}
"""
import json

SCHEMA = "cellvisor-bench-1"


def figure(name, value, unit, reference=None, reference_name=None,
           ratio=None, target=None, met=None, note=None, group=None):
    """A figure; ratio defaults to value / reference when both exist."""
    if ratio is None and reference not in (None, 0) and value is not None:
        ratio = value / reference
    return {"group": group, "name": name, "value": value, "unit": unit,
            "reference": reference, "reference_name": reference_name,
            "ratio": ratio, "target": target, "met": met, "note": note}


def fmt_num(v):
    """Readable number: thousands separators, 3 significant decimals."""
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer()
                              and abs(v) >= 100):
        return f"{int(v):,}"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


def table(figures, out):
    """Prints figures as one aligned table to the file `out`."""
    head = ("figure", "value", "unit", "reference", "ratio", "target", "met")
    rows = []
    for f in figures:
        ref = fmt_num(f["reference"])
        if f.get("reference_name"):
            ref = f"{ref} ({f['reference_name']})" if f["reference"] is not None \
                else f["reference_name"]
        met = {True: "yes", False: "NO", None: "-"}[f["met"]]
        name = f["name"] if not f.get("group") else f"{f['group']}: {f['name']}"
        rows.append((name, fmt_num(f["value"]), f["unit"] or "", ref,
                     "-" if f["ratio"] is None else f"{f['ratio']:.2f}",
                     f["target"] or "-", met))
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    for r in [head] + rows:
        cells = [c.rjust(w) if i in (1, 4) else c.ljust(w)
                 for i, (c, w) in enumerate(zip(r, widths))]
        print("  ".join(cells).rstrip(), file=out)
    for f in figures:
        if f.get("note"):
            print(f"  note ({f['name']}): {f['note']}", file=out)


def write_json(figures, path, extra=None):
    """Writes figures (and any extra top-level keys) as schema JSON."""
    doc = {"schema": SCHEMA, "figures": figures}
    if extra:
        doc.update(extra)
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


def read_json(path):
    """The figures of a JSON file written by write_json()."""
    with open(path) as f:
        doc = json.load(f)
    if doc.get("schema") != SCHEMA:
        raise ValueError(f"{path}: not a {SCHEMA} file")
    return doc["figures"]
