/* tools/verify/media.c: the files each VM starts from are on the booted host, or `virsh
 * start` fails: its disk images and block devices, its ISOs, and the firmware the generated
 * domain names (NixOS up to 25.05: OVMF under /run/libvirt/nix-ovmf, which a host running a
 * later release does not have). Looked up in the live host, or inside a test root. */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "backends/backend.h"
#include "model/media.h"
#include "tools/verify/verify.h"

static bool there(const struct verify_in *in, const char *path)
{
	enum hw_file f = hw_host_file(in->live, path);
	return f == HW_FILE_REGULAR || f == HW_FILE_BLOCK || f == HW_FILE_UNKNOWN;
}

/* The VM's disks and ISOs; returns how many are there. */
static size_t disks(const struct verify_in *in, const struct plan_vm *vm, struct facts *out)
{
	size_t ok = 0;
	for (size_t i = 0; i < vm->ndisks; i++) {
		const struct plan_disk *d = &vm->disks[i];
		if (!d->path)   /* an empty CD-ROM drive */
			continue;
		if (there(in, d->path)) {
			ok++;
			continue;
		}
		struct buf h = {0};
		if (d->cdrom)
			media_iso_hint(&h, d->path);
		else
			media_disk_hint(&h, disk_format_name(d->format), d->path);
		struct fact *f = fact_add(out, FACT_FAIL, "media", "%s %s of VM '%s' is not on this "
					  "host: virsh start fails", d->cdrom ? "ISO" : "disk", d->path,
					  vm->name);
		fact_about(f, d->path, d->cdrom ? "an ISO" : "a disk image or block device", NULL);
		fact_hint(f, "%s", buf_str(&h));
		buf_free(&h);
	}
	return ok;
}

/* The firmware files the generated domain names (none where libvirt picks the firmware). */
static size_t firmware(const struct verify_in *in, const struct plan_vm *vm, xmlDocPtr doc,
		       struct facts *out)
{
	static const char *const xpath = "/domain/os/loader | /domain/os/nvram/@template";
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr r = ctx ? xmlXPathEvalExpression((const xmlChar *)xpath, ctx) : NULL;
	size_t n = r && r->nodesetval ? (size_t)r->nodesetval->nodeNr : 0, ok = 0;
	for (size_t i = 0; i < n; i++) {
		xmlChar *path = xmlNodeGetContent(r->nodesetval->nodeTab[i]);
		if (path && there(in, (const char *)path)) {
			ok++;
		} else if (path) {
			struct fact *f = fact_add(out, FACT_FAIL, "firmware", "firmware %s of VM '%s' "
						  "is not on this host: virsh start fails",
						  (const char *)path, vm->name);
			fact_about(f, (const char *)path, "an OVMF image", NULL);
			if (in->plan->family == FAMILY_NIXOS)
				fact_hint(f, "NixOS %s links OVMF there when libvirtd starts; from 25.11 it "
					  "ships none there and libvirt picks QEMU's firmware: is "
					  "target.nixos the release this host runs? Then 'systemctl "
					  "restart libvirtd'", nixos_release_name(in->plan->nixos));
		}
		xmlFree(path);
	}
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	return ok;
}

void verify_media(const struct verify_in *in, struct facts *out)
{
	const struct plan *p = in->plan;
	struct out_set set = {0};
	char *err = NULL;
	if (p->nvms && backends_run(p, &set, &err) != 0) {
		fact_add(out, FACT_FAIL, "media", "the domains could not be generated: %s", err);
		p = &(const struct plan){0};
	}
	for (size_t v = 0; v < p->nvms; v++) {
		const struct plan_vm *vm = &p->vms[v];
		size_t before = out->n, ok = disks(in, vm, out);
		char *file = xasprintf("domains/%s.xml", vm->name);
		const struct out_file *gen = out_set_find(&set, file);
		xmlDocPtr doc = gen ? xmlReadMemory(buf_str(&gen->data), (int)gen->data.len, file,
						    NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
						    XML_PARSE_NOWARNING) : NULL;
		if (doc)
			ok += firmware(in, vm, doc, out);
		xmlFreeDoc(doc);
		free(file);
		if (out->n == before && ok)
			fact_about(fact_add(out, FACT_OK, "media", "the %zu file%s VM '%s' starts from (disks, ISOs, "
				 "firmware) %s on this host", ok, ok == 1 ? "" : "s", vm->name,
				 ok == 1 ? "is" : "are"), vm->name, NULL, NULL);
	}
	free(err);
	out_set_free(&set);
}
