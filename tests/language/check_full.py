#!/usr/bin/env python3
"""check_full.py: reads back what vfioc wrote for tests/language/full.yaml (the domains as
XML, vfio.nix as Nix evaluated it) and compares it with the config. One "ok NAME" or
"FAIL NAME: why" line per check. usage: check_full.py CONFIG OUTDIR EVAL.json"""
import json
import sys
import xml.etree.ElementTree as ET

import yaml

cfg = yaml.safe_load(open(sys.argv[1]))
out = sys.argv[2]
ev = json.load(open(sys.argv[3]))
QEMU = "{http://libvirt.org/schemas/domain/qemu/1.0}"


def check(name, cond, why=""):
    print(("ok %s" % name) if cond else ("FAIL %s: %s" % (name, why)))


def cpus(s):
    r = []
    for part in str(s).split(","):
        a, _, b = part.partition("-")
        r += range(int(a), int(b or a) + 1)
    return r


def get(d, path, default=None):
    for k in path:
        if not isinstance(d, dict) or k not in d:
            return default
        d = d[k]
    return d


w = cfg["vms"]["win10"]
dom = ET.parse(out + "/domains/win10.xml").getroot()
c = w["cpu"]
check("iothreads", dom.findtext("iothreads") == str(c["iothreads"]), dom.findtext("iothreads"))
pins = dom.findall("cputune/iothreadpin")
check("one iothreadpin per thread", [p.get("iothread") for p in pins] ==
      [str(i + 1) for i in range(c["iothreads"])], [p.get("iothread") for p in pins])
check("iothreads pinned as written", all(cpus(p.get("cpuset")) == cpus(c["iothread-pin"]) for p in pins))
check("cache passthrough", dom.find("cpu/cache").get("mode") == "passthrough")
check("invtsc required", any(f.get("name") == "invtsc" and f.get("policy") == "require"
                             for f in dom.findall("cpu/feature")))
check("smbios host", dom.find("os/smbios").get("mode") == "host")
check("hyperv vendor_id as written", dom.find("features/hyperv/vendor_id").get("value") == w["hyperv-vendor-id"])
disks = [d for d in dom.findall("devices/disk") if d.get("device") == "disk"]
conf_disks = [d for d in w["disks"] if "path" in d]
for d, cd in zip(disks, conf_disks):
    drv = d.find("driver")
    name = d.find("target").get("dev")
    check("disk %s cache" % name, drv.get("cache") == cd.get("cache"), drv.attrib)
    check("disk %s io" % name, drv.get("io") == cd.get("io"), drv.attrib)
    check("disk %s discard" % name, (drv.get("discard") == "unmap") == bool(cd.get("discard")), drv.attrib)
    check("disk %s iothread only on virtio" % name,
          (drv.get("iothread") is not None) == (cd.get("bus", "virtio") == "virtio"), drv.attrib)
virtio_threads = [d.find("driver").get("iothread") for d in disks if d.find("driver").get("iothread")]
check("virtio disks take the iothreads in turn", virtio_threads == ["1", "2"], virtio_threads)
cds = [d for d in dom.findall("devices/disk") if d.get("device") == "cdrom"]
check("empty CD-ROM: a drive without source", len(cds) == 1 and cds[0].find("source") is None)
inputs = [(i.get("type"), i.get("bus")) for i in dom.findall("devices/input")]
check("virtio keyboard and mouse", ("keyboard", "virtio") in inputs and ("mouse", "virtio") in inputs, inputs)
shm = [s.get("name") for s in dom.findall("devices/shmem")]
check("scream IVSHMEM, no looking-glass shmem (kvmfr)", shm == ["scream-ivshmem-win10"], shm)
check("no emulated sound with scream", dom.find("devices/sound") is None)
args = [a.get("value") for a in dom.findall(QEMU + "commandline/" + QEMU + "arg")]
objs = [json.loads(a) for a in args if a.startswith("{")]
mem = [o for o in objs if o.get("qom-type") == "memory-backend-file"]
check("kvmfr memory backend", len(mem) == 1 and mem[0]["mem-path"] == "/dev/kvmfr0"
      and mem[0]["size"] == 64 << 20 and mem[0]["share"] is True, objs)
