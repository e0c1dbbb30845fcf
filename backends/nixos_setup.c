/* nixos_setup.c: the parts of vfio.nix for the setups around passthrough that published
 * configurations need: boot.blacklistedKernelModules, qemu.conf (verbatimConfig), Looking
 * Glass on kvmfr, Scream's receiver, the libvirt hooks (schema/config/key_rules.c) and host.nixos-extra. Each
 * is a separate definition after vfioc's core ones, so it adds to them and never clashes. */
#include <stdlib.h>
#include <string.h>

#include "backends/emit.h"
#include "backends/hook_scripts.h"
#include "backends/hostconf.h"
#include "backends/nixos_setup.h"
#include "base/sha256.h"

static void emit_blacklist(struct buf *b, const struct plan *p)
{
	if (!p->blacklist_drivers.n)
		return;
	buf_puts(b, "\n  # host.blacklist-drivers: never loaded (no device the host keeps needs them).\n"
		    "  boot.blacklistedKernelModules = [");
	for (size_t i = 0; i < p->blacklist_drivers.n; i++) {
		buf_putc(b, ' ');
		nix_str(b, p->blacklist_drivers.v[i]);
	}
	buf_puts(b, " ];\n");
}

bool nixos_qemu_user_in_verbatim(const struct plan *p)
{
	return !p->run_as_root && (p->qemu_user || p->qemu_group);
}

/* qemu.conf. NixOS's own verbatimConfig is `namespaces = []`; a definition replaces it, so
 * that line stays unless namespaces are wanted. user and group: both (hostconf.c). */
static void emit_qemu_conf(struct buf *b, const struct plan *p)
{
	if (!hostconf_qemu_conf_wanted(p))
		return;
	struct buf conf = {0};
	hostconf_qemu_conf(&conf, p, false);
	buf_puts(b, "\n  # host.libvirt.qemu-config (qemu.conf); cgroup_device_acl is libvirt's default list\n"
		    "  # plus the devices QEMU must open.\n"
		    "  virtualisation.libvirtd.qemu.verbatimConfig = ");
	nix_lines(b, buf_str(&conf), "  ");
	buf_puts(b, ";\n");
	buf_free(&conf);
}

/* Looking Glass through kvmfr: the module with one static device per VM, readable by the
 * user (udev) and by QEMU (its group kvm, and the cgroup ACL in qemu.conf). */
static void emit_kvmfr(struct buf *b, const struct plan *p)
{
	if (!p->nkvmfr)
		return;
	struct buf sizes = {0}, rule = {0};
	hostconf_kvmfr_sizes(&sizes, p);
	hostconf_kvmfr_rule(&rule, p);
	buf_puts(b, "\n  # Looking Glass through the kvmfr module: one static device per VM that uses it,\n");
	if (p->nkvmfr == 1)
		buf_printf(b, "  # /dev/kvmfr0 of %s MiB.\n", buf_str(&sizes));
	else
		buf_printf(b, "  # /dev/kvmfr0 to /dev/kvmfr%zu in config order, of %s MiB.\n", p->nkvmfr - 1,
			   buf_str(&sizes));
	buf_printf(b, "  boot.extraModulePackages = [ config.boot.kernelPackages.kvmfr ];\n"
		      "  boot.kernelModules = [ \"kvmfr\" ];\n"
		      "  environment.etc.\"modprobe.d/kvmfr.conf\".text = \"options kvmfr static_size_mb=%s\\n\";\n"
		      "  services.udev.extraRules = ", buf_str(&sizes));
	nix_lines(b, buf_str(&rule), "  ");
	buf_puts(b, ";\n");
	buf_free(&rule);
	buf_free(&sizes);
}

