#!/usr/bin/env python3
"""compare.py MACHINE DIR: a snapshot taken by `vfioc probe` in a lab guest (DIR/snap.yaml)
against what the guest's kernel showed (DIR/truth-groups: "ADDR GROUP" from
/sys/kernel/iommu_groups; DIR/truth-drivers: "ADDR DRIVER|none"; DIR/truth-lspci: lspci -n -D),
and `vfioc groups` (DIR/groups.out) against the kernel's groups. Prints "ok NAME" or
"FAIL NAME: why" lines."""
import re
import sys

import yaml

machine, d = sys.argv[1], sys.argv[2]


def check(name, cond, why=""):
    print(("ok %s: %s" % (machine, name)) if cond else ("FAIL %s: %s: %s" % (machine, name, why)))


def pairs(path):
    return dict(line.split() for line in open(path) if line.strip())


snap = yaml.safe_load(open(d + "/snap.yaml"))
groups = {a: int(g) for a, g in pairs(d + "/truth-groups").items()}
drivers = pairs(d + "/truth-drivers")
lspci = {}
for line in open(d + "/truth-lspci"):
    m = re.match(r"(\S+) ([0-9a-f]{4}): ([0-9a-f]{4}:[0-9a-f]{4})(?: \(rev ([0-9a-f]{2})\))?(?: \(prog-if ([0-9a-f]{2})\))?", line)
    if m:
        lspci[m.group(1)] = m.groups()[1:]

devs = {p["address"]: p for p in snap.get("pci", [])}
check("snapshot lists the devices lspci lists", sorted(devs) == sorted(lspci),
      "snapshot %s, lspci %s" % (sorted(set(devs) - set(lspci)), sorted(set(lspci) - set(devs))))
check("snapshot's IOMMU is on exactly when the kernel has groups",
      snap.get("iommu", {}).get("present", False) == bool(groups), snap.get("iommu"))
bad_id, bad_class, bad_rev, bad_group, bad_drv = [], [], [], [], []
for a, (cls, ident, rev, progif) in lspci.items():
    p = devs.get(a)
    if p is None:
        continue
    if p.get("id") != ident:
        bad_id.append((a, p.get("id"), ident))
    c = p.get("class", "")
    if c[2:6] != cls or (progif and c[6:8] != progif):
        bad_class.append((a, c, cls, progif))
    if p.get("revision", "0x00") != "0x" + (rev or "00"):
        bad_rev.append((a, p.get("revision"), rev))
    if p.get("iommu-group") != groups.get(a):
        bad_group.append((a, p.get("iommu-group"), groups.get(a)))
    want = drivers.get(a, "none")
    if p.get("driver", "none") != want:
        bad_drv.append((a, p.get("driver"), want))
check("IDs equal lspci -n's", not bad_id, bad_id)
check("classes equal lspci -n's", not bad_class, bad_class)
check("revisions equal lspci -n's", not bad_rev, bad_rev)
check("IOMMU groups equal /sys/kernel/iommu_groups", not bad_group, bad_group)
check("drivers equal sysfs's", not bad_drv, bad_drv)

# `vfioc groups`: the groups with their members, and each endpoint's verdict, which follows
# from the kernel's groups: alone in its group, or together with exactly the others.
text = open(d + "/groups.out").read()
rc = open(d + "/groups.rc").read().strip()
if not groups:
    check("groups says the IOMMU is off", rc == "0" and "No IOMMU groups" in text, (rc, text[:200]))
else:
    shown, verdicts, cur = {}, {}, None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"IOMMU group (\d+):", line)
        if m:
            cur = int(m.group(1))
            continue
        if line.startswith("Not in any IOMMU group"):
            cur = "none"
            continue
        m = re.match(r"  ([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])  ", line)
        if m and cur is not None:
            shown[m.group(1)] = cur
            verdicts[m.group(1)] = lines[i + 1].strip() if i + 1 < len(lines) else ""
    check("groups exits 0", rc == "0", rc)
    grouped = {a: g for a, g in shown.items() if g != "none"}
    check("groups lists every device in its kernel group", grouped == groups,
          sorted(set(grouped.items()) ^ set(groups.items())))
    check("groups lists the devices in no group as such",
          sorted(a for a, g in shown.items() if g == "none") == sorted(set(lspci) - set(groups)))
    # The rule of the kernel (hw/group.c): a member left on the host keeps its group from
    # every VM when it has a driver other than pci-stub, or pcieport on a PCI-to-PCI bridge;
    # bridges (06xx) and SMBus/IOMMU functions (0c05, 0806) stay on the host.
    def cls_of(b):
        return lspci.get(b, ("0600",))[0]

    def stays(b):
        return cls_of(b).startswith("06") or cls_of(b) in ("0c05", "0806")

    def holds(b):
        drv = drivers.get(b, "none")
        return drv not in ("none", "pci-stub") and not (cls_of(b) == "0604" and drv == "pcieport")

    wrong = []
    for a, g in groups.items():
        v = verdicts.get(a, "")
        members = sorted(b for b, h in groups.items() if h == g)
        blocker = next((b for b in members if stays(b) and holds(b)), None)
        if stays(a) and holds(a):
            ok = v.startswith("never: it stays on the host (") and "keeps the group from every VM" in v
        elif stays(a):
            ok = v.startswith("never: a bridge stays on the host" if cls_of(a).startswith("06")
                              else "never: it stays on the host (")
        elif blocker:
            ok = v.startswith("never: %s (" % blocker)
        else:
            others = [b for b in members if b != a and not stays(b)]
            ok = (v.startswith("can be passed alone") if not others
                  else v.startswith("only together with " + ", ".join(others)))
        if not ok:
            wrong.append((a, v))
    check("every verdict of groups follows from the kernel's groups", not wrong, wrong)
