# t-nix-package: package.nix, default.nix and flake.nix. Nothing can be built with Nix here
# (no binary cache), so: each file parses (nix-instantiate --parse); package.nix and the
# flake's outputs evaluate against a stub nixpkgs that is strict about names
# (tests/nix/stub-nixpkgs.nix, read through tests/nix/flake-eval.nix): attribute names,
# inputs, phases, make flags, meta.mainProgram, meta.platforms, one package everywhere; a
# typo makes the evaluation fail; the package's make flags build and install a working
# vfioc the way the generic builder runs them; lib.check's command passes on an example
# with current outputs and fails on a stale one.
. ./lib.sh

top=$TESTS_DIR/..
command -v nix-instantiate > /dev/null || { fail "nix-package: nix-instantiate is installed"; exit 0; }

for f in package.nix default.nix flake.nix; do
	expect "nix-package: $f parses" nix-instantiate --parse "$top/$f"
done

# A vfioc where the stub's packages have their outPath: the binary under test.
mkdir -p "$TMP/pkg/bin"
ln -s "$VFIOC" "$TMP/pkg/bin/vfioc"

# evalflake TOP: the stub evaluation of the files in TOP, as JSON on stdout.
evalflake() {
	nix-instantiate --eval --strict --json --store dummy:// nix/flake-eval.nix \
		--arg top "$1" --argstr out "$TMP/pkg"
}

if evalflake "$top" > "$TMP/flake.json" 2> "$TMP/err"; then
	pass "nix-package: package.nix and the flake's outputs evaluate"
	version=$("$VFIOC" --version | sed 's/^vfioc //')
	python3 - "$TMP/flake.json" "$version" "$TMP/pkg" "$top" > "$TMP/check.out" 2>&1 <<'PY' ||
import json, sys
e = json.load(open(sys.argv[1]))
version, out = sys.argv[2], sys.argv[3]
def check(name, cond, why=""):
    print(("ok nix-package: %s" % name) if cond else ("FAIL nix-package: %s: %r" % (name, why)))
p = e["package"]
check("pname vfioc, the Makefile's version", p["pname"] == "vfioc" and p["version"] == version, p)
check("pkg-config at build time", p["nativeBuildInputs"] == ["pkg-config"], p["nativeBuildInputs"])
check("libyaml, pciutils (libpci), libxml2", sorted(p["buildInputs"]) == ["libxml2", "libyaml", "pciutils"],
      p["buildInputs"])
check("make install PREFIX=$out", "PREFIX=$(out)" in p["makeFlags"], p["makeFlags"])
check("shared libraries, as nixpkgs has no static archives", "SHARED=1" in p["makeFlags"], p["makeFlags"])
check("the Makefile's build and install phases, none replaced", p["phases"] == [], p["phases"])
check("not the whole suite at build time", p["doCheck"] is False, p["doCheck"])
check("meta.mainProgram is vfioc", p["meta"]["mainProgram"] == "vfioc", p["meta"])
check("meta.platforms: Linux only, x86_64 among them",
      "x86_64-linux" in p["meta"]["platforms"] and all(s.endswith("-linux") for s in p["meta"]["platforms"]),
      p["meta"]["platforms"])
check("meta.description", p["meta"]["hasDescription"])
check("meta.license is MIT, as LICENSE says", p["meta"]["license"] == "MIT" and "MIT License" in open(sys.argv[4] + "/LICENSE").read(), p["meta"])
check("default.nix is package.nix", e["defaultNix"] == p, e["defaultNix"])
check("the flake's nixpkgs input", (e["inputs"].get("nixpkgs") or "").startswith("github:NixOS/nixpkgs"),
      e["inputs"])
for o in ["apps", "checks", "devShells", "lib", "overlays", "packages"]:
    check("the flake has %s" % o, o in e["outputNames"], e["outputNames"])
for o, systems in e["systems"].items():
    check("%s for x86_64-linux and aarch64-linux" % o, systems == ["aarch64-linux", "x86_64-linux"], systems)
check("packages.default and packages.vfioc are package.nix",
      e["packages"]["default"] == p and e["packages"]["vfioc"] == p, e["packages"])
check("apps.default runs bin/vfioc", e["app"]["type"] == "app" and e["app"]["program"] == out + "/bin/vfioc",
      e["app"])
check("devShells.default: the package's inputs and the test tools",
      e["devShell"]["inputsFrom"] == ["vfioc-" + version]
      and {"python3-env", "nix", "libvirt", "libxml2-bin", "pciutils", "valgrind"} <= set(e["devShell"]["packages"]),
      e["devShell"])
