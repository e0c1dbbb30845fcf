#!/usr/bin/env python3
"""check_eval.py: compare one evaluation of a generated vfio.nix (tests/nix/eval.nix output)
with what the plan asked for (expect.json) and with kernel-cmdline. Prints one "ok NAME" or
"FAIL NAME: why" line per check; used by tests/t-backend-nix.sh and t-build-examples.sh.

usage: check_eval.py EVAL.json EXPECT.json KERNEL-CMDLINE LABEL SYSTEMD_INITRD(true|false)
EXPECT.json may hold only some keys; absent keys are not checked ("bootBound" is true when
absent: some device is bound at boot)."""
import json
import sys

ev = json.load(open(sys.argv[1]))
exp = json.load(open(sys.argv[2]))
cmdline = open(sys.argv[3], encoding="utf-8", errors="surrogateescape").read()
label, systemd = sys.argv[4], sys.argv[5] == "true"


def get(d, path, default=None):
    for k in path.split("."):
        if not isinstance(d, dict) or k not in d:
            return default
        d = d[k]
    return d


def check(name, cond, why=""):
    print(("ok %s: %s" % (label, name)) if cond else ("FAIL %s: %s: %s" % (label, name, why)))


params = get(ev, "boot.kernelParams", [])
mods = get(ev, "boot.initrd.kernelModules", [])
check("module is a function", ev.get("isFunction") is True)
check("only options of NixOS %s" % exp.get("release", "?"), ev.get("unknown") == [], ev.get("unknown"))
check("kernel-cmdline is one newline-terminated line", cmdline.endswith("\n") and cmdline.count("\n") == 1)
check("kernel-cmdline == boot.kernelParams", cmdline[:-1] == " ".join(params), (cmdline, params))
# The release's, and the sound server uid's where a VM plays into a user's server.
check("the release assertion holds on NixOS %s" % exp.get("release", "?"),
      len(ev.get("assertions", [])) >= 1 and "target.nixos" in ev["assertions"][0]["message"]
      and all(a["message"].startswith("VMs play into the sound server")
              for a in ev["assertions"][1:2]) and len(ev["assertions"]) <= 2
      and ev.get("failedAssertions") == [],
      (ev.get("assertions"), ev.get("failedAssertions")))
if exp.get("bootBound", True):
    check("vfio modules first", mods[:3] == ["vfio_pci", "vfio", "vfio_iommu_type1"], mods)
else:
    check("no vfio module without a boot-bound device", not [m for m in mods if m.startswith("vfio")], mods)
    check("no softdep without a boot-bound device", get(ev, "boot.extraModprobeConfig") is None,
          repr(get(ev, "boot.extraModprobeConfig")))
    check("no vfio-pci.ids without a boot-bound device",
          not [x for x in params if x.startswith("vfio-pci.ids=")], params)
if "kernelParams" in exp:
    check("kernelParams read back as written", params == exp["kernelParams"], params)
if "initrdModules" in exp:
    want = list(exp["initrdModules"])
    if exp.get("oldKernel") and want[:1] == ["vfio_pci"]:
        want.insert(3, "vfio_virqfd")  # the module adds it for a kernel before 6.2
    check("initrd modules in plan order", mods == want, mods)
if "oldKernel" in exp:
    check("vfio_virqfd only before 6.2", ("vfio_virqfd" in mods) == exp["oldKernel"], mods)
if "users" in exp:
    users = get(ev, "users.users", {})
    check("user names read back as written", sorted(users) == sorted(exp["users"]), sorted(users))
    check("users in libvirtd", all(u.get("extraGroups") == ["libvirtd"] for u in users.values()))
if "release" in exp:
    has_ovmf = get(ev, "virtualisation.libvirtd.qemu.ovmf") is not None
    check("ovmf block only up to 25.05", has_ovmf == (exp["release"] in ("24.05", "24.11", "25.05")))
if "override" in exp:
    modprobe = get(ev, "boot.extraModprobeConfig", "")
    install = [l for l in modprobe.splitlines() if l.startswith("install vfio_pci ")]
    check("driver_override by vfio_pci's install line only there", bool(install) == exp["override"], modprobe)
    if install:
        check("the install line sets driver_override, then loads vfio_pci",
              "driver_override" in install[0] and install[0].endswith("modprobe --ignore-install vfio_pci $CMDLINE_OPTS"),
              install[0])
    check("no override after the initrd's modules",
          get(ev, "boot.initrd.preDeviceCommands") is None and get(ev, "boot.initrd.services.udev.rules") is None)
check("no preDeviceCommands with the systemd initrd", ev.get("initrdOk") is True)
if get(ev, "virtualisation.libvirtd.enable"):
    check("libvirtd qemu package", str(get(ev, "virtualisation.libvirtd.qemu.package", "")).startswith("pkgs.qemu"))
    check("runAsRoot is a bool", isinstance(get(ev, "virtualisation.libvirtd.qemu.runAsRoot"), bool))
    check("VFIO guests are shut down, not suspended, with the host",
          get(ev, "virtualisation.libvirtd.onShutdown") == "shutdown"
          and get(ev, "virtualisation.libvirtd.onBoot") == "ignore")
if "vm" in exp:
    script = get(ev, "systemd.services.vfioc-define-domains.script", "")
    check("define service copies domains/%s.xml into the store" % exp["vm"],
          "virsh define /nix/store/" in script and ("-%s.xml" % exp["vm"]) in script, script)