/* Scream: the shared memory file, and the receiver as a user service of the first user. */
static void emit_scream(struct buf *b, const struct plan *p)
{
	for (size_t i = 0; i < p->nvms; i++) {
		const struct plan_vm *vm = &p->vms[i];
		if (vm->audio != AUDIO_SCREAM)
			continue;
		/* VM names are plain words (emit_vm_name_ok), so they need no quoting here. */
		buf_printf(b, "\n  # Scream audio of VM %s: its IVSHMEM file, played by a user service.\n"
			      "  systemd.tmpfiles.settings.vfioc-scream.\"/dev/shm/scream-ivshmem-%s\".f = {\n"
			      "    user = ", vm->name, vm->name);
		nix_str(b, hostconf_first_user(p));
		buf_printf(b, ";\n    group = \"%s\";\n    mode = \"0660\";\n  };\n", hostconf_qemu_group(p));
		/* systemd.user.services start for every user who logs in: ConditionUser= keeps
		 * it to the one the file is shared with. The file is empty until QEMU sizes it
		 * at VM start, and scream fails on an empty file (crash-looping until systemd
		 * gave up): ExecStartPre waits for its size, with no start timeout. */
		buf_printf(b, "  # The receiver: only for %s (the file's user), and only once QEMU has\n"
			      "  # sized the file at the VM's start; until then it waits, not crash-loops.\n"
			      "  systemd.user.services.\"scream-%s\" = {\n"
			      "    description = \"Scream audio receiver for VM %s\";\n"
			      "    wantedBy = [ \"graphical-session.target\" ];\n"
			      "    partOf = [ \"graphical-session.target\" ];\n"
			      "    unitConfig.ConditionUser = ", hostconf_first_user(p), vm->name, vm->name);
		nix_str(b, hostconf_first_user(p));
		buf_printf(b, ";\n"
			      "    serviceConfig.ExecStartPre = \"${pkgs.runtimeShell} -c 'until [ -s /dev/shm/scream-ivshmem-%s ]; do ${pkgs.coreutils}/bin/sleep 2; done'\";\n"
			      "    serviceConfig.TimeoutStartSec = \"infinity\";\n"
			      "    serviceConfig.ExecStart = \"${pkgs.scream}/bin/scream -m /dev/shm/scream-ivshmem-%s\";\n"
			      "    serviceConfig.Restart = \"always\";\n"
			      "    serviceConfig.RestartSec = 2;\n  };\n", vm->name, vm->name);
	}
}

static void emit_hook(struct buf *b, const char *name, const char *comment, const struct buf *sh)
{
	buf_printf(b, "\n  # %s\n  virtualisation.libvirtd.hooks.qemu.%s = pkgs.writeShellScript \"%s\" (''\n"
		      "    PATH=$PATH:${lib.makeBinPath [ pkgs.coreutils pkgs.kmod pkgs.systemd ]}\n  '' + ",
		   comment, name, name);
	nix_lines(b, sh->s, "  ");
	buf_puts(b, ");\n");
}

/* libvirt looks for hook scripts when libvirtd starts and again on SIGHUP (src/util/
 * virhook.c: virHookCall re-runs virHookInitialize on the daemon's reload; src/remote/
 * remote_daemon.c: SIGHUP is that reload; libvirtd.service's ExecReload sends it). NixOS
 * links the hooks in libvirtd-config.service, a oneshot that a switch does not run again,
 * and never restarts libvirtd on a switch (restartIfChanged = false; nixos/modules/
 * virtualisation/libvirtd.nix). So a switch that adds or changes a hook would leave it
 * unseen until a reboot: this unit, restarted by the switch whenever the hooks change
 * (restartTriggers), links them again and reloads libvirtd; running VMs are untouched. */
