#!/usr/bin/env python3
"""stage1.py EVAL.json RELEASE OUTDIR: what NixOS's stage 1 takes from a generated vfio.nix,
as evaluated by tests/nix/eval.nix, written as files for the lab guest to apply:
  modules        boot.initrd.kernelModules, one per line, in the order stage 1 loads them:
                 as listed up to 25.05; sorted by name from 25.11, where the option is a set
                 of names (types.attrNamesToTrue) and lib.mkBefore no longer orders it
  modprobe.conf  boot.extraModprobeConfig (/etc/modprobe.d/nixos.conf in both initrds)
  predevice.sh   boot.initrd.preDeviceCommands (scripted initrd)
  udev.rules     boot.initrd.services.udev.rules (systemd initrd)"""
import json
import os
import sys

ev, release, out = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]


def get(path, default):
    d = ev
    for k in path.split("."):
        if not isinstance(d, dict) or k not in d:
            return default
        d = d[k]
    return d


mods = get("boot.initrd.kernelModules", [])
if tuple(int(x) for x in release.split(".")) >= (25, 11):
    mods = sorted(set(mods))
os.makedirs(out, exist_ok=True)
files = {
    "modules": "".join(m + "\n" for m in mods),
    "modprobe.conf": get("boot.extraModprobeConfig", ""),
    "predevice.sh": get("boot.initrd.preDeviceCommands", ""),
    "udev.rules": get("boot.initrd.services.udev.rules", ""),
}
for name, text in files.items():
    with open(os.path.join(out, name), "w") as f:
        f.write(text)
