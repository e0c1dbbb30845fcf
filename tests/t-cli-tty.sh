# t-cli-tty: what vfioc prints only on a terminal, run on a pseudo-terminal (pty_run.py):
# colour (severity words, codes, ✓/✗, verdicts), never when piped, NO_COLOR and
# --color=auto|always|never; the summary line check and build end with; and that the same
# commands piped print none of it, so goldens and scripts see plain text.
. ./lib.sh
. ./hwroots.sh
[ "$MODE" = valgrind ] && exit 0   # terminal behaviour; t-golden runs the same paths
ESC=$(printf '\033')
# The environment the tests start from: a terminal type that takes colour, no NO_COLOR and no
# COLUMNS, whatever the caller's (CI may set TERM=dumb or NO_COLOR); tests set them where
# they are the subject.
unset COLUMNS NO_COLOR
export TERM=xterm
# tty OUT ARGS...: vfioc ARGS on a terminal ($COLS wide, 300 unless set); what the terminal
# shows into OUT.
tty() { out=$1; shift; python3 ./pty_run.py --cols "${COLS:-300}" -- "$VFIOC" "$@" > "$out"; }

# Colour on a terminal: the severity word and the code in the severity's colour.
tty "$TMP/err.tty" check golden/err/bad-version.yaml
has "tty: error: in bold red" "${ESC}\[1;31merror:${ESC}\[m" "$TMP/err.tty"
has "tty: the code in the error's colour" "${ESC}\[1;31m\[bad-version\]${ESC}\[m" "$TMP/err.tty"
has "tty: the caret coloured" "${ESC}\[1;32m *\^" "$TMP/err.tty"
tty "$TMP/warn.tty" check golden/check/boot-gpu.yaml --root "$(hwroot amd-chipset)"
has "tty: warning: in bold magenta" "${ESC}\[1;35mwarning:${ESC}\[m" "$TMP/warn.tty"
has "tty: hint: in green" "${ESC}\[1;32mhint:${ESC}\[m" "$TMP/warn.tty"
# Piped: the same bytes the goldens hold, no escape at all.
vfioc check golden/err/bad-version.yaml > /dev/null 2> "$TMP/err.pipe"
lacks "piped: no colour" "$ESC" "$TMP/err.pipe"
same "piped: the golden's bytes" golden/err/bad-version.stderr "$TMP/err.pipe"
# NO_COLOR: any value but the empty one turns it off; an empty one does not.
NO_COLOR=1 tty "$TMP/nc.tty" check golden/err/bad-version.yaml
lacks "NO_COLOR=1: no colour on a terminal" "$ESC\[1" "$TMP/nc.tty"
has "NO_COLOR=1: the message is there" "error: .*\[bad-version\]" "$TMP/nc.tty"
NO_COLOR= tty "$TMP/nc0.tty" check golden/err/bad-version.yaml
has "NO_COLOR empty: colour" "${ESC}\[1;31merror:" "$TMP/nc0.tty"
TERM=dumb tty "$TMP/dumb.tty" check golden/err/bad-version.yaml
lacks "TERM=dumb: no colour" "$ESC\[1;31m" "$TMP/dumb.tty"
# --color: always wins over a pipe and over NO_COLOR; never wins over a terminal.
NO_COLOR=1 vfioc check --color=always golden/err/bad-version.yaml 2> "$TMP/always" > /dev/null
has "--color=always: colour when piped, NO_COLOR set" "${ESC}\[1;31merror:" "$TMP/always"
tty "$TMP/never.tty" check --color never golden/err/bad-version.yaml
lacks "--color never: none on a terminal" "$ESC\[1" "$TMP/never.tty"
tty "$TMP/auto.tty" check --color=auto golden/err/bad-version.yaml
has "--color=auto: colour on a terminal" "${ESC}\[1;31merror:" "$TMP/auto.tty"
rc_is "--color with another word is a usage error" 2 vfioc check --color=sometimes golden/err/bad-version.yaml
has "... which names the words" "^vfioc check: --color is auto, always or never, not 'sometimes'" "$TMP/rc.err"
# apply's diagnostics take --color as the other commands' do.
mkdir -p "$TMP/empty-root"
vfioc apply --undo --root "$TMP/empty-root" --color=always > /dev/null 2> "$TMP/apply-always"
has "apply --color=always: colour when piped" "${ESC}\[1;31merror:.*apply-nothing" "$TMP/apply-always"
tty "$TMP/apply-never.tty" apply --undo --root "$TMP/empty-root" --color never
lacks "apply --color never: none on a terminal" "$ESC\[1" "$TMP/apply-never.tty"
has "apply --color never: the message is there" "error: nothing to undo" "$TMP/apply-never.tty"
# JSON and GitHub annotations never get colour, even asked for.
vfioc check --color=always --format json golden/err/bad-version.yaml 2> "$TMP/json" > /dev/null
lacks "--format json: no colour" "$ESC" "$TMP/json"

