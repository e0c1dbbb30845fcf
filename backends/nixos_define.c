/* nixos_define.c: vfio.nix's vfioc-define-domains service, which defines the generated
 * domains in libvirt and undefines those of VMs that left the config. Every domain it acts
 * on is named to virsh by its UUID: virsh reads a domain argument as an ID first, then as a
 * UUID, and only then as a name (libvirt tools/virsh-util.c, virshLookupDomainInternal
 * behind virshCommandOptDomain), so `virsh undefine 1` reaches the running domain with ID 1,
 * whatever domain is called "1". */
#include "backends/emit.h"
#include "backends/nixos_define.h"

/* fate UUID NAME, a shell function: what the config makes of a domain this service defined
 * and libvirt lists as NAME. "kept": the config has it as it is. "moved": the config has a
 * VM of that UUID under another name (a renamed VM whose uuid is set), or one of that name
 * with another UUID (its uuid changed): libvirt refuses to define it over the old domain
 * (src/conf/virdomainobjlist.c, virDomainObjListAddLocked: "already defined with uuid",
 * "already exists with uuid"), so the old one is undefined first, its state kept.
 * "removed": the VM left the config. libvirt refuses '/' in a domain name ("name %s cannot
 * contain '/'"; t-nix-define asserts it of Debian's libvirt) and a UUID has none, so
 * "UUID/NAME" splits one way only. */
static void emit_fate(struct buf *b, const struct plan *p)
{
	buf_puts(b, "      # fate UUID NAME, of a domain this service defined: kept, moved (the config has\n"
		    "      # it under another name or UUID) or removed (the config has it no more).\n"
		    "      fate() {\n"
		    "        case \"$1/$2\" in\n");
	char uuid[EMIT_UUID_STRLEN];
	for (size_t i = 0; i < p->nvms; i++) {
		emit_uuid(uuid, p->vms[i].uuid);
		buf_printf(b, "        \"%s/%s\") echo kept ;;\n", uuid, p->vms[i].name);
	}
	for (size_t i = 0; i < p->nvms; i++) {
		emit_uuid(uuid, p->vms[i].uuid);
		buf_printf(b, "        \"%s/\"* | */%s) echo moved ;;\n", uuid, p->vms[i].name);
	}
	buf_puts(b, "        *) echo removed ;;\n"
		    "        esac\n"
		    "      }\n");
}

/* The domains this service defined before, as UUIDs in "$state.was". The service used to
 * keep names (defined-domains): each becomes the UUID libvirt lists with exactly that name,
 * compared as text, so a name that reads as an ID or a UUID is never handed to virsh. The
 * UUIDs go to a file of another name (defined-uuids), which an older vfio.nix ignores. */
static const char was_script[] =
	"        # Every domain of libvirt, \"UUID NAME\" a line (virsh list prints the UUID\n"
	"        # first: tools/virsh-domain-monitor.c, cmdList).\n"
	"        domains=$(virsh list --all --uuid --name)\n"
	"        # The UUIDs it defined; a state kept before by name, as the UUID listed with\n"
	"        # exactly that name (virsh reads a name that looks like an ID as an ID).\n"
	"        {\n"
	"          if [ -f \"$state\" ]; then cat \"$state\"; fi\n"
	"          if [ -f \"$old\" ]; then\n"
	"            while read -r name; do\n"
	"              printf '%s\\n' \"$domains\" | while read -r u n; do\n"
	"                if [ \"$n\" = \"$name\" ]; then echo \"$u\"; fi\n"
	"              done\n"
	"            done < \"$old\"\n"
	"          fi\n"
	"        } | sort -u > \"$state.was\"\n";

/* The script: undefine what left the config, then define and set autostart for each VM.
 * It only defines, sets autostart and undefines: libvirtd is never restarted (NixOS's
 * libvirtd unit has restartIfChanged = false) and a running guest keeps running (virsh
 * define changes its next start; an undefined running guest becomes transient until it
 * stops). The UUIDs it defined are kept in its state directory, so a VM that left the
 * config is undefined, and only such a VM. */
