#!/usr/bin/env python3
"""mkroot.py: build a fake host root (sys/ and proc/ as Linux lays them out) for vfioc tests.

  tests/mkroot.py DESC OUTDIR             a host described by a .desc file (tests/roots/)
  tests/mkroot.py --synthetic N OUTDIR    N PCI devices in small IOMMU groups (benchmarks)

A .desc file is one record per line, words split as by a shell (shlex), '#' starts a comment:

  cpu vendor=GenuineIntel sockets=1 cores=6 threads=2 flags=vmx,pdpe1gb model="..."
  memory KIB                     MemTotal in kB
  hugepages KIB[:N]...           supported page sizes (sys/kernel/mm/hugepages/hugepages-NkB),
                                 N of them reserved (nr_hugepages; default 0)
  isolated LIST                  isolated CPUs, "2-7,10-15" (sys/devices/system/cpu/isolated;
                                 empty without the line, as the kernel has it)
  vfio N...                      dev/vfio/N for IOMMU groups held by vfio, and dev/vfio/vfio
                                 (plain files: a test root cannot hold device nodes)
  kernel RELEASE                 proc/sys/kernel/osrelease
  cmdline "TEXT"                 proc/cmdline
  machine-id HEX                 etc/machine-id
  iommu NAME...                  sys/class/iommu/NAME (no line: no IOMMU hardware)
  vendor VVVV "NAME"             a vendor line of the root's pci.ids
  pci ADDR VVVV:DDDD CLASS6 [key=value...]
      name="..."  device name in the root's pci.ids (absent: unknown to pci.ids)
      parent=ADDR  the bridge it sits behind (sysfs hierarchy, bridge bus numbers)
      group=N  iommu_group link (absent: none)      driver=NAME  driver link
      module=NAME  the driver's module (sys/bus/pci/drivers/DRV/module link to
          sys/module/NAME); "module=" a built-in driver; absent: the kernel's module of
          DRV from DRIVER_MODULES (built-in when listed as None, DRV itself when unlisted)
      sub=VVVV:DDDD  rev=HH  numa=N  boot_vga=0|1 (VGA class: default 0)
      header=N  the header type in config space (byte 0x0e, low 7 bits; default: 1 for
          PCI-to-PCI bridges, class 0604 and 0609, 2 for CardBus bridges, 0607, else 0)
      reset=flr,bus (reset_method file; "reset=" an empty file; absent: no file)
      physfn=ADDR  an SR-IOV virtual function of that physical function
  usb NAME VVVV:PPPP bus=N dev=N [manufacturer="..."] [product="..."] [parent=ADDR]
  block NAME MAJ:MIN [on=ADDR] [slaves=NAME,...]   a block device: a disk of ADDR (under
      its directory), else a virtual one (device mapper, md) over the slaves
  mount POINT NAME [fs=TYPE]     a proc/self/mountinfo line mounting block NAME at POINT
                                 (fs=zfs: NAME is the dataset, "pool/home")
  swap NAME                      an active swap partition, block NAME (proc/swaps)
  btrfs UUID NAME,...            a btrfs file system over those blocks (sys/fs/btrfs/UUID/devices)
  zfs-member NAME POOL           block NAME is a member of ZFS pool POOL, as udev's database
                                 labels it (run/udev/data/bMAJ:MIN)
  net NAME [on=ADDR] [lower=NAME,...]   a network interface: ADDR's (a device link), else a
      virtual one (bridge, bond, VLAN) over the lower ones
  route NAME [v6]                a default route through NAME (proc/net/route, ipv6_route)
  file PATH [link=TARGET]        an empty regular file at PATH (a disk image, an ISO, a firmware
                                 image the config names), or a symlink to TARGET as written

Links are relative, as in real sysfs. The root also gets usr/share/misc/pci.ids holding the
names above (and class names), so names do not depend on the pci.ids of the test machine.
Python 3 standard library only.
"""
import os
import shlex
import struct
import sys