# The summary line: on a terminal only, after the diagnostics, saying what was checked.
seed=../examples/seed/host.yaml
tty "$TMP/sum.tty" check --color=never $seed
set -- $(python3 -c 'import sys, yaml; c = yaml.safe_load(open(sys.argv[1]))
print(len(c["vms"]), sum(len(v.get("pci", [])) for v in c["vms"].values()))' $seed)
has "summary: the VMs and devices of the config" "^vfioc: checked $1 VMs? passing $2 devices? against ../examples/seed/hardware.yaml \([0-9]+ PCI devices\): no errors or warnings$" "$TMP/sum.tty"
vfioc check $seed > "$TMP/sum.out" 2> "$TMP/sum.err"
expect "summary: none when piped" test ! -s "$TMP/sum.err"
tty "$TMP/sum-err.tty" check --color=never golden/err/bad-version.yaml
has "summary: the count of errors" "^vfioc: read golden/err/bad-version.yaml: 1 error$" "$TMP/sum-err.tty"
tty "$TMP/sum-warn.tty" check --color=never golden/check/boot-gpu.yaml --root "$(hwroot amd-chipset)"
has "summary: warnings counted" "^vfioc: checked 1 VM passing 2 devices against .*: 1 warning$" "$TMP/sum-warn.tty"
tty "$TMP/json.tty" check --format json golden/err/bad-version.yaml
lacks "summary: none with --format json" "^vfioc: read" "$TMP/json.tty"

# build: what was written, then that it is up to date; --check: what is stale, as a diff.
W=$TMP/w
tty "$TMP/b1.tty" build --color=never $seed -o "$W"
files=$(find "$W" -type f ! -name .vfioc-lock | wc -l)
has "build summary: what was written" "^vfioc: checked .*, wrote $files of $files files in $W: no errors or warnings$" "$TMP/b1.tty"
tty "$TMP/b2.tty" build --color=never $seed -o "$W"
has "build summary: up to date" "^vfioc: checked .*, $W is up to date \($files files\)" "$TMP/b2.tty"
echo '# edited' >> "$W/kernel-cmdline"
tty "$TMP/b3.tty" build --color=never --check $seed -o "$W"
has "build --check: the diff of the stale file" "^-# edited$" "$TMP/b3.tty"
has "build --check summary: what is stale" "^vfioc: checked .*, 1 of the $files files in $W are stale: 1 error$" "$TMP/b3.tty"
tty "$TMP/b4.tty" build --check $seed -o "$W"
has "build --check on a terminal: removed lines red" "^${ESC}\[1;31m-# edited${ESC}\[m$" "$TMP/b4.tty"
has "build --check on a terminal: hunk headers cyan" "^${ESC}\[1;36m@@ " "$TMP/b4.tty"
vfioc build --check $seed -o "$W" > "$TMP/b3.out" 2> "$TMP/b3.err"
lacks "build --check piped: the diff without colour" "$ESC" "$TMP/b3.out"
lacks "build --check piped: no summary" "^vfioc: checked" "$TMP/b3.err"
has "build --check piped: the diff on stdout" "^-# edited$" "$TMP/b3.out"

# groups on a terminal: coloured verdicts and marks; at COLUMNS=60 every line fits, device
# names end in an ellipsis, and every address of the piped listing is still there, whole.
hw=../examples/seed/hardware.yaml
vfioc groups --hardware $hw > "$TMP/g.pipe"
lacks "groups piped: no colour" "$ESC" "$TMP/g.pipe"
tty "$TMP/g.tty" groups --hardware $hw
has "groups tty: never in red" "^ {16}${ESC}\[1;31mnever: a bridge" "$TMP/g.tty"
has "groups tty: can be passed alone in green" "${ESC}\[32mcan be passed alone" "$TMP/g.tty"
has "groups tty: the boot GPU mark coloured" "${ESC}\[1;35m\[boot GPU\]${ESC}\[m" "$TMP/g.tty"
sed "s/${ESC}\[[0-9;]*m//g" "$TMP/g.tty" > "$TMP/g.tty.plain"
same "groups tty, wide enough: the piped text once colour is taken out" "$TMP/g.pipe" "$TMP/g.tty.plain"
COLUMNS=60 tty "$TMP/g60.tty" groups --hardware $hw --color=never
expect "groups COLUMNS=60: no line over 60 columns" python3 -c '
import sys
long = [l for l in open(sys.argv[1], encoding="utf-8").read().split("\n") if len(l) > 60]
assert not long, long' "$TMP/g60.tty"
expect "groups COLUMNS=60: a control, the piped listing has longer lines" python3 -c '
import sys
assert any(len(l) > 60 for l in open(sys.argv[1], encoding="utf-8").read().split("\n"))' "$TMP/g.pipe"
has "groups COLUMNS=60: names cut with an ellipsis" "…$" "$TMP/g60.tty"
grep -o '^  [0-9a-f]\{4\}:[0-9a-f]\{2\}:[0-9a-f]\{2\}\.[0-7]  ' "$TMP/g.pipe" > "$TMP/addr.pipe"
grep -o '^  [0-9a-f]\{4\}:[0-9a-f]\{2\}:[0-9a-f]\{2\}\.[0-7]  ' "$TMP/g60.tty" > "$TMP/addr.60"
same "groups COLUMNS=60: every address whole, in order" "$TMP/addr.pipe" "$TMP/addr.60"
has "groups COLUMNS=60: the IDs and driver on their own line" '^                \[1002:67b0\]  driver: radeon$' "$TMP/g60.tty"
COLS=60 tty "$TMP/w60.tty" groups --hardware $hw --color=never
same "groups: the terminal's own width (TIOCGWINSZ) when COLUMNS is unset" "$TMP/g60.tty" "$TMP/w60.tty"
COLUMNS=60 vfioc groups --hardware $hw > "$TMP/g60.pipe"
same "groups COLUMNS=60 piped: whole lines" "$TMP/g.pipe" "$TMP/g60.pipe"