c = e["checks"]
check("checks: the package and the suite", sorted(c) == ["package", "tests"], sorted(c))
if "tests" in c:
    t = c["tests"]
    check("checks.tests runs make test", t["doCheck"] is True and t["checkTarget"] == "test", t)
    check("checks.tests has the suite's tools",
          {"python3-env", "nix", "libvirt", "libxml2-bin"} <= set(t["nativeCheckInputs"]), t["nativeCheckInputs"])
check("overlays.default adds pkgs.vfioc", e["overlay"] == p, e["overlay"])
lc = e["libCheck"]
check("lib.check runs vfioc build --check on the config",
      "vfioc 'build' '--check' 'vfio/host.yaml' && touch $out" in lc["buildCommand"]
      and lc["buildCommand"].startswith("cd '/src'\n"), lc)
check("lib.check has vfioc on its path", lc["path"] == ["vfioc-" + version], lc["path"])
check("lib.check passes output and hardware",
      "'-o' 'out dir' '--hardware' 'hw.yaml'" in e["libCheckHw"], e["libCheckHw"])
PY
	echo "FAIL nix-package: checker crashed" >> "$TMP/check.out"
	report_lines "$TMP/check.out"
else
	fail "nix-package: package.nix and the flake's outputs evaluate"; head -5 "$TMP/err" >&2
fi

# The stub catches typos: a copy of the three files with one mistake each fails to evaluate.
typo() {
	rm -rf "$TMP/typo" && mkdir -p "$TMP/typo"
	cp "$top/package.nix" "$top/default.nix" "$top/flake.nix" "$top/Makefile" "$TMP/typo/"
	sed -i "$2" "$TMP/typo/$3"
	if cmp -s "$top/$3" "$TMP/typo/$3"; then fail "nix-package: typo '$1' applied"; return; fi
	if evalflake "$TMP/typo" > /dev/null 2>&1; then fail "nix-package: a typo fails: $1"
	else pass "nix-package: a typo fails: $1"; fi
}
# The copy itself evaluates, so each failure below is its typo's.
rm -rf "$TMP/typo" && mkdir -p "$TMP/typo"
cp "$top/package.nix" "$top/default.nix" "$top/flake.nix" "$top/Makefile" "$TMP/typo/"
expect "nix-package: a copy of the files evaluates" evalflake "$TMP/typo"
typo "nativeBuildInput" 's/nativeBuildInputs =/nativeBuildInput =/' package.nix
typo "an input pkgs lacks" 's/libyaml, pciutils/libyml, pciutils/' package.nix
typo "meta.mainprogram" 's/mainProgram =/mainprogram =/' package.nix
typo "devShells' mkShell attribute" 's/inputsFrom =/inputFrom =/' flake.nix
typo "overlays.default's function" 's/overlays.default = final: prev: {/overlays.default = final: {/' flake.nix

# The package's phases as the generic builder runs them: make, then make install, with its
# makeFlags and $out set (a separate BUILD, so this tree's build stays as it is).
if [ "$MODE" = plain ]; then
	flags=$(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["package"]["makeFlags"]))' \
		"$TMP/flake.json" 2> /dev/null)
	# shellcheck disable=SC2086
	if (cd "$top" && out=$TMP/inst make -s -j2 BUILD="$TMP/build" $flags > "$TMP/make.log" 2>&1 &&
		out=$TMP/inst make -s BUILD="$TMP/build" $flags install >> "$TMP/make.log" 2>&1); then
		pass "nix-package: make and make install with the package's makeFlags"
	else
		fail "nix-package: make and make install with the package's makeFlags"; tail -5 "$TMP/make.log" >&2
	fi
	expect "nix-package: \$out/bin/vfioc runs and has the package's version" \
		test "$("$TMP/inst/bin/vfioc" --version 2>&1)" = "vfioc $("$VFIOC" --version | sed 's/^vfioc //')"
	expect "nix-package: \$out has the JSON Schema" test -s "$TMP/inst/share/vfioc/vfioc.schema.json"
fi

