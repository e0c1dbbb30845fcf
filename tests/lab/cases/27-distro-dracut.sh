# 27-distro-dracut: boot-time binding through Debian's real dracut, from
# the files vfioc build wrote and vfioc apply installed (tests/lab/distro.sh says what is
# checked; 26-distro-initramfs-tools does the same with initramfs-tools, side by side).
. "$LAB_DIR/distro.sh"
if [ ! -s "$snap" ]; then
	fail "distro: needs the Intel machine's snapshot from 10-layouts-intel"
	exit 0
fi
# Generic targets (target: family:) are what this case builds; a vfioc without them skips it.
if ! "$VFIOC" schema --format json | grep -q '"family"'; then
	echo "27-distro-dracut: skipped: this vfioc has no generic targets (target: family:)" >&2
	exit 0
fi
for tool in dracut unshare; do
	command -v "$tool" > /dev/null || { fail "distro: needs $tool (tests/install-deps.sh)"; exit 0; }
done
distro_case dracut
