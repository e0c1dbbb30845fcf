#!/usr/bin/env python3
"""groups_agree.py TEXT JSON: `vfioc groups` and `vfioc groups --format json` of the same
hardware say the same thing. The JSON must be strict UTF-8 JSON; from it, this script writes
the text listing's group headers, device lines and verdict lines by the rules of the text
(README, `vfioc help groups`) and compares them line by line with TEXT. Prints "ok NAME" or
"FAIL NAME: why" lines."""
import json
import sys

MAX_NAMED = 8
STAYS = ("bridge", "platform", "holds-group")  # reasons of members that never leave the host


def header(g):
    n = g["endpoints"]
    v = g["verdict"]
    if v == "blocked":
        b = g["blocked_by"]
        return (f": kept by the host: {b['address']} ({b['role']}) is on {b['driver']}, which "
                "the kernel does not allow in a group given to a VM")
    if v == "host":
        return (": one endpoint, kept by the host: its own file systems are on it" if n == 1
                else f": {n} endpoints, kept by the host: its own file systems are on one")
    return {"bridges-only": ": bridges only, nothing to pass",
            "alone": ": one endpoint, can be passed alone",
            "together": f": {n} endpoints, to be passed together",
            "some-may-stay": f": {n} endpoints: those with a driver go together, the "
                             f"{sum(1 for d in g['devices'] if d['reason'] not in STAYS and not d['driver'])}"
                             " without one may stay"}[v]


def device_line(d):
    names = f"{d['vendor_name']} " if d["vendor_name"] else ""
    names += d["device_name"] or "Device"
    marks = "[boot GPU] " if d["boot_vga"] is True else ""
    marks += "[host disk] " if d["host_fs"] else ""
    marks += "[host network] " if d["host_route"] else ""
    return (f"  {d['address']}  {marks}{d['class_name'] or 'Device'} [{d['class']}]: {names} "
            f"[{d['vendor']}:{d['device']}]  driver: {d['driver'] or 'none'}")


def marks(d):
    out = ""
    if d["host_route"]:
        out += f"; carries the host's default route ({d['host_route']})"
    if d["boot_vga"] is True:
        out += "; boot GPU (boot_vga=1): the firmware and the host console use it"
    if d["reset_methods"] == []:
        out += "; no reset method: it may not come back after a VM stops"
    if d["physfn"]:
        out += f"; SR-IOV virtual function of {d['physfn']}"
    return out


def verdict_line(d, by_addr):
    v, why, w = d["verdict"], d["reason"], d["with"]
    if v == "never" and why == "bridge":
        return " " * 16 + ("never: a bridge stays on the host (it does not keep the others "
                           "from being passed)")
    if v == "never" and why == "platform":
        return " " * 16 + (f"never: it stays on the host ({d['role']}; without a driver it does "
                           "not keep the others from being passed)")
    if v == "never" and why == "holds-group":
        return " " * 16 + (f"never: it stays on the host ({d['role']}), and its driver "
                           f"{d['driver']} keeps the group from every VM")
    if v == "never" and why == "host-fs":
        s = f"never: it holds the host's {d['host_fs']}"
    elif v == "never" and why == "host-fs-in-group":
        assert len(w) == 1, "host-fs-in-group names one device"
        s = f"never: only together with {w[0]}, which holds the host's {by_addr[w[0]]['host_fs']}"
    elif v == "never" and why == "blocked-group":
        assert len(w) == 1, "blocked-group names one device"
        b = by_addr[w[0]]
        s = f"never: {w[0]} ({b['role']}) holds the group on {b['driver']}"
    elif v == "alone":
        assert not w, "alone names no other device"
        s = "can be passed alone"
    elif v == "together":
        s = (f"only together with the {len(w)} other endpoints of the group" if len(w) > MAX_NAMED
             else "only together with " + ", ".join(w))
    else:
        raise AssertionError(f"unknown verdict {v}/{why}")
    stay = d["may_stay"]
    if len(stay) > MAX_NAMED:
        s += f"; the {len(stay)} endpoints without a driver may stay"
    elif stay:
        s += "; " + ", ".join(stay) + " may stay (no driver)"
    return " " * 16 + s + marks(d)


def expected_text(j):
    lines = []
    if not j["groups"]:
        assert j["iommu"]["enabled"] is False
        return None
    for g in j["groups"]:
        by_addr = {d["address"]: d for d in g["devices"]}
        lines.append(f"IOMMU group {g['group']}{header(g)}")
        for d in g["devices"]:
            lines.append(device_line(d))
            lines.append(verdict_line(d, by_addr))
        lines.append("")
    if j["ungrouped"]:
        lines.append("Not in any IOMMU group (cannot be passed through)")
        for d in j["ungrouped"]:
            assert d["verdict"] == "never" and d["reason"] == "no-group"
            lines.append(device_line(d))
    return lines


def consistent(j):
    """The JSON against itself: endpoint counts, 'with' lists, the group verdict."""
    for g in j["groups"]:
        ends = [d for d in g["devices"] if d["reason"] not in STAYS]
        assert g["endpoints"] == len(ends), f"group {g['group']}: endpoints"
        disk = any(d["host_fs"] for d in g["devices"])
        held = [e for e in ends if e["driver"]]
        for d in ends:
            if d["verdict"] == "together":
                assert d["with"] == [e["address"] for e in held if e is not d], d["address"]
            if d["verdict"] in ("alone", "together"):
                assert d["may_stay"] == [e["address"] for e in ends
                                         if e is not d and not e["driver"]], d["address"]
                assert (d["verdict"] == "alone") == (not [e for e in held if e is not d]), \
                    d["address"]
        assert (g["verdict"] == "host") == disk, f"group {g['group']}: host verdict"
        holders = [d for d in g["devices"] if d["reason"] == "holds-group"]
        assert (g["verdict"] == "blocked") == (bool(holders) and not disk), \
            f"group {g['group']}: blocked verdict"


def main():
    name = sys.argv[3] if len(sys.argv) > 3 else sys.argv[2]
    raw = open(sys.argv[2], "rb").read()
    try:
        j = json.loads(raw.decode("utf-8", errors="strict"))
    except (UnicodeDecodeError, ValueError) as e:
        print(f"FAIL {name}: not strict UTF-8 JSON: {e}")
        return
    print(f"ok {name}: strict UTF-8 JSON")
    try:
        consistent(j)
        print(f"ok {name}: counts and 'with' lists consistent")
    except AssertionError as e:
        print(f"FAIL {name}: inconsistent: {e}")
    text = open(sys.argv[1], "rb").read().decode("utf-8", errors="surrogateescape").split("\n")
    try:
        want = expected_text(j)
    except (AssertionError, KeyError, TypeError) as e:
        print(f"FAIL {name}: {e!r}")
        return
    if want is None:
        ok = text[0].startswith("No IOMMU groups")
        print(f"ok {name}: no groups in both" if ok else f"FAIL {name}: JSON has no groups, text has")
        return
    if text[-1] == "":
        text.pop()
    if text == want:
        print(f"ok {name}: same verdicts as the text ({sum(len(g['devices']) for g in j['groups'])} devices)")
        return
    for i, (a, b) in enumerate(zip(want, text)):
        if a != b:
            print(f"FAIL {name}: text line {i + 1}: {b!r}, JSON says {a!r}")
            return
    print(f"FAIL {name}: text has {len(text)} lines, JSON gives {len(want)}")


main()
