#!/usr/bin/env python3
"""boot_root.py: the .desc of a test root as it looks after booting what vfioc built.

  tests/boot_root.py DESC OUT [--params FILE] [--bind DOMAINS_DIR] [--keep ADDR]...
                     [--also ADDR]...

--params FILE   append the parameters of FILE (vfioc's kernel-cmdline) to the root's
                cmdline, and apply what the kernel makes of them: hugepagesz=/hugepages=
                reserve pages (nr_hugepages), isolcpus= isolates CPUs
--bind DIR      put every boot-bound device of the domains in DIR (hostdevs with
                managed='no', read from the XML vfioc wrote) on vfio-pci, except --keep ADDR
--keep ADDR     a device the binding missed: it stays on its driver
--also ADDR     a device the binding caught too: on vfio-pci as well

IOMMU groups whose endpoints are all on vfio-pci (or on no driver) get /dev/vfio/N, as
the kernel gives them. Output: a .desc for tests/mkroot.py. Python 3 standard library only.
"""
import os
import shlex
import sys
import xml.etree.ElementTree as ET

SIZES = {"2M": 2048, "1G": 1048576}


def norm(a):
    if a.count(":") == 1:
        a = "0000:" + a
    dom, bus, rest = a.split(":")
    slot, func = rest.split(".")
    return "%04x:%02x:%02x.%x" % (int(dom, 16), int(bus, 16), int(slot, 16), int(func, 16))


def boot_bound(domains):
    out = set()
    for name in sorted(os.listdir(domains)):
        for h in ET.parse(os.path.join(domains, name)).getroot().iter("hostdev"):
            if h.get("type") == "pci" and h.get("managed") == "no":
                a = h.find("source/address")
                out.add("%04x:%02x:%02x.%x" % tuple(int(a.get(k), 16) for k in
                                                    ("domain", "bus", "slot", "function")))
    return out


def main(argv):
    args, params, bind, keep, also = argv[3:], [], set(), set(), set()
    while args:
        opt, val, args = args[0], args[1], args[2:]
        if opt == "--params":
            params = open(val).read().split()
        elif opt == "--bind":
            bind = boot_bound(val)
        elif opt == "--keep":
            keep.add(norm(val))
        elif opt == "--also":
            also.add(norm(val))
        else:
            sys.exit("boot_root.py: unknown option " + opt)
    bind = (bind - keep) | also
    lines, groups = [], {}
    for line in open(argv[1]):
        w = shlex.split(line, comments=True)
        if w and w[0] == "cmdline":
            line = "cmdline %s\n" % shlex.quote(" ".join([w[1]] + [p for p in params if p not in w[1].split()]))
        elif w and w[0] == "pci":
            addr = norm(w[1])
            kv = dict(x.split("=", 1) for x in w[4:] if "=" in x)
            if addr in bind:
                kv["driver"] = "vfio-pci"
                kv.pop("module", None)
            if "group" in kv and not w[3].startswith("06"):  # bridges do not count
                groups.setdefault(int(kv["group"]), []).append(kv.get("driver"))
            line = " ".join(["pci", w[1], w[2], w[3]] + ["%s=%s" % (k, shlex.quote(v)) for k, v in kv.items()]) + "\n"
        lines.append(line)
    size, sizes, count, isolated = None, {}, {}, ""
    for p in params:
        k, _, v = p.partition("=")
        if k in ("hugepagesz", "default_hugepagesz"):
            size = SIZES[v]
        elif k == "hugepages":
            count[size or 2048] = int(v)
        elif k == "isolcpus":
            isolated = v
    for i, line in enumerate(lines):
        w = shlex.split(line, comments=True)
        if w and w[0] == "hugepages":
            lines[i] = "hugepages %s\n" % " ".join("%s:%d" % (k, count.get(int(k), 0)) for k in w[1:])
    if isolated:
        lines.append("isolated %s\n" % isolated)
    # vfio holds a group when vfio-pci has an endpoint of it and no other driver has one
    held = [str(g) for g, drivers in sorted(groups.items())
            if "vfio-pci" in drivers and all(d in (None, "vfio-pci") for d in drivers)]
    if held:
        lines.append("vfio %s\n" % " ".join(held))
    with open(argv[2], "w") as f:
        f.writelines(lines)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