CLASS_NAMES = {  # (base, sub) -> name, from pci.ids; base alone under (base, None)
    (0x00, None): "Unclassified device",
    (0x01, None): "Mass storage controller", (0x01, 0x00): "SCSI storage controller",
    (0x01, 0x01): "IDE interface", (0x01, 0x04): "RAID bus controller",
    (0x01, 0x06): "SATA controller", (0x01, 0x08): "Non-Volatile memory controller",
    (0x02, None): "Network controller", (0x02, 0x00): "Ethernet controller",
    (0x02, 0x80): "Network controller",
    (0x03, None): "Display controller", (0x03, 0x00): "VGA compatible controller",
    (0x03, 0x02): "3D controller", (0x03, 0x80): "Display controller",
    (0x04, None): "Multimedia controller", (0x04, 0x01): "Multimedia audio controller",
    (0x04, 0x03): "Audio device",
    (0x05, None): "Memory controller", (0x05, 0x00): "RAM memory",
    (0x05, 0x80): "Memory controller",
    (0x06, None): "Bridge", (0x06, 0x00): "Host bridge", (0x06, 0x01): "ISA bridge",
    (0x06, 0x04): "PCI bridge", (0x06, 0x80): "Bridge",
    (0x07, None): "Communication controller", (0x07, 0x80): "Communication controller",
    (0x08, None): "Generic system peripheral", (0x08, 0x05): "SD Host controller",
    (0x08, 0x06): "IOMMU", (0x08, 0x80): "System peripheral",
    (0x0c, None): "Serial bus controller", (0x0c, 0x03): "USB controller",
    (0x0c, 0x05): "SMBus", (0x0c, 0x80): "Serial bus controller",
    (0x10, None): "Encryption controller", (0x10, 0x80): "Encryption controller",
    (0x11, None): "Signal processing controller",
    (0x11, 0x80): "Signal processing controller",
    (0x13, None): "Non-Essential Instrumentation",
}


# sysfs driver name -> kernel module name, as Linux has them; None: built into the kernel
# (no module link). Drivers not listed are modules of their own name.
DRIVER_MODULES = {
    "pcieport": None,          # drivers/pci/pcie/portdrv.c, always built in
    "skl_uncore": None, "skx_uncore": None,  # arch/x86/events/intel/uncore (=y on distros)
    "nvidia-gpu": "i2c_nvidia_gpu",
    "xhci_hcd": "xhci_pci",
    "ehci-pci": "ehci_pci", "ohci-pci": "ohci_pci", "uhci_hcd": "uhci_hcd",
    "i801_smbus": "i2c_i801",
    "intel-spi": "spi_intel_pci",
    "piix4_smbus": "i2c_piix4",
    "vfio-pci": "vfio_pci",
    "nvidia": "nvidia", "nouveau": "nouveau", "i915": "i915", "amdgpu": "amdgpu",
    "radeon": "radeon", "snd_hda_intel": "snd_hda_intel", "nvme": "nvme", "ahci": "ahci",
    "i40e": "i40e", "iavf": "iavf",
}


def die(msg):
    sys.stderr.write("mkroot.py: " + msg + "\n")
    sys.exit(2)


def norm_addr(a):
    """'01:00.0' or '0000:01:00.0' -> '0000:01:00.0'."""
    if a.count(":") == 1:
        a = "0000:" + a
    dom, bus, rest = a.split(":")
    slot, func = rest.split(".")
    return "%04x:%02x:%02x.%x" % (int(dom, 16), int(bus, 16), int(slot, 16), int(func, 16))


def addr_key(a):
    dom, bus, rest = a.split(":")
    slot, func = rest.split(".")
    return (int(dom, 16), int(bus, 16), int(slot, 16), int(func, 16))


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def link(target_abs, link_path):
    """A relative symlink at link_path pointing to target_abs."""
    os.symlink(os.path.relpath(target_abs, os.path.dirname(link_path)), link_path)