static void emit_script(struct buf *b, const struct plan *p)
{
	buf_puts(b, "      state=\"$STATE_DIRECTORY/defined-uuids\"\n"
		    "      old=\"$STATE_DIRECTORY/defined-domains\"\n");
	emit_fate(b, p);
	buf_puts(b, "      : > \"$state.new\"\n"
		    "      if [ -f \"$state\" ] || [ -f \"$old\" ]; then\n");
	buf_puts(b, was_script);
	buf_printf(b, "        while read -r uuid; do\n"
		   "          name=$(printf '%%s\\n' \"$domains\" | while read -r u n; do\n"
		   "            if [ \"$u\" = \"$uuid\" ]; then echo \"$n\"; fi\n"
		   "          done)\n"
		   "          # Already gone (undefined by hand): nothing to do.\n"
		   "          if [ -z \"$name\" ]; then continue; fi\n"
		   "          case $(fate \"$uuid\" \"$name\") in\n"
		   "          moved) how=\"--keep-nvram --keep-tpm\" ;;\n"
		   "          removed) how=\"%s\" ;;\n"
		   "          *) continue ;;\n"
		   "          esac\n"
		   "          # Kept in the list when it fails, to be tried again.\n"
		   "          virsh undefine $how \"$uuid\" || echo \"$uuid\" >> \"$state.new\"\n"
		   "        done < \"$state.was\"\n"
		   "        rm \"$state.was\"\n"
		   "      fi\n",
		   p->delete_removed_state ? "--nvram --tpm" : "--keep-nvram --keep-tpm");
	/* Written directly: the ${./...} interpolations are meant, and nixos_emit checked the
	 * VM names against SC_NAME (strrules.def), so they are plain path and shell words. */
	char uuid[EMIT_UUID_STRLEN];
	for (size_t i = 0; i < p->nvms; i++) {
		const struct plan_vm *vm = &p->vms[i];
		emit_uuid(uuid, vm->uuid);
		buf_printf(b, "      virsh define ${./domains/%s.xml}\n", vm->name);
		buf_printf(b, "      virsh autostart %s%s\n", vm->autostart ? "" : "--disable ", uuid);
		buf_printf(b, "      echo %s >> \"$state.new\"\n", uuid);
	}
	buf_puts(b, "      mv \"$state.new\" \"$state\"\n"
		    "      rm -f \"$old\"\n");
}

void nixos_emit_define(struct buf *b, const struct plan *p)
{
	if (!p->define_domains || !p->libvirt_enable)
		return;
	buf_putc(b, '\n');
	emit_comment(b, "  # ", p->delete_removed_state
		? "Defines the domains in domains/ (next to this file) in libvirt, at boot and "
		  "whenever they change, and undefines those of VMs removed from the config, deleting "
		  "their NVRAM and TPM state. A switch never restarts libvirtd or a running guest: a "
		  "changed domain applies at the guest's next start. virsh is given UUIDs: it reads "
		  "a domain argument as an ID, then a UUID, then a name."
		: "Defines the domains in domains/ (next to this file) in libvirt, at boot and "
		  "whenever they change, and undefines those of VMs removed from the config, keeping "
		  "their NVRAM and TPM state. A switch never restarts libvirtd or a running guest: a "
		  "changed domain applies at the guest's next start. virsh is given UUIDs: it reads "
		  "a domain argument as an ID, then a UUID, then a name.");
	buf_puts(b, "  systemd.services.vfioc-define-domains = {\n"
		    "    description = \"Define the libvirt domains generated by vfioc\";\n"
		    "    after = [ \"libvirtd.service\" ];\n"
		    "    requires = [ \"libvirtd.service\" ];\n"
		    "    wantedBy = [ \"multi-user.target\" ];\n"
		    "    path = [ config.virtualisation.libvirtd.package ];\n"
		    "    serviceConfig.Type = \"oneshot\";\n"
		    "    serviceConfig.RemainAfterExit = true;\n"
		    "    serviceConfig.StateDirectory = \"vfioc\";\n"
		    "    script = ''\n");
	emit_script(b, p);
	buf_puts(b, "    '';\n  };\n");
}
