#!/usr/bin/env python3
"""lspci_compare.py LSPCI_VMM SNAPSHOT: print, one line per device, what `lspci -vmm -nn -D -k`
and a vfioc snapshot say (address, class, vendor, device, subsystem, revision, prog-if,
driver, IOMMU group, NUMA node), each normalized to the same form, lspci's first. The test
diffs the two halves. Python 3 standard library only."""
import json
import re
import sys

UNKNOWN = re.compile(r"^(Device|Vendor [0-9a-f]{4}|Device [0-9a-f]{4}|Class [0-9a-f]{4})$")


def split_name(text):
    """'Intel Corporation [8086]' -> ('Intel Corporation', '8086'); unknown names -> '?'."""
    m = re.match(r"^(.*) \[([0-9a-f]{4})\]$", text)
    name, code = (m.group(1), m.group(2)) if m else (text, "")
    return ("?" if UNKNOWN.match(name) else name), code


def lspci_records(path):
    out = []
    for block in open(path, encoding="utf-8").read().split("\n\n"):
        f = dict(line.split(":\t", 1) for line in block.splitlines() if ":\t" in line)
        if "Slot" not in f:
            continue
        cls, ccode = split_name(f["Class"])
        ven, vcode = split_name(f["Vendor"])
        dev, dcode = split_name(f["Device"])
        sub = "%s:%s" % (split_name(f["SVendor"])[1], split_name(f["SDevice"])[1]) \
            if "SVendor" in f else "-"
        out.append((f["Slot"], ccode + f.get("ProgIf", "00"), cls, vcode + ":" + dcode, ven, dev,
                    sub, f.get("Rev", "00"), f.get("Driver", "-"), f.get("IOMMUGroup", "-"),
                    f.get("NUMANode", "-")))
    return out


def snapshot_records(path):
    devs, cur, section = [], None, None
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if re.match(r"^[a-z]", line):
            section = line.split(":")[0]
            continue
        if section != "pci":
            continue
        m = re.match(r"^(- |  )([a-z-]+): (.*)$", line)
        if not m:
            continue
        if m.group(1) == "- ":
            cur = {}
            devs.append(cur)
        v = m.group(3)
        cur[m.group(2)] = json.loads(v) if v.startswith('"') else v
    out = []
    for d in devs:
        cls = int(d["class"], 16)
        out.append((d["address"], "%06x" % cls, d.get("class-name", "?"), d["id"],
                    d.get("vendor-name", "?"), d.get("device-name", "?"), d.get("subsystem", "-"),
                    d["revision"][2:], d.get("driver", "-"), d.get("iommu-group", "-"),
                    d.get("numa-node", "-")))
    return out


def main():
    for r in sorted(lspci_records(sys.argv[1])):
        print("lspci", *r, sep=" | ")
    print("----")
    for r in sorted(snapshot_records(sys.argv[2])):
        print("vfioc", *r, sep=" | ")


main()