class Host:
    def __init__(self):
        self.cpu = {"vendor": "GenuineIntel", "sockets": "1", "cores": "2", "threads": "1",
                    "flags": "vmx", "model": "Test CPU", "nodes": "1"}
        self.memory = None
        self.hugepages = []   # (kib, reserved)
        self.isolated = ""
        self.vfio = []
        self.kernel = None
        self.cmdline = None
        self.machine_id = None
        self.iommu = []
        self.vendors = {}
        self.pci = {}      # addr -> dict
        self.usb = []
        self.blocks = {}   # name -> dict
        self.mounts = []
        self.swaps = []
        self.btrfs = []    # (uuid, [names])
        self.zfs = []      # (name, pool)
        self.nets = {}     # name -> dict
        self.routes = []   # (name, v6)
        self.files = []    # (path, link target or None)

    def parse(self, path):
        with open(path) as f:
            for n, line in enumerate(f, 1):
                try:
                    words = shlex.split(line, comments=True)
                except ValueError as e:
                    die("%s:%d: %s" % (path, n, e))
                if words:
                    self.record(path, n, words)

    def record(self, path, n, w):
        kind, args = w[0], w[1:]
        kv = dict(a.split("=", 1) for a in args if "=" in a)
        pos = [a for a in args if "=" not in a]
        if kind == "cpu":
            self.cpu.update(kv)
        elif kind == "memory":
            self.memory = int(pos[0])
        elif kind == "hugepages":
            self.hugepages = [(int(p.split(":")[0]), int(p.split(":")[1]) if ":" in p else 0)
                              for p in pos]
        elif kind == "isolated":
            self.isolated = pos[0] if pos else ""
        elif kind == "vfio":
            self.vfio = pos
        elif kind == "kernel":
            self.kernel = pos[0]
        elif kind == "cmdline":
            self.cmdline = " ".join(args)
        elif kind == "machine-id":
            self.machine_id = pos[0]
        elif kind == "iommu":
            self.iommu = pos
        elif kind == "vendor":
            self.vendors[pos[0].lower()] = pos[1]
        elif kind == "pci":
            addr = norm_addr(pos[0])
            ven, dev = pos[1].split(":")
            d = dict(kv, addr=addr, vendor=int(ven, 16), device=int(dev, 16),
                     cls=int(pos[2], 16))
            self.pci[addr] = d
        elif kind == "usb":
            ven, prod = pos[1].split(":")
            self.usb.append(dict(kv, name=pos[0], id_vendor=ven, id_product=prod))
        elif kind == "block":
            self.blocks[pos[0]] = dict(kv, name=pos[0], devno=pos[1])
        elif kind == "mount":
            self.mounts.append(dict(kv, point=pos[0], name=pos[1]))
        elif kind == "swap":
            self.swaps.append(pos[0])
        elif kind == "btrfs":
            self.btrfs.append((pos[0], pos[1].split(",")))
        elif kind == "zfs-member":
            self.zfs.append((pos[0], pos[1]))
        elif kind == "net":
            self.nets[pos[0]] = dict(kv, name=pos[0])
        elif kind == "route":
            self.routes.append((pos[0], "v6" in pos[1:]))
        elif kind == "file":
            self.files.append((pos[0], kv.get("link")))
        else:
            die("%s:%d: unknown record '%s'" % (path, n, kind))


def header_of_class(cls):
    """The header type a class has on real hardware: PCI-to-PCI bridges (0604, and 0609
    semi-transparent) type 1, CardBus bridges (0607) type 2, everything else normal (0)."""
    return {0x0604: 1, 0x0609: 1, 0x0607: 2}.get(cls >> 8, 0)


def config_space(d, multifunction, bridge_buses):
    """256 bytes of config space consistent with the sysfs attribute files."""
    cfg = bytearray(256)
    cls = d["cls"]
    header = int(d["header"]) if "header" in d else header_of_class(cls)
    is_bridge = header == 1
    rev = int(d.get("rev", "0"), 16)
    struct.pack_into("<HHHH", cfg, 0, d["vendor"], d["device"], 0x0406, 0x0010)
    cfg[8] = rev
    cfg[9], cfg[10], cfg[11] = cls & 0xff, (cls >> 8) & 0xff, (cls >> 16) & 0xff
    cfg[0x0e] = header | (0x80 if multifunction else 0)
    if is_bridge:
        prim = addr_key(d["addr"])[1]
        sec, sub = bridge_buses.get(d["addr"], (0, 0))
        cfg[0x18], cfg[0x19], cfg[0x1a] = prim, sec, sub
        if "sub" in d:  # a bridge's subsystem IDs: an SSVID capability (id 0x0d) at 0x40
            sv, sd = d["sub"].split(":")
            cfg[0x34] = 0x40
            struct.pack_into("<BBHHH", cfg, 0x40, 0x0d, 0, 0, int(sv, 16), int(sd, 16))
    elif "sub" in d:
        sv, sd = d["sub"].split(":")
        struct.pack_into("<HH", cfg, 0x2c, int(sv, 16), int(sd, 16))
    return bytes(cfg)


