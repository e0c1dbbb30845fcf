/* hook_scripts.c: the libvirt hook scripts. libvirt runs every script of
 * /var/lib/libvirt/hooks/qemu.d for every domain as `SCRIPT DOMAIN OPERATION SUB-OPERATION`
 * ("prepare begin" before QEMU starts, "release end" after it is gone), with a minimal
 * environment; a non-zero exit of "prepare begin" stops the start. DOMAIN is the domain's
 * name, libvirt's own argument (no virsh lookup reads it as an ID or a UUID), so the scripts
 * match on it; they never run virsh, which libvirt's hooks.html forbids (libvirtd waits for
 * the script: a deadlock). t-hooks checks that. VFIOC_HOOK_ROOT, unset on a real host, lets the tests run
 * a script against a test root (its sys/ and run/ under a temporary directory). */
#include <stdlib.h>
#include <string.h>

#include "backends/hook_scripts.h"

bool hooks_single_gpu_wanted(const struct plan *p)
{
	for (size_t i = 0; i < p->nvms; i++)
		if (p->vms[i].single_gpu)
			return true;
	return false;
}

bool hooks_isolation_wanted(const struct plan *p)
{
	return p->nisolate_running > 0 && p->nhost_cpus > 0;
}

/* Modules that hold a GPU so that libvirt cannot detach it: NVIDIA's stack, which it does
 * not unbind; amdgpu, radeon, nouveau and i915 let go when libvirt unbinds the device. */
static const char *holding_modules(const struct plan_vm *vm)
{
	for (size_t i = 0; i < vm->ndevs; i++)
		if (vm->devs[i].host_driver && !strcmp(vm->devs[i].host_driver, "nvidia"))
			return "nvidia_drm nvidia_modeset nvidia_uvm nvidia";
	return "";
}

static const char single_gpu_body[] =
	"root=$VFIOC_HOOK_ROOT\n"
	"state=$root/run/vfioc/single-gpu-$vm\n"
	"\n"
	"release_gpu() {\n"
	"\tmkdir -p \"$state\"\n"
	"\tsystemctl stop display-manager.service\n"
	"\t# The consoles and the firmware framebuffer hold the GPU: unbind what is bound.\n"
	"\t: > \"$state/vtcon\"\n"
	"\tfor c in \"$root\"/sys/class/vtconsole/vtcon*; do\n"
	"\t\t[ -f \"$c/bind\" ] && [ \"$(cat \"$c/bind\")\" = 1 ] || continue\n"
	"\t\techo 0 > \"$c/bind\"\n"
	"\t\tbasename \"$c\" >> \"$state/vtcon\"\n"
	"\tdone\n"
	"\t: > \"$state/fb\"\n"
	"\tfor drv in efi-framebuffer simple-framebuffer vesa-framebuffer; do\n"
	"\t\tfor dev in \"$root/sys/bus/platform/drivers/$drv\"/$drv.*; do\n"
	"\t\t\t[ -e \"$dev\" ] || continue\n"
	"\t\t\tbasename \"$dev\" > \"$root/sys/bus/platform/drivers/$drv/unbind\"\n"
	"\t\t\techo \"$drv $(basename \"$dev\")\" >> \"$state/fb\"\n"
	"\t\tdone\n"
	"\tdone\n"
	"\tfor m in $modules; do\n"
	"\t\tmodprobe -r \"$m\" || { echo \"vfioc: cannot unload $m: it still holds the GPU\" >&2; return 1; }\n"
	"\tdone\n"
	"}\n"
	"\n"
	"give_back_gpu() {\n"
	"\tfor m in $modules; do modprobe \"$m\" || true; done\n"
	"\tif [ -f \"$state/fb\" ]; then\n"
	"\t\twhile read -r drv dev; do\n"
	"\t\t\techo \"$dev\" > \"$root/sys/bus/platform/drivers/$drv/bind\" || true\n"
	"\t\tdone < \"$state/fb\"\n"
	"\tfi\n"
	"\tif [ -f \"$state/vtcon\" ]; then\n"
	"\t\twhile read -r c; do\n"
	"\t\t\techo 1 > \"$root/sys/class/vtconsole/$c/bind\" || true\n"
	"\t\tdone < \"$state/vtcon\"\n"
	"\tfi\n"
	"\trm -rf \"$state\"\n"
	"\tsystemctl start display-manager.service\n"
	"}\n"
	"\n"
	"case $op in\n"
	"prepare/begin) release_gpu || { give_back_gpu; exit 1; } ;;\n"
	"release/end) give_back_gpu ;;\n"
	"esac\n";

void hooks_single_gpu(const struct plan *p, struct buf *sh)
{
	buf_puts(sh, "# Single-GPU passthrough: hand the host's GPU to the VM when it starts and take it\n"
		     "# back when it stops.\n"
		     "vm=$1\nop=$2/$3\ncase $vm in\n");
	for (size_t i = 0; i < p->nvms; i++)
		if (p->vms[i].single_gpu)
			buf_printf(sh, "%s) modules=\"%s\" ;;\n", p->vms[i].name,
				   holding_modules(&p->vms[i]));
	buf_puts(sh, "*) exit 0 ;;\nesac\n");
	buf_puts(sh, single_gpu_body);
}

static void cpus(struct buf *b, const unsigned *c, size_t n)
{
	struct cpulist l = { (unsigned *)c, n };
	cpulist_fmt(&l, b);
}

void hooks_isolation(const struct plan *p, struct buf *sh)
{
	unsigned *kept = xmalloc(p->nhost_cpus * sizeof(*kept));
	size_t nkept = 0;
	for (size_t i = 0; i < p->nhost_cpus; i++) {
		bool taken = false;
		for (size_t k = 0; k < p->nisolate_running && !taken; k++)
			taken = p->isolate_running[k] == p->host_cpus[i];
		if (!taken)
			kept[nkept++] = p->host_cpus[i];
	}
	buf_puts(sh, "# host.isolate-cpus-while-running: the host's services keep CPUs ");
	cpus(sh, kept, nkept);
	buf_puts(sh, " while a VM runs,\n# and get all of them back when the last one stops.\n"
		     "root=$VFIOC_HOOK_ROOT\nvm=$1\nop=$2/$3\ncase $vm in\n");
	for (size_t i = 0; i < p->nvms; i++)
		buf_printf(sh, "%s) ;;\n", p->vms[i].name);
	buf_puts(sh, "*) exit 0 ;;\nesac\ncase $op in\nprepare/begin) allowed=");
	cpus(sh, kept, nkept);
	buf_puts(sh, " ;;\nrelease/end)\n"
		     "\t# Another VM still running (its pid file) keeps the isolation.\n"
		     "\tfor pid in \"$root\"/run/libvirt/qemu/*.pid; do\n"
		     "\t\t[ -e \"$pid\" ] && [ \"$(basename \"$pid\")\" != \"$vm.pid\" ] && exit 0\n"
		     "\tdone\n\tallowed=");
	cpus(sh, p->host_cpus, p->nhost_cpus);
	buf_puts(sh, " ;;\n*) exit 0 ;;\nesac\n"
		     "for unit in system.slice user.slice init.scope; do\n"
		     "\tsystemctl set-property --runtime -- \"$unit\" \"AllowedCPUs=$allowed\"\n"
		     "done\n");
	free(kept);
}