# lib.check's command, run as runCommand would (plain sh, vfioc on PATH, src a directory).
W=$TMP/w
mkdir -p "$W/vfio"
cp -r "$top/examples/seed/host.yaml" "$top/examples/seed/hardware.yaml" "$top/examples/seed/generated" "$W/vfio/"
nix-instantiate --eval --strict --json --store dummy:// -E "
	let stub = import $TESTS_DIR/nix/stub-nixpkgs.nix { out = \"$TMP/pkg\"; };
	    flake = import $top/flake.nix;
	    self = flake.outputs { inherit self; nixpkgs = stub; };
	in (self.lib.check { pkgs = stub.pkgsFor \"x86_64-linux\"; src = \"$W\"; config = \"vfio/host.yaml\"; }).buildCommand" \
	> "$TMP/cmd.json" 2> "$TMP/err"
python3 -c 'import json,sys; print(json.load(open(sys.argv[1])))' "$TMP/cmd.json" > "$TMP/cmd.sh" 2>> "$TMP/err"
if (export out=$TMP/check-ok PATH="$TMP/pkg/bin:$PATH"; sh "$TMP/cmd.sh") > "$TMP/out" 2>&1 && [ -e "$TMP/check-ok" ]; then
	pass "nix-package: lib.check passes on current outputs"
else
	fail "nix-package: lib.check passes on current outputs"; cat "$TMP/err" "$TMP/out" >&2
fi
sed -i 's/^    memory: 16GiB/    memory: 8GiB/' "$W/vfio/host.yaml"
if (export out=$TMP/check-stale PATH="$TMP/pkg/bin:$PATH"; sh "$TMP/cmd.sh") > "$TMP/out" 2>&1 ||
	[ -e "$TMP/check-stale" ]; then
	fail "nix-package: lib.check fails on stale outputs"
elif grep -q 'win10.xml differs.*\[stale-output\]' "$TMP/out"; then
	pass "nix-package: lib.check fails on stale outputs, naming the file"
else
	fail "nix-package: lib.check fails on stale outputs, naming the file"; cat "$TMP/out" >&2
fi

# The README: the NixOS way first, then Debian's commands, unchanged: the first sh block is
# the two commands, and the second is what CI runs (.ci/run).
mkdir -p "$TMP/user"
python3 - "$top/README.md" "$top/.ci/run" "$TMP/user/flake.nix" > "$TMP/readme.out" 2>&1 <<'PY' || echo "FAIL nix-package: README checker crashed" >> "$TMP/readme.out"
import re, sys
text = open(sys.argv[1]).read()
ci = [l for l in open(sys.argv[2]).read().splitlines() if l and not l.startswith("#") and not l.startswith(("set ", "cd "))]
def check(name, cond, why=""):
    print(("ok nix-package: %s" % name) if cond else ("FAIL nix-package: %s: %r" % (name, why)))
nixos, debian = text.find("### On NixOS"), text.find("### On Debian")
check("README: the NixOS way before the Debian way", 0 < nixos < debian, (nixos, debian))
first = re.search(r"```sh\n(.*?)```", text, re.S)
cmds = [l for l in first.group(1).splitlines() if l and not l.startswith("#")] if first else []
check("README: the first sh block is Debian's two commands, after the NixOS section",
      first is not None and first.start() > debian and len(cmds) == 2, cmds)
check("README: its second command is what CI runs", cmds[1:] == ci, (cmds, ci))
nix = re.search(r"```nix\n(\{.*?)```", text, re.S)
with open(sys.argv[3], "w") as f:
    f.write(nix.group(1) if nix else "")
for n in ["nix run .# -- ", "imports = [ ./generated/vfio.nix ];", "vfioc.lib.check", 'inputs.vfioc.url = "path:']:
    check("README names %s" % n, n in text)
# Every line can be copied as it stands: no placeholder such as OWNER in a command.
check("README: no OWNER placeholder", "OWNER" not in text, re.findall(r".*OWNER.*", text))
PY
report_lines "$TMP/readme.out"
# The README's flake parses, and its checks.vfio is a lib.check derivation of this flake.
expect "nix-package: README's flake parses" nix-instantiate --parse "$TMP/user/flake.nix"
cp "$top/examples/seed/host.yaml" "$TMP/user/"
nix-instantiate --eval --strict --json --store dummy:// -E "
	let stub = import $TESTS_DIR/nix/stub-nixpkgs.nix { out = \"$TMP/pkg\"; };
	    vfioc = let self = (import $top/flake.nix).outputs { inherit self; nixpkgs = stub; }; in self;
	    user = (import $TMP/user/flake.nix).outputs {
	      self = user; vfioc = vfioc; nixpkgs = stub // { lib = stub.lib // { nixosSystem = a: a; }; };
	    };
	in user.checks.x86_64-linux.vfio.buildCommand" > "$TMP/user.json" 2> "$TMP/err"
if grep -q "vfioc 'build' '--check' 'host.yaml'" "$TMP/user.json"; then
	pass "nix-package: README's checks.vfio runs vfioc build --check"
else
	fail "nix-package: README's checks.vfio runs vfioc build --check"; cat "$TMP/err" "$TMP/user.json" >&2
fi