class Builder:
    def __init__(self, host, out, lean=False):
        self.lean = lean  # synthetic roots: only the files vfioc and `lspci -nn` read
        self.h = host
        self.root = os.path.abspath(out)
        self.sys = os.path.join(self.root, "sys")
        self.paths = {}   # pci addr -> absolute device directory

    def mkdir(self, *parts):
        p = os.path.join(*parts)
        os.makedirs(p, exist_ok=True)
        return p

    def build(self):
        os.makedirs(self.root, exist_ok=True)
        self.build_pci()
        self.build_groups()
        self.build_usb()
        self.build_cpus()
        self.build_proc()
        self.build_misc()
        self.build_ids()
        self.build_uses()
        self.build_files()

    def build_files(self):
        for path, target in self.h.files:
            full = os.path.join(self.root, path.lstrip("/"))
            os.makedirs(os.path.dirname(full), exist_ok=True)
            if target is None:
                write(full, "")
            else:
                os.symlink(target, full)

    def device_path(self, addr):
        if addr in self.paths:
            return self.paths[addr]
        d = self.h.pci[addr]
        parent = d.get("parent")
        if parent:
            base = self.device_path(norm_addr(parent))
        else:
            dom, bus = addr.split(":")[0:2]
            base = os.path.join(self.sys, "devices", "pci%s:%s" % (dom, bus))
        self.paths[addr] = os.path.join(base, addr)
        return self.paths[addr]

    def bridge_buses(self):
        """Secondary and subordinate bus numbers of each bridge, from its descendants."""
        buses = {}
        for addr, d in self.h.pci.items():
            bus = addr_key(addr)[1]
            p = d.get("parent")
            while p:
                p = norm_addr(p)
                sec, sub = buses.get(p, (0xff, 0))
                direct = norm_addr(d["parent"]) == p
                buses[p] = (min(sec, bus) if direct else sec, max(sub, bus))
                p = self.h.pci[p].get("parent")
        return {a: (s if s != 0xff else sub, sub) for a, (s, sub) in buses.items()}

    def build_pci(self):
        bus_pci = self.mkdir(self.sys, "bus", "pci")
        devices = self.mkdir(bus_pci, "devices")
        self.mkdir(bus_pci, "drivers")
        slots = {}
        for addr in self.h.pci:
            slots.setdefault(addr[:-2], []).append(addr)
        buses = self.bridge_buses()
        for addr in sorted(self.h.pci, key=addr_key):
            d = self.h.pci[addr]
            mf = len(slots[addr[:-2]]) > 1
            path = self.device_path(addr)
            os.makedirs(path, exist_ok=True)
            self.device_files(d, path, config_space(d, mf, buses))
            link(path, os.path.join(devices, addr))
            self.device_links(d, path, bus_pci)

    def device_files(self, d, path, config):
        cls = d["cls"]
        files = {
            "vendor": "0x%04x\n" % d["vendor"], "device": "0x%04x\n" % d["device"],
            "class": "0x%06x\n" % cls, "revision": "0x%02x\n" % int(d.get("rev", "0"), 16),
            "numa_node": "%s\n" % d.get("numa", "-1"),
        }
        if not self.lean:
            files["irq"] = "0\n"
            files["resource"] = "0x0000000000000000 0x0000000000000000 0x0000000000000000\n" * 13
            files["modalias"] = "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n" % (
                d["vendor"], d["device"], 0, 0, cls >> 16, (cls >> 8) & 0xff, cls & 0xff)
        sv, sd = d.get("sub", "0000:0000").split(":")
        files["subsystem_vendor"] = "0x%s\n" % sv.lower()
        files["subsystem_device"] = "0x%s\n" % sd.lower()
        if (cls >> 8) == 0x0300:
            files["boot_vga"] = "%s\n" % d.get("boot_vga", "0")
        if "reset" in d:
            files["reset_method"] = d["reset"].replace(",", " ") + "\n" if d["reset"] else "\n"
        for name, text in files.items():
            write(os.path.join(path, name), text)
        with open(os.path.join(path, "config"), "wb") as f:
            f.write(config)

    def device_links(self, d, path, bus_pci):
        if "driver" in d:
            drv = self.mkdir(bus_pci, "drivers", d["driver"])
            link(drv, os.path.join(path, "driver"))
            mod = d.get("module", DRIVER_MODULES.get(d["driver"], d["driver"])) or None
            if mod and not os.path.lexists(os.path.join(drv, "module")):
                link(self.mkdir(self.sys, "module", mod), os.path.join(drv, "module"))
            if not self.lean:
                link(path, os.path.join(drv, d["addr"]))
        if "group" in d:
            g = self.mkdir(self.sys, "kernel", "iommu_groups", d["group"], "devices")
            link(os.path.dirname(g), os.path.join(path, "iommu_group"))
            link(path, os.path.join(g, d["addr"]))
        if "physfn" in d:
            pf = norm_addr(d["physfn"])
            link(self.device_path(pf), os.path.join(path, "physfn"))
            pfpath = self.device_path(pf)
            os.makedirs(pfpath, exist_ok=True)
            n = len([e for e in os.listdir(pfpath) if e.startswith("virtfn")])
            link(path, os.path.join(pfpath, "virtfn%d" % n))

    def build_groups(self):
        self.mkdir(self.sys, "kernel", "iommu_groups") if self.h.iommu else None
        cls_iommu = self.mkdir(self.sys, "class", "iommu")
        for name in self.h.iommu:
            target = self.mkdir(self.sys, "devices", "virtual", "iommu", name)
            link(target, os.path.join(cls_iommu, name))

    def build_usb(self):
        usb = self.mkdir(self.sys, "bus", "usb", "devices")
        for u in self.h.usb:
            parent = u.get("parent")
            base = (self.device_path(norm_addr(parent)) if parent
                    else self.mkdir(self.sys, "devices", "platform", "usb-host"))
            hub = u["name"].startswith("usb")
            path = self.mkdir(base, u["name"]) if hub else self.mkdir(base, "usb" + u["bus"], u["name"])
            files = {"idVendor": u["id_vendor"], "idProduct": u["id_product"], "busnum": u["bus"],
                     "devnum": u["dev"]}
            for key in ("manufacturer", "product"):
                if key in u:
                    files[key] = u[key]
            for name, text in files.items():
                write(os.path.join(path, name), text + "\n")
            link(path, os.path.join(usb, u["name"]))
            iname = ("%s-0" % u["bus"] if hub else u["name"]) + ":1.0"
            iface = self.mkdir(path, iname)   # an interface: no idVendor
            write(os.path.join(iface, "bInterfaceClass"), "09\n" if hub else "03\n")
            link(iface, os.path.join(usb, iname))

    def topology(self):
        """(cpu, package, core, node) for every CPU; SMT siblings get ids cores*sockets apart."""
        c = self.h.cpu
        sockets, cores, threads = int(c["sockets"]), int(c["cores"]), int(c["threads"])
        nodes = int(c.get("nodes", "1"))
        per = sockets * cores
        out = []
        for t in range(threads):
            for s in range(sockets):
                for k in range(cores):
                    out.append((t * per + s * cores + k, s, k, s * nodes // sockets))
        return sorted(out), per, threads

    def build_cpus(self):
        cpus, per, threads = self.topology()
        base = self.mkdir(self.sys, "devices", "system", "cpu")
        last = len(cpus) - 1
        for name in ("online", "possible", "present"):
            write(os.path.join(base, name), "0-%d\n" % last)
        for cpu, pkg, core, node in cpus:
            topo = self.mkdir(base, "cpu%d" % cpu, "topology")
            sib = ",".join(str(cpu % per + t * per) for t in range(threads))
            write(os.path.join(topo, "core_id"), "%d\n" % core)
            write(os.path.join(topo, "physical_package_id"), "%d\n" % pkg)
            write(os.path.join(topo, "thread_siblings_list"), sib + "\n")
        nodes = {}
        for cpu, pkg, core, node in cpus:
            nodes.setdefault(node, []).append(str(cpu))
        nbase = self.mkdir(self.sys, "devices", "system", "node")
        write(os.path.join(nbase, "online"), "0-%d\n" % (len(nodes) - 1))
        for node, members in nodes.items():
            write(os.path.join(self.mkdir(nbase, "node%d" % node), "cpulist"),
                  ",".join(members) + "\n")

    def build_proc(self):
        proc = self.mkdir(self.root, "proc")
        c = self.h.cpu
        cpus, _, threads = self.topology()
        blocks = []
        for cpu, pkg, core, node in cpus:
            blocks.append(
                "processor\t: %d\nvendor_id\t: %s\ncpu family\t: 6\nmodel name\t: %s\n"
                "physical id\t: %d\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %s\n"
                "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep %s\n\n"
                % (cpu, c["vendor"], c["model"], pkg, int(c["cores"]) * threads, core,
                   c["cores"], " ".join(c["flags"].split(","))))
        write(os.path.join(proc, "cpuinfo"), "".join(blocks))
        if self.h.memory is not None:
            write(os.path.join(proc, "meminfo"),
                  "MemTotal:       %8d kB\nMemFree:        %8d kB\nHugepagesize:       2048 kB\n"
                  % (self.h.memory, self.h.memory // 2))
        if self.h.kernel is not None:
            write(os.path.join(self.mkdir(proc, "sys", "kernel"), "osrelease"),
                  self.h.kernel + "\n")
        if self.h.cmdline is not None:
            write(os.path.join(proc, "cmdline"), self.h.cmdline + "\n")

    def build_misc(self):
        if self.h.machine_id is not None:
            write(os.path.join(self.mkdir(self.root, "etc"), "machine-id"),
                  self.h.machine_id + "\n")
        for kib, reserved in self.h.hugepages:
            hp = self.mkdir(self.sys, "kernel", "mm", "hugepages", "hugepages-%dkB" % kib)
            write(os.path.join(hp, "nr_hugepages"), "%d\n" % reserved)
        write(os.path.join(self.mkdir(self.sys, "devices", "system", "cpu"), "isolated"),
              self.h.isolated + "\n")
        if self.h.vfio:
            dev = self.mkdir(self.root, "dev", "vfio")
            for name in ["vfio"] + self.h.vfio:
                write(os.path.join(dev, name), "")

    def build_uses(self):
        """Block devices, mounts, network interfaces and default routes, as Linux shows them."""
        def place(kind, d, where):
            on = d.get("on")
            if on:
                return self.mkdir(self.device_path(norm_addr(on)), where, d["name"])
            return self.mkdir(self.sys, "devices", "virtual", kind, d["name"])
        blocks = {name: place("block", d, "block") for name, d in self.h.blocks.items()}
        for name, d in self.h.blocks.items():
            write(os.path.join(blocks[name], "dev"), d["devno"] + "\n")
            link(blocks[name], os.path.join(self.mkdir(self.sys, "dev", "block"), d["devno"]))
            link(blocks[name], os.path.join(self.mkdir(self.sys, "class", "block"), name))
            for slave in filter(None, d.get("slaves", "").split(",")):
                link(blocks[slave], os.path.join(self.mkdir(blocks[name], "slaves"), slave))
        lines = []
        for n, m in enumerate(self.h.mounts, 20):
            fs = m.get("fs", "ext4")
            # btrfs and ZFS show an anonymous device number; only the source names the disk
            # (a ZFS source is the dataset)
            devno = "0:%d" % n if fs in ("btrfs", "zfs") else self.h.blocks[m["name"]]["devno"]
            source = m["name"] if fs == "zfs" else "/dev/" + m["name"]
            lines.append("%d 1 %s / %s rw,relatime shared:%d - %s %s rw\n"
                         % (n, devno, m["point"], n, fs, source))
        if lines:
            write(os.path.join(self.mkdir(self.root, "proc", "self"), "mountinfo"),
                  "".join(lines))
        if self.h.swaps:
            write(os.path.join(self.mkdir(self.root, "proc"), "swaps"),
                  "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n" +
                  "".join("/dev/%s\t\t\t\tpartition\t8388604\t\t0\t\t-2\n" % n
                          for n in self.h.swaps))
        for uuid, names in self.h.btrfs:
            devs = self.mkdir(self.sys, "fs", "btrfs", uuid, "devices")
            for name in names:
                link(blocks[name], os.path.join(devs, name))
        for name, pool in self.h.zfs:
            write(os.path.join(self.mkdir(self.root, "run", "udev", "data"),
                               "b" + self.h.blocks[name]["devno"]),
                  "S:disk/by-label/%s\nE:ID_FS_TYPE=zfs_member\nE:ID_FS_LABEL=%s\nG:systemd\n"
                  % (pool, pool))
        nets = {name: place("net", d, "net") for name, d in self.h.nets.items()}
        for name, d in self.h.nets.items():
            if d.get("on"):
                link(self.device_path(norm_addr(d["on"])), os.path.join(nets[name], "device"))
            for low in filter(None, d.get("lower", "").split(",")):
                link(nets[low], os.path.join(nets[name], "lower_" + low))
            link(nets[name], os.path.join(self.mkdir(self.sys, "class", "net"), name))
        if self.h.routes:
            net = self.mkdir(self.root, "proc", "net")
            v4 = ["Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"]
            v6 = []
            for name, is6 in self.h.routes:
                if is6:
                    v6.append("%s 00 %s 00 fe800000000000000000000000000001 00000400 00000001 "
                              "00000000 00000003 %8s\n" % ("0" * 32, "0" * 32, name))
                else:  # the default route, and the local network's
                    v4.append("%s\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n" % name)
                    v4.append("%s\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n" % name)
            # the kernel's unreachable IPv6 default sits on lo: never a host route
            v6.append("%s 00 %s 00 %s ffffffff 00000001 00000000 00200200       lo\n"
                      % ("0" * 32, "0" * 32, "0" * 32))
            write(os.path.join(net, "route"), "".join(v4))
            write(os.path.join(net, "ipv6_route"), "".join(v6))

    def build_ids(self):
        """The root's own pci.ids: the vendors and devices named in the description."""
        lines = ["# pci.ids of a vfioc test root (tests/mkroot.py)\n"]
        named = {}
        for d in self.h.pci.values():
            if "name" in d:
                named.setdefault(d["vendor"], {})[d["device"]] = d["name"]
        for ven in sorted(set(named) | {int(v, 16) for v in self.h.vendors}):
            vname = self.h.vendors.get("%04x" % ven)
            if vname is None:
                die("no 'vendor %04x' line for named devices" % ven)
            lines.append("%04x  %s\n" % (ven, vname))
            for dev, name in sorted(named.get(ven, {}).items()):
                lines.append("\t%04x  %s\n" % (dev, name))
        for (base, sub), name in sorted(CLASS_NAMES.items(), key=lambda kv: (kv[0][0], kv[0][1] or -1)):
            lines.append("C %02x  %s\n" % (base, name) if sub is None else "\t%02x  %s\n" % (sub, name))
        ids = self.mkdir(self.root, "usr", "share", "misc")
        write(os.path.join(ids, "pci.ids"), "".join(lines))


def synthetic(n):
    """A host with n PCI devices: per domain a host bridge and up to 248 root ports (bus 0),
    each with a 1-4 function endpoint behind it; one group per port and per endpoint."""
    h = Host()
    h.cpu.update(sockets="2", cores="8", threads="2", nodes="2", flags="vmx,pdpe1gb")
    h.memory, h.hugepages, h.kernel = 268435456, [(2048, 0), (1048576, 0)], "6.6.30"
    h.cmdline, h.iommu = "intel_iommu=on", ["dmar0"]
    h.vendors = {"8086": "Intel Corporation", "10de": "NVIDIA Corporation"}
    group, count, port = 0, 0, 0
    while count < n:
        dom, k = divmod(port, 248)
        if k == 0:
            hb = "%04x:00:00.0" % dom
            h.pci[hb] = dict(addr=hb, vendor=0x8086, device=0x2020, cls=0x060000,
                             group=str(group), name="Sky Lake-E DMI3 Registers")
            group, count, port = group + 1, count + 1, port + 1
            continue
        rp = "%04x:00:%02x.%d" % (dom, 1 + (k - 1) // 8, (k - 1) % 8)
        h.pci[rp] = dict(addr=rp, vendor=0x8086, device=0x2030, cls=0x060400,
                         group=str(group), driver="pcieport", reset="")
        group, count = group + 1, count + 1
        for f in range(min(1 + port % 4, n - count)):
            a = "%04x:%02x:00.%d" % (dom, k, f)
            cls, drv = [(0x030000, "nouveau"), (0x040300, "snd_hda_intel"),
                        (0x0c0330, "xhci_hcd"), (0x0c8000, "nvidia-gpu")][f]
            h.pci[a] = dict(addr=a, vendor=0x10de, device=0x1b80 + f, cls=cls, parent=rp,
                            group=str(group), driver=drv, reset="flr bus", sub="10de:1234")
            count += 1
        group, port = group + 1, port + 1
    return h


def main(argv):
    if len(argv) == 4 and argv[1] == "--synthetic" and argv[2].isdigit():
        host, out, lean = synthetic(int(argv[2])), argv[3], True
    elif len(argv) == 3 and not argv[1].startswith("-"):
        host, out, lean = Host(), argv[2], False
        host.parse(argv[1])
    else:
        sys.stderr.write(__doc__.split("\n\n")[1] + "\n")
        return 2
    if os.path.exists(out) and os.listdir(out):
        die("%s exists and is not empty" % out)
    Builder(host, out, lean).build()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
