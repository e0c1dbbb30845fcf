#!/usr/bin/env python3
"""booster_config.py FILE [CONFIG_GO]: what booster's generator makes of FILE, an
/etc/booster.yaml, replaying its loading step as read in anatol/booster at 57b030b
(generator/config.go; nothing of theirs is copied):

- readGeneratorConfig() reads the file with gopkg.in/yaml.v3's yaml.Unmarshal into
  UserConfig. Unmarshal is not strict: a key that is no field of UserConfig is dropped
  without a word, and a value of the wrong kind (a list for a string) fails the build.
  So every key must be a field below and every value of its kind.
- parseCommaList() turns each comma-separated field into a list: split at ',', each item
  trimmed, empty ones dropped.

Prints "KEY: ITEM ITEM..." for the comma-list fields and "KEY: VALUE" for the others; exits 1
naming each problem. With CONFIG_GO (booster's generator/config.go), it first checks that the
fields of UserConfig there are still those below."""
import re
import sys

import yaml

# UserConfig's top-level fields at 57b030b: the YAML key (the yaml tag's name, else the Go
# field's name in lower case, as yaml.v3 does) and the Go type.
FIELDS = {
    "network": "struct", "universal": "bool", "modules": "string",
    "modules_force_load": "string", "append_all_modaliases": "bool",
    "compression": "string", "mount_timeout": "string", "extra_files": "string",
    "emergency_shell_password": "string", "strip": "bool", "vconsole": "bool",
    "enable_lvm": "bool", "enable_mdraid": "bool", "mdraid_config_path": "string",
    "enable_zfs": "bool", "zfs_import_params": "string", "zfs_cache_path": "string",
    "enable_plymouth": "bool", "crypttab_path": "string", "enable_fido2": "bool",
    "token_timeout": "string", "pin_delay": "string", "password_echo": "string",
    "serialize_tokens": "struct",
}
# The fields readGeneratorConfig() passes through parseCommaList().
COMMA_LISTS = ("modules", "modules_force_load", "extra_files")


def source_fields(path):
    """UserConfig's top-level fields in booster's config.go: {key: go type}."""
    text = open(path, encoding="utf-8").read()
    body = re.search(r"^type UserConfig struct \{\n(.*?)^\}", text, re.S | re.M).group(1)
    fields, depth, last = {}, 0, None
    for line in body.splitlines():
        code = line.split("//")[0]
        depth -= code.count("}")
        tag = re.search(r'`yaml:"([^",]*)', code)
        if depth == 0 and code.strip().startswith("}") and tag and tag.group(1):
            fields[tag.group(1)] = fields.pop(last)  # a nested struct's tag closes it
        elif depth == 0:
            m = re.match(r"\s*(\w+)\s+(\*struct|\w+)", code)
            if m:
                last = (tag and tag.group(1)) or m.group(1).lower()
                fields[last] = "struct" if m.group(2) == "*struct" else m.group(2)
        depth += code.count("{")
    return fields


def kind_ok(value, gotype):
    if gotype == "string":  # yaml.v3 decodes any scalar into a string field
        return value is None or isinstance(value, (str, int, float, bool))
    if gotype == "bool":
        return isinstance(value, bool)
    return isinstance(value, dict)


def main():
    problems = []
    if len(sys.argv) > 2:
        src = source_fields(sys.argv[2])
        if src != FIELDS:
            problems.append("UserConfig in %s differs from this replay: %r" % (sys.argv[2], src))
    doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
    if not isinstance(doc, dict):
        problems.append("the file is not a mapping")
        doc = {}
    for key, value in doc.items():
        if key not in FIELDS:
            problems.append("%s: no such field in booster's UserConfig: ignored" % key)
        elif not kind_ok(value, FIELDS[key]):
            problems.append("%s: a %s, not a Go %s" % (key, type(value).__name__, FIELDS[key]))
        elif key in COMMA_LISTS:
            items = [v.strip() for v in str(value).split(",") if v.strip()]
            print("%s: %s" % (key, " ".join(items)))
        else:
            print("%s: %s" % (key, value))
    for p in problems:
        print("booster_config: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