dev = [o for o in objs if o.get("driver") == "ivshmem-plain"]
check("ivshmem-plain on that backend", len(dev) == 1 and dev[0]["memdev"] == mem[0]["id"], objs)
check("libvirt-xml: attribute set", dom.find("devices/graphics").get("listen") == "0.0.0.0")
check("libvirt-xml: nested attribute set", dom.find("devices/graphics/listen").get("address") == "0.0.0.0")
check("libvirt-xml: element text set", dom.findtext("on_crash") == "restart")
check("libvirt-xml: elements created", dom.find("devices/serial").get("type") == "pty"
      and dom.find("devices/serial/target").get("port") == "0")
check("libvirt-xml: element deleted", dom.find("pm") is None)

lin = ET.parse(out + "/domains/lin.xml").getroot()
check("memballoon stays the last device", list(lin.find("devices"))[-1].tag == "memballoon")
check("lin: ich9 sound on audio 1", lin.find("devices/sound").get("model") == "ich9"
      and lin.find("devices/sound/audio").get("id") == "1")
check("lin: pulseaudio backend", [(a.get("id"), a.get("type")) for a in lin.findall("devices/audio")] ==
      [("1", "pulseaudio")])
uid = cfg["host"]["libvirt"]["qemu-config"]["uid"]
check("lin: the server of qemu-config's user, by its uid",
      lin.find("devices/audio").get("serverName") == "unix:/run/user/%d/pulse/native" % uid,
      lin.find("devices/audio").get("serverName"))
lg = [s.get("name") for s in lin.findall("devices/shmem")]
check("lin: Looking Glass stays on /dev/shm", len(lg) == 1 and lg[0].startswith("looking-glass")
      and lin.find(QEMU + "commandline") is None, lg)

h = cfg["host"]
check("nix: only known options outside nixos-extra", ev.get("unknown") == [], ev.get("unknown"))
check("nix: nixos-extra is its own module", ev.get("extraFiles") == ["host.nixos-extra"], ev.get("extraFiles"))
check("nix: blacklist", get(ev, ["boot", "blacklistedKernelModules"]) == h["blacklist-drivers"])
conf = get(ev, ["virtualisation", "libvirtd", "qemu", "verbatimConfig"], "")
q = h["libvirt"]["qemu-config"]
check("nix: qemu.conf keeps namespaces = []", "namespaces = []\n" in conf, conf)
check("nix: qemu.conf user and group", 'user = "%s"\n' % q["user"] in conf and 'group = "%s"\n' % q["group"] in conf, conf)
for dev in ["/dev/kvm", "/dev/kvmfr0"] + q["cgroup-device-acl"]:
    check("nix: cgroup_device_acl has %s" % dev, '"%s"' % dev in conf, conf)
check("nix: kvmfr module", get(ev, ["boot", "extraModulePackages"]) == ["pkgs.linuxPackages.kvmfr"]
      and get(ev, ["boot", "kernelModules"]) == ["kvmfr"])
check("nix: kvmfr static size", get(ev, ["environment", "etc", "modprobe.d/kvmfr.conf", "text"]) ==
      "options kvmfr static_size_mb=64\n")
rules = get(ev, ["services", "udev", "extraRules"], "")
check("nix: kvmfr udev rule for the user and QEMU's group", 'SUBSYSTEM=="kvmfr", OWNER="%s", GROUP="%s", MODE="0660"' %
      (h["users"][0], q["group"]) in rules, rules)
svc = get(ev, ["systemd", "user", "services", "scream-win10"], {})
check("nix: scream receiver reads the VM's IVSHMEM file",
      svc.get("serviceConfig", {}).get("ExecStart") == "pkgs.scream/bin/scream -m /dev/shm/scream-ivshmem-win10", svc)
tmp = get(ev, ["systemd", "tmpfiles", "settings", "vfioc-scream", "/dev/shm/scream-ivshmem-win10", "f"], {})
check("nix: scream file owned by the user and QEMU's group", tmp.get("user") == h["users"][0]
      and tmp.get("group") == q["group"] and tmp.get("mode") == "0660", tmp)
hooks = get(ev, ["virtualisation", "libvirtd", "hooks", "qemu"], {})
check("nix: both hooks", sorted(hooks) == ["vfioc-isolate-cpus", "vfioc-single-gpu"], sorted(hooks))
for path, want in h["nixos-extra"].items():
    keys = []
    for part in path.replace('."', '\0"').split("\0"):
        if part.startswith('"'):
            q_, rest = part[1:].split('"', 1)
            keys.append(q_)
            keys += [k for k in rest.split(".") if k]
        else:
            keys += part.split(".")
    got = get(ev, keys, "<missing>")
    check("nix: nixos-extra %s reads back as written" % path, got == want and type(got) == type(want), (got, want))
