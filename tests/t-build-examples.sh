# t-build-examples: every example under examples/ is kept current (`vfioc build --check`), its
# domains pass libvirt's validators (virt-xml-validate and build --validate), and its
# vfio.nix parses and evaluates with Nix under both initrds (tests/nix/eval.nix), setting
# only options of its release, with kernel-cmdline equal to boot.kernelParams.
. ./lib.sh

ex=$TESTS_DIR/../examples
NL='
'
# name, NixOS release, driver-override binding, kernel before 6.2[, anything bound at boot]
table="seed 25.05 false false
seed-25.11 25.11 false false
win11-gaming 26.05 false false
twin-gpu 24.11 true true
amd-usb-controller 25.11 false false
headless-server 25.11 true false
single-gpu 26.05 false false false"

# Hosts other than NixOS: name, family, initramfs generator, boot loader.
generic="arch-systemd-boot arch mkinitcpio systemd-boot
fedora-grub fedora dracut grub
ubuntu-grub debian initramfs-tools grub"

for d in "$ex"/*/; do
	n=$(basename "$d")
	if echo "$table$NL$generic" | grep -q "^$n "; then pass "examples: $n is tested"
	else fail "examples: $n is tested (add it to t-build-examples.sh)"; fi
done

for tool in nix-instantiate virt-xml-validate python3; do
	command -v $tool > /dev/null || fail "examples: $tool is installed"
done

echo "$table" | while read -r n rel override old boot; do
	e=$ex/$n
	expect "examples: $n has a README" test -s "$e/README.md"
	vfioc build --check "$e/host.yaml" > "$TMP/out" 2> "$TMP/err"
	if [ $? -eq 0 ]; then pass "examples: $n/generated is current"; else
		fail "examples: $n/generated is current (run: ./vfioc build examples/$n/host.yaml)"
		head -20 "$TMP/err" >&2
	fi
	for f in "$e"/generated/domains/*.xml; do
		expect "examples: $n/$(basename "$f") passes virt-xml-validate" \
			virt-xml-validate "$f" domain
	done
	expect "examples: $n passes build --validate" vfioc build --validate "$e/host.yaml" -o "$TMP/v-$n"
	expect "examples: $n/vfio.nix parses" nix-instantiate --parse "$e/generated/vfio.nix"
	printf '{"release": "%s", "override": %s, "oldKernel": %s, "bootBound": %s}\n' "$rel" \
		"$override" "$old" "${boot:-true}" \
		> "$TMP/expect.json"
	# The kernel the system boots: target.kernel's series (the module decides vfio_virqfd by it).
	kver=6.12.10
	[ "$old" = true ] && kver=6.1.119
	for sd in false true; do
		if ! nix-instantiate --eval --strict --json --store dummy:// nix/eval.nix \
			--arg module "$e/generated/vfio.nix" --argstr release "$rel" --argstr kernelVersion $kver \
			--arg systemdInitrd $sd > "$TMP/eval.json" 2> "$TMP/eval.err"; then
			fail "examples: $n/vfio.nix evaluates (systemd initrd $sd)"
			head -5 "$TMP/eval.err" >&2
			continue
		fi
		pass "examples: $n/vfio.nix evaluates (systemd initrd $sd)"
		python3 nix/check_eval.py "$TMP/eval.json" "$TMP/expect.json" \
			"$e/generated/kernel-cmdline" "examples: $n (systemd initrd $sd)" $sd \
			> "$TMP/check.out" 2>&1 || echo "FAIL examples: $n: check_eval.py crashed" >> "$TMP/check.out"
		report_lines "$TMP/check.out"
	done
done

# softdep takes kernel module names: the Turing card of win11-gaming has the drivers
# nvidia-gpu and xhci_hcd, whose modules are i2c_nvidia_gpu and xhci_pci.
nix=$ex/win11-gaming/generated/vfio.nix
sd=$(sed -n 's/^ *softdep \([^ ]*\) pre: vfio-pci$/\1/p' "$nix" | tr '\n' ' ')
if [ "$sd" = "i2c_nvidia_gpu i915 nvidia snd_hda_intel xhci_pci " ]; then
	pass "examples: win11-gaming softdeps are module names"
else
	fail "examples: win11-gaming softdeps are module names (got '$sd')"
fi
for drv in nvidia-gpu xhci_hcd; do
	if grep -q "softdep $drv " "$ex"/*/generated/vfio.nix; then
		fail "examples: no softdep names the driver $drv"
	else
		pass "examples: no softdep names the driver $drv"
	fi
done

# The generic hosts: current, valid domains (firmware auto-selection), no vfio.nix, and
# root.apply names exactly the files of root/, each of which parses as its format's shell.
echo "$generic" | while read -r n fam gen boot; do
	e=$ex/$n
	g=$e/generated
	expect "examples: $n has a README" test -s "$e/README.md"
	if vfioc build --check "$e/host.yaml" > "$TMP/out" 2> "$TMP/err"; then
		pass "examples: $n/generated is current"
	else
		fail "examples: $n/generated is current (run: ./vfioc build examples/$n/host.yaml)"
		head -20 "$TMP/err" >&2
	fi
	expect "examples: $n passes build --validate" vfioc build --validate "$e/host.yaml" -o "$TMP/v-$n"
	for f in "$g"/domains/*.xml; do
		expect "examples: $n/$(basename "$f") passes virt-xml-validate" \
			virt-xml-validate "$f" domain
		has "examples: $n/$(basename "$f") lets libvirt pick the firmware" '<os firmware="efi">' "$f"
	done
	expect "examples: $n has no vfio.nix" test ! -e "$g/vfio.nix"
	has "examples: $n/root.apply names the target" "^target $fam $gen $boot\$" "$g/root.apply"
	sed -n 's/^file \([^ ]*\) [0-7]*$/\1/p' "$g/root.apply" | sort > "$TMP/listed"
	(cd "$g/root" && find . -type f | sed 's|^\./||' | sort) > "$TMP/present"
	same "examples: $n/root.apply lists every file of root/" "$TMP/listed" "$TMP/present"
	for f in $(cat "$TMP/present"); do
		case $f in
		etc/mkinitcpio.conf.d/*|etc/dracut.conf.d/*|etc/default/grub.d/*)
			expect "examples: $n/root/$f parses as bash" bash -n "$g/root/$f" ;;
		etc/initramfs-tools/hooks/*|etc/libvirt/hooks/*)
			expect "examples: $n/root/$f parses as sh" sh -n "$g/root/$f"
			has "examples: $n/root/$f is installed executable" "^file $f 0755\$" "$g/root.apply" ;;
		esac
	done
done