static void emit_hooks_reload(struct buf *b, const struct sha256 *scripts)
{
	struct sha256 h = *scripts;
	uint8_t sum[SHA256_LEN];
	sha256_done(&h, sum);
	buf_puts(b, "\n  # libvirtd reads which hooks exist at its start and on reload, and NixOS neither\n"
		    "  # restarts it on a switch nor links new hooks then: this unit, restarted by\n"
		    "  # nixos-rebuild switch when the hooks change (their digest below), links them\n"
		    "  # and reloads libvirtd (SIGHUP; running VMs are untouched). By hand, run:\n"
		    "  # systemctl start libvirtd-config.service; systemctl reload libvirtd.service.\n"
		    "  systemd.services.vfioc-libvirt-hooks = {\n"
		    "    description = \"Make libvirtd see vfioc's hook scripts\";\n"
		    "    after = [ \"libvirtd.service\" ];\n"
		    "    wantedBy = [ \"multi-user.target\" ];\n"
		    "    restartTriggers = [ \"hooks-sha256-");
	for (size_t i = 0; i < SHA256_LEN; i++)
		buf_printf(b, "%02x", sum[i]);
	buf_puts(b, "\" ];\n"
		    "    path = [ pkgs.systemd ];\n"
		    "    serviceConfig.Type = \"oneshot\";\n"
		    "    serviceConfig.RemainAfterExit = true;\n"
		    "    script = ''\n"
		    "      systemctl start libvirtd-config.service\n"
		    "      if systemctl is-active --quiet libvirtd.service; then\n"
		    "        systemctl reload libvirtd.service\n"
		    "      fi\n"
		    "    '';\n  };\n");
}

static void emit_hooks(struct buf *b, const struct plan *p)
{
	if (!p->libvirt_enable)
		return;
	struct sha256 scripts;
	sha256_init(&scripts);
	if (hooks_single_gpu_wanted(p)) {
		struct buf sh = {0};
		hooks_single_gpu(p, &sh);
		emit_hook(b, "vfioc-single-gpu", "Single-GPU passthrough (vms.<name>.single-gpu).", &sh);
		sha256_add(&scripts, sh.s, sh.len);
		buf_free(&sh);
	}
	if (hooks_isolation_wanted(p)) {
		struct buf sh = {0};
		hooks_isolation(p, &sh);
		emit_hook(b, "vfioc-isolate-cpus", "host.isolate-cpus-while-running.", &sh);
		sha256_add(&scripts, "\0", 1);
		sha256_add(&scripts, sh.s, sh.len);
		buf_free(&sh);
	}
	if (hooks_single_gpu_wanted(p) || hooks_isolation_wanted(p))
		emit_hooks_reload(b, &scripts);
}

static void nix_value(struct buf *b, const struct cfg_nixval *v)
{
	switch (v->kind) {
	case NIX_STR: nix_str(b, v->str); break;
	case NIX_BOOL: buf_puts(b, v->b ? "true" : "false"); break;
	case NIX_INT:   /* in a list, "true -3" would be a subtraction */
		buf_printf(b, v->i < 0 ? "(%lld)" : "%lld", (long long)v->i);
		break;
	case NIX_LIST:
		buf_puts(b, "[");
		for (size_t i = 0; i < v->nitems; i++) {
			buf_putc(b, ' ');
			nix_value(b, &v->items[i]);
		}
		buf_puts(b, " ]");
		break;
	}
}

/* host.nixos-extra, as a module of its own: NixOS then merges it with this one (and names
 * it in its errors by _file), and nothing here can clash with vfioc's own definitions. */
static void emit_extra(struct buf *b, const struct plan *p)
{
	if (!p->nnixos_extra)
		return;
	buf_puts(b, "\n  # host.nixos-extra: written as given; vfioc does not check these options.\n"
		    "  imports = [\n    {\n      _file = \"host.nixos-extra\";\n      config = {\n");
	for (size_t i = 0; i < p->nnixos_extra; i++) {
		const struct plan_nixattr *a = &p->nixos_extra[i];
		buf_puts(b, "        ");
		for (size_t k = 0; k < a->npath; k++) {
			if (k)
				buf_putc(b, '.');
			nix_attr(b, a->path[k]);
		}
		buf_puts(b, " = ");
		nix_value(b, &a->value);
		buf_puts(b, ";\n");
	}
	buf_puts(b, "      };\n    }\n  ];\n");
}

void nixos_emit_setup(struct buf *b, const struct plan *p)
{
	emit_blacklist(b, p);
	emit_qemu_conf(b, p);
	emit_kvmfr(b, p);
	emit_scream(b, p);
	emit_hooks(b, p);
	emit_extra(b, p);
}
