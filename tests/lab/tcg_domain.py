#!/usr/bin/env python3
"""tcg_domain.py IN.xml OUT.xml: a generated domain, changed only where QEMU's TCG (no KVM)
cannot run it: domain type "qemu" instead of "kvm", CPU mode "maximum" instead of
"host-passthrough", and no <hyperv> or <kvm> features. Everything else (firmware, SMM,
hostdevs, their addresses, disks) stays as vfioc wrote it."""
import sys
import xml.etree.ElementTree as ET

tree = ET.parse(sys.argv[1])
dom = tree.getroot()
dom.set("type", "qemu")
cpu = dom.find("cpu")
if cpu is not None and cpu.get("mode") == "host-passthrough":
    cpu.set("mode", "maximum")
feats = dom.find("features")
if feats is not None:
    for tag in ("hyperv", "kvm"):
        for e in feats.findall(tag):
            feats.remove(e)
clock = dom.find("clock")
if clock is not None:
    for t in clock.findall("timer"):
        if t.get("name") == "hypervclock":
            clock.remove(t)
tree.write(sys.argv[2], encoding="UTF-8", xml_declaration=True)
