# t-integrations: what docs/ci.md gives users, run on a dotfiles-like repository
# (hosts/desktop/ = the seed example). The GitHub Actions workflow parses, and its check
# step passes on current outputs, fails with annotations on stale ones and on a config
# error; the hooks of .pre-commit-hooks.yaml run under pre-commit itself.
. ./lib.sh
[ "$MODE" = valgrind ] && exit 0   # vfioc runs under valgrind in t-build already

repo=$TMP/dotfiles
mkdir -p "$repo/hosts/desktop" "$TMP/bin"
cp ../examples/seed/host.yaml ../examples/seed/hardware.yaml "$repo/hosts/desktop/"
ln -s "$VFIOC" "$TMP/bin/vfioc"
(cd "$repo" && "$VFIOC" build hosts/desktop/host.yaml) > "$TMP/out" 2>&1
expect "dotfiles: vfioc build writes hosts/desktop/generated" test -f "$repo/hosts/desktop/generated/vfio.nix"

# The workflow: the yaml block of docs/ci.md that has "jobs:".
python3 - ../docs/ci.md "$TMP/steps" > "$TMP/wf" 2>&1 <<'PY'
import re, sys, yaml
text = open(sys.argv[1]).read()
blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "jobs:" in b]
try:
    wf = yaml.safe_load(blocks[0])
    on = wf[True] if True in wf else wf["on"]   # YAML 1.1 reads the key on as true
    assert "push" in on and "pull_request" in on, "runs on push and pull_request"
    steps = [s for j in wf["jobs"].values() for s in j["steps"]]
    assert steps[0]["uses"].startswith("actions/checkout@"), "checks the repository out first"
    runs = [s["run"] for s in steps if "vfioc build --check" in s.get("run", "")]
    assert len(runs) == 1 and "--format github" in runs[0], "one vfioc build --check --format github step"
    open(sys.argv[2], "w").write(runs[0] + "\n")
    print("ok workflow: parses, checkout first, a build --check --format github step")
except Exception as e:
    print(f"FAIL workflow: {e!r}")
PY
report_lines "$TMP/wf"
# The step's command line, with the vfioc it builds replaced by the one under test.
step=$(sed 's|^[^ ]*vfioc build|vfioc build|' "$TMP/steps")
run_step() { (cd "$repo" && PATH="$TMP/bin:$PATH" sh -c "$step") > "$TMP/out" 2> "$TMP/err"; echo $?; }
expect "workflow step: passes on current outputs" test "$(run_step)" = 0
expect "workflow step: ... no annotation" test ! -s "$TMP/err"
echo "# edited by hand" >> "$repo/hosts/desktop/generated/vfio.nix"
expect "workflow step: fails on a stale output" test "$(run_step)" = 1
expect "workflow step: ... an ::error annotation naming the file" \
	grep -q '^::error title=vfioc stale-output::hosts/desktop/generated/vfio.nix differs' "$TMP/err"
expect "workflow step: ... and what to run" \
	grep -q "hint: run 'vfioc build hosts/desktop/host.yaml -o hosts/desktop/generated' and commit" "$TMP/err"
(cd "$repo" && "$VFIOC" build hosts/desktop/host.yaml) > /dev/null 2>&1
sed -i 's/^version: 1/version: 2/' "$repo/hosts/desktop/host.yaml"
expect "workflow step: fails on a config error" test "$(run_step)" = 1
expect "workflow step: ... annotated on the config's line" \
	grep -q '^::error file=hosts/desktop/host.yaml,line=5,col=10,title=vfioc bad-version::' "$TMP/err"
sed -i 's/^version: 2/version: 1/' "$repo/hosts/desktop/host.yaml"

# Every command of docs/ci.md can be copied as it stands: no OWNER placeholder.
expect "docs/ci.md: no OWNER placeholder" sh -c "! grep -n OWNER ../docs/ci.md"

# pre-commit: the hooks file from a repository of its own, as users reference vfioc's.
if ! command -v pre-commit > /dev/null; then fail "pre-commit not installed (tests/install-deps.sh)"; exit 0; fi
g() { d=$1; shift; git -C "$d" -c user.name=t -c user.email=t@t -c commit.gpgsign=false "$@"; }
hooks=$TMP/hookrepo
mkdir -p "$hooks" && cp ../.pre-commit-hooks.yaml "$hooks/"
g "$hooks" init -q && g "$hooks" add . && g "$hooks" commit -qm hooks
cat > "$repo/.pre-commit-config.yaml" <<CFG
repos:
  - repo: $hooks
    rev: $(g "$hooks" rev-parse HEAD)
    hooks:
      - id: vfioc-check
        args: [hosts/desktop/host.yaml]
      - id: vfioc-build-check
        args: [--no-escape-hatches, hosts/desktop/host.yaml]
CFG
g "$repo" init -q && g "$repo" add . && g "$repo" commit -qm dotfiles
precommit() {
	(cd "$repo" && PATH="$TMP/bin:$PATH" PRE_COMMIT_HOME="$TMP/pc" pre-commit run --all-files) \
		> "$TMP/pc.out" 2>&1
	echo $?
}
expect "pre-commit: both hooks pass on a clean repository" test "$(precommit)" = 0
expect "pre-commit: ... vfioc check ran and passed" grep -q '^vfioc check\.*Passed' "$TMP/pc.out"
expect "pre-commit: ... vfioc build --check ran and passed" grep -q '^vfioc build --check\.*Passed' "$TMP/pc.out"
echo "# edited by hand" >> "$repo/hosts/desktop/generated/kernel-cmdline"
expect "pre-commit: a stale output fails" test "$(precommit)" = 1
expect "pre-commit: ... vfioc build --check failed, check passed" sh -c \
	"grep -q '^vfioc build --check\.*Failed' '$TMP/pc.out' && grep -q '^vfioc check\.*Passed' '$TMP/pc.out'"
expect "pre-commit: ... the stale file named" grep -q 'generated/kernel-cmdline differs' "$TMP/pc.out"
g "$repo" checkout -q -- hosts/desktop/generated
sed -i 's/^version: 1/version: 2/' "$repo/hosts/desktop/host.yaml"
expect "pre-commit: a config error fails vfioc check" test "$(precommit)" = 1
expect "pre-commit: ... with the diagnostic" \
	grep -q 'hosts/desktop/host.yaml:5:10: error: .*\[bad-version\]' "$TMP/pc.out"
