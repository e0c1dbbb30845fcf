#!/usr/bin/env python3
"""startable.py DOMAIN.xml DEFINE.xml START.xml SCRATCHDIR: copies of a generated domain:
DEFINE.xml as generated but for type kvm -> qemu and cpu host-passthrough -> maximum (libvirt
refuses both where there is no KVM), and START.xml, which this machine can start under TCG; on stdout
one line per change START.xml has, so the test log shows them.

Changes, and only these:
  TCG (no KVM here): type kvm -> qemu; cpu host-passthrough -> maximum; <hyperv> and the
      hypervclock timer left out (TCG has no Hyper-V enlightenments); a required invtsc
      CPU feature left out (TCG has no invariant TSC).
  Host resources this machine lacks, each only where it lacks it: PCI/USB hostdevs and
      hostdev interfaces (no IOMMU, no such devices; the lab proves them in a nested guest),
      evdev inputs whose device is missing, hugepage backing of a page size the host does
      not have, <numatune> naming a node it does not have, CPU pins to CPUs it does not
      have, memory beyond its RAM (capped at 1 GiB), and <smbios mode="host"/> where the
      host has no SMBIOS tables for libvirt to copy (as in a container); a pulseaudio or
      pipewire audio backend becomes type none (no sound server runs here; the sound card
      stays).
  Disks: every disk and CD-ROM source becomes a scratch file in SCRATCHDIR (block devices
      become files), of the format the domain names; an empty CD-ROM drive stays empty.
Everything else stays as vfioc wrote it. Python 3 standard library and qemu-img only.
"""
import glob
import os
import subprocess
import sys
import xml.etree.ElementTree as ET


# The page sizes a domain can be backed by here: the test reserves 2 MiB pages and inner.sh
# mounts hugetlbfs for that size only. A CPU that has 1 GiB pages has none reserved and no
# mount for them, and libvirt refuses such a domain ("Unable to find any usable hugetlbfs
# mount"), so 1 GiB backing is left out whatever /sys/kernel/mm/hugepages lists.
MOUNTED_PAGE_KIB = 2048


def host_page_sizes_kib():
    sizes = {int(p.split("-")[1][:-2]) for p in glob.glob("/sys/kernel/mm/hugepages/hugepages-*kB")}
    return sizes & {MOUNTED_PAGE_KIB}


def host_nodes():
    return {int(os.path.basename(p)[4:]) for p in glob.glob("/sys/devices/system/node/node[0-9]*")} or {0}


def host_mem_kib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1])
    return 0


def host_cpus():
    return {int(os.path.basename(p)[3:]) for p in glob.glob("/sys/devices/system/cpu/cpu[0-9]*")}


def cpus_of(cpuset):
    out = set()
    for part in cpuset.split(","):
        a, _, b = part.partition("-")
        out.update(range(int(a), int(b or a) + 1))
    return out


def main(src, define, dst, scratch):
    tree = ET.parse(src)
    dom = tree.getroot()
    name = dom.findtext("name")
    said = []
    say = said.append

    if dom.get("type") == "kvm":
        dom.set("type", "qemu")
        say("tcg: type kvm -> qemu")
    cpu = dom.find("cpu")
    if cpu is not None and cpu.get("mode") == "host-passthrough":
        cpu.set("mode", "maximum")
        say("tcg: cpu host-passthrough -> maximum")
    tree.write(define, encoding="unicode")
    features = dom.find("features")
    if features is not None and features.find("hyperv") is not None:
        features.remove(features.find("hyperv"))
        say("tcg: <hyperv> left out")
    clock = dom.find("clock")
    for t in list(clock if clock is not None else []):
        if t.get("name") == "hypervclock":
            clock.remove(t)
            say("tcg: hypervclock timer left out")

    for feat in list(cpu if cpu is not None else []):
        if feat.tag == "feature" and feat.get("name") == "invtsc":
            cpu.remove(feat)
            say("tcg: cpu feature invtsc left out")

    devs = dom.find("devices")
    for d in list(devs):
        if d.tag == "hostdev" or (d.tag == "interface" and d.get("type") == "hostdev"):
            devs.remove(d)
            src_addr = d.find("source/address")
            what = d.get("type") or "pci"
            if src_addr is not None and src_addr.get("bus"):
                what += " " + src_addr.get("bus") + ":" + src_addr.get("slot") + "." + src_addr.get("function")
            say("host: %s %s left out (no IOMMU/device here)" % (d.tag, what))
        elif d.tag == "input" and d.get("type") == "evdev":
            dev = d.find("source").get("dev")
            if not os.path.exists(dev):
                devs.remove(d)
                say("host: evdev %s left out (no such device here)" % dev)
    smbios = dom.find("os/smbios")
    if smbios is not None and smbios.get("mode") == "host" and \
            not os.path.exists("/sys/firmware/dmi/tables/DMI"):
        dom.find("os").remove(smbios)
        say("host: smbios mode host left out (this host has no SMBIOS tables)")
    for audio in devs.findall("audio"):
        if audio.get("type") in ("pulseaudio", "pipewire"):
            say("host: audio %s -> none (no sound server here)" % audio.get("type"))
            audio.attrib = {"id": audio.get("id"), "type": "none"}
            audio[:] = []
    mb = dom.find("memoryBacking")
    if mb is not None:
        page = mb.find("hugepages/page")
        size = int(page.get("size")) if page is not None else 2048
        if size not in host_page_sizes_kib():
            dom.remove(mb)
            say("host: %d KiB hugepages left out (this host has none of that size)" % size)
    nt = dom.find("numatune")
    if nt is not None:
        nodeset = nt.find("memory").get("nodeset")
        if not all(int(n) in host_nodes() for n in nodeset.split(",")):
            dom.remove(nt)
            say("host: numatune nodeset %s left out (this host has node(s) %s)"
                % (nodeset, ",".join(map(str, sorted(host_nodes())))))
    tune = dom.find("cputune")
    if tune is not None:
        pinned = set()
        for p in tune:
            pinned |= cpus_of(p.get("cpuset"))
        if not pinned <= host_cpus():
            dom.remove(tune)
            say("host: cputune left out (pins CPUs this host does not have; it has %d)"
                % len(host_cpus()))
    mem = dom.find("memory")
    if int(mem.text) > host_mem_kib() and dom.find("memoryBacking") is None:
        for tag in ("memory", "currentMemory"):
            dom.find(tag).text = str(1 << 20)
        say("host: memory capped at 1 GiB (this host has %d MiB)" % (host_mem_kib() // 1024))

    for i, disk in enumerate(devs.findall("disk")):
        source = disk.find("source")
        if source is None:
            continue  # an empty CD-ROM drive: nothing to stand in for
        fmt = disk.find("driver").get("type")
        path = os.path.join(scratch, "%s-%d.%s" % (name, i, fmt))
        if not os.path.exists(path):
            if disk.get("device") == "cdrom":
                open(path, "wb").close()
            else:
                subprocess.run(["qemu-img", "create", "-q", "-f", fmt, path, "64M"], check=True)
        for k in list(source.attrib):
            del source.attrib[k]
        source.set("file", path)
        disk.set("type", "file")
    tree.write(dst, encoding="unicode")
    for line in said:
        print(line)


if __name__ == "__main__":
    main(*sys.argv[1:5])
