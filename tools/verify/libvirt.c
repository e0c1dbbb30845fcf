/* tools/verify/libvirt.c: each VM's domain as libvirt has it defined (`virsh -c URI dumpxml
 * --inactive UUID`) against the domain vfioc generates for it, in what vfioc decides:
 * devices, memory, CPUs and firmware. What libvirt adds (controllers, guest addresses,
 * aliases, defaults) is not compared; each facet is a list of values read the same way from
 * both documents. Then each libvirt network the VMs use (`virsh net-info`): defined and
 * active, or `virsh start` fails ("network 'default' is not active"). libvirt out of reach
 * is a skipped fact, not a failure. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "backends/backend.h"
#include "backends/emit.h"
#include "tools/verify/verify.h"

#define VIRSH_MAX_OUTPUT (16u << 20)
#define VIRSH_TIMEOUT_MS 60000

/* ---- running virsh ---- */

struct run {
	int status;         /* exit status; -1: killed or not started */
	int err;            /* errno of a failed start (ENOENT: no virsh) */
	struct buf out, errs;
};

static void run_free(struct run *r)
{
	buf_free(&r->out);
	buf_free(&r->errs);
}

/* Run argv (found on PATH) with both outputs captured; no shell. */
static void run_cmd(char *const argv[], struct run *r)
{
	*r = (struct run){ .status = -1 };
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, px[2] = { -1, -1 };
	if (pipe(po) || pipe(pe) || pipe(px)) {
		r->err = errno;
		for (int i = 0; i < 2; i++) {
			if (po[i] >= 0)
				close(po[i]);
			if (pe[i] >= 0)
				close(pe[i]);
			if (px[i] >= 0)
				close(px[i]);
		}
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(po[0]);
		close(pe[0]);
		close(px[0]);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execvp(argv[0], argv);
		int e = errno;
		if (write(px[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	close(px[1]);
	if (pid < 0) {
		r->err = errno;
		close(po[0]);
		close(pe[0]);
		close(px[0]);
		return;
	}
	int e;
	if (read(px[0], &e, sizeof(e)) == (ssize_t)sizeof(e))  /* closed on exec: no data */
		r->err = e;
	close(px[0]);
	struct pollfd fds[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
	int open_fds = 2;
	bool killed = false;
	while (open_fds) {
		int n = poll(fds, 2, VIRSH_TIMEOUT_MS);
		if (n <= 0 && !(n < 0 && errno == EINTR)) {
			kill(pid, SIGKILL);
			killed = true;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			char chunk[4096];
			ssize_t got = read(fds[i].fd, chunk, sizeof(chunk));
			struct buf *b = i ? &r->errs : &r->out;
			if (got > 0 && b->len < VIRSH_MAX_OUTPUT) {
				buf_add(b, chunk, (size_t)got);
			} else if (got <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				open_fds--;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!killed && !r->err && WIFEXITED(st))
		r->status = WEXITSTATUS(st);
}

/* The first line of virsh's complaint, for a fact. */
static const char *first_line(struct run *r, struct arena *a)
{
	const char *s = buf_str(&r->errs);
	while (*s == '\n' || *s == ' ')
		s++;
	size_t n = strcspn(s, "\n");
	if (!n)
		return "no message";
	return arena_strndup(a, s, n > 200 ? 200 : n);  /* escaped where printed (escape.h) */
}

/* ---- reading the facets of a domain ---- */

static void trimmed(const char *s, struct buf *out)
{
	while (*s == ' ' || *s == '\n' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t'))
		n--;
	buf_add(out, s, n);
}

static void text_value(xmlNodePtr n, struct buf *out)
{
	xmlChar *c = xmlNodeGetContent(n);
	trimmed(c ? (const char *)c : "", out);
	xmlFree(c);
}

static unsigned long long attr_num(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	unsigned long long x = v ? strtoull((const char *)v, NULL, 0) : 0;
	xmlFree(v);
	return x;
}

/* libvirt's memory units, as multiples of a KiB (bytes counted apart). */
static void kib_value(xmlNodePtr n, struct buf *out)
{
	static const struct { const char *unit; unsigned long long num, den; } units[] = {
		{ "b", 1, 1024 }, { "bytes", 1, 1024 }, { "KB", 1000, 1024 }, { "k", 1, 1 },
		{ "KiB", 1, 1 }, { "MB", 1000000, 1024 }, { "M", 1024, 1 }, { "MiB", 1024, 1 },
		{ "GB", 1000000000, 1024 }, { "G", 1 << 20, 1 }, { "GiB", 1 << 20, 1 },
		{ "T", 1ull << 30, 1 }, { "TiB", 1ull << 30, 1 },
	};
	xmlChar *c = xmlNodeGetContent(n), *u = xmlGetProp(n, (const xmlChar *)"unit");
	unsigned long long v = c ? strtoull((const char *)c, NULL, 10) : 0, num = 1, den = 1;
	for (size_t i = 0; u && i < ARRAY_LEN(units); i++)
		if (!strcmp((const char *)u, units[i].unit)) {
			num = units[i].num;
			den = units[i].den;
		}
	buf_printf(out, "%llu KiB", v * num / den);
	xmlFree(c);
	xmlFree(u);
}

static void attrs(xmlNodePtr n, struct buf *out, const char *const *names)
{
	for (size_t i = 0; names[i]; i++) {
		xmlChar *v = xmlGetProp(n, (const xmlChar *)names[i]);
		buf_printf(out, "%s%s=%s", i ? " " : "", names[i], v ? (const char *)v : "-");
		xmlFree(v);
	}
}

static void topology_value(xmlNodePtr n, struct buf *out)
{
	static const char *const names[] = { "sockets", "cores", "threads", NULL };
	attrs(n, out, names);
}

static void vcpupin_value(xmlNodePtr n, struct buf *out)
{
	static const char *const names[] = { "vcpu", "cpuset", NULL };
	attrs(n, out, names);
}

static void cpuset_value(xmlNodePtr n, struct buf *out)
{
	static const char *const names[] = { "cpuset", NULL };
	attrs(n, out, names);
}

static void page_value(xmlNodePtr n, struct buf *out)
{
	xmlChar *s = xmlGetProp(n, (const xmlChar *)"size");
	xmlChar *u = xmlGetProp(n, (const xmlChar *)"unit");
	buf_printf(out, "%s %s", s ? (const char *)s : "-", u ? (const char *)u : "KiB");
	xmlFree(s);
	xmlFree(u);
}

static void feature_value(xmlNodePtr n, struct buf *out)
{
	static const char *const names[] = { "name", "enabled", NULL };
	attrs(n, out, names);
}

static void loader_value(xmlNodePtr n, struct buf *out)
{
	static const char *const names[] = { "type", "secure", NULL };
	text_value(n, out);
	buf_putc(out, ' ');
	attrs(n, out, names);
}

static void pci_value(xmlNodePtr n, struct buf *out)
{
	buf_printf(out, "%04llx:%02llx:%02llx.%llx", attr_num(n, "domain"), attr_num(n, "bus"),
		   attr_num(n, "slot"), attr_num(n, "function"));
}

static void usb_value(xmlNodePtr n, struct buf *out)
{
	unsigned long long v = 0, p = 0;
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)c->name, "vendor"))
			v = attr_num(c, "id");
		else if (!strcmp((const char *)c->name, "product"))
			p = attr_num(c, "id");
	}
	buf_printf(out, "%04llx:%04llx", v, p);
}

struct facet {
	const char *name;
	const char *xpath;
	void (*value)(xmlNodePtr n, struct buf *out);
	bool generated_only;   /* compared only where vfioc writes it (libvirt may fill it in) */
};

/* What vfioc decides: devices, memory, CPUs, firmware. */
static const struct facet facets[] = {
	{ "memory", "/domain/memory", kib_value, false },
	{ "hugepages", "/domain/memoryBacking/hugepages/page", page_value, false },
	{ "vCPUs", "/domain/vcpu", text_value, false },
	{ "CPU topology", "/domain/cpu/topology", topology_value, false },
	{ "vCPU pinning", "/domain/cputune/vcpupin", vcpupin_value, false },
	{ "emulator pinning", "/domain/cputune/emulatorpin", cpuset_value, false },
	{ "firmware", "/domain/os/@firmware", text_value, false },
	{ "firmware features", "/domain/os/firmware/feature", feature_value, true },
	{ "firmware loader", "/domain/os/loader", loader_value, true },
	{ "PCI devices", "/domain/devices/hostdev[@type='pci']/source/address", pci_value, false },
	{ "USB devices", "/domain/devices/hostdev[@type='usb']/source", usb_value, false },
	{ "evdev inputs", "/domain/devices/input[@type='evdev']/source/@dev", text_value, false },
	{ "disks", "/domain/devices/disk/source/@file | /domain/devices/disk/source/@dev",
	  text_value, false },
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The facet's values in doc, sorted and joined with ", " ("none" when there are none). */
static size_t facet_values(xmlDocPtr doc, const struct facet *f, struct buf *out)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr r = ctx ? xmlXPathEvalExpression((const xmlChar *)f->xpath, ctx) : NULL;
	size_t n = r && r->nodesetval ? (size_t)r->nodesetval->nodeNr : 0;
	char **v = xcalloc(n, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		struct buf b = {0};
		f->value(r->nodesetval->nodeTab[i], &b);
		v[i] = b.s ? b.s : xstrdup("");
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < n; i++) {
		buf_printf(out, "%s%s", i ? ", " : "", v[i]);
		free(v[i]);
	}
	if (!n)
		buf_puts(out, "none");
	free(v);
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	return n;
}

/* Differences of defined against generated, "memory: libvirt 8388608 KiB, vfioc ...". */
static size_t compare(xmlDocPtr gen, xmlDocPtr def, struct buf *diffs)
{
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_LEN(facets); i++) {
		struct buf g = {0}, d = {0};
		size_t ng = facet_values(gen, &facets[i], &g);
		facet_values(def, &facets[i], &d);
		if ((ng || !facets[i].generated_only) && strcmp(buf_str(&g), buf_str(&d))) {
			buf_printf(diffs, "%s%s: libvirt has %s, vfioc %s", n ? "; " : "",
				   facets[i].name, buf_str(&d), buf_str(&g));
			n++;
		}
		buf_free(&g);
		buf_free(&d);
	}
	return n;
}

static xmlDocPtr parse(const struct buf *b, const char *name)
{
	return xmlReadMemory(buf_str(b), (int)b->len, name, NULL,
			     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* Where virsh comes from on the target. */
static const char *virsh_package(enum family f)
{
	switch (f) {
	case FAMILY_ARCH: return "on Arch it comes with the libvirt package";
	case FAMILY_DEBIAN: return "on Debian and Ubuntu it is in libvirt-clients";
	case FAMILY_FEDORA: return "on Fedora it is in libvirt-client";
	default: break;
	}
	return "on NixOS it comes with virtualisation.libvirtd.enable; on Debian in libvirt-clients";
}

/* ---- which domain ---- */

/* The UUID of the domain doc describes, or "" (arena). */
static const char *doc_uuid(xmlDocPtr doc, struct arena *a)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr r = ctx ? xmlXPathEvalExpression((const xmlChar *)"string(/domain/uuid)",
							   ctx) : NULL;
	struct buf b = {0};
	trimmed(r && r->stringval ? (const char *)r->stringval : "", &b);
	const char *u = arena_strdup(a, buf_str(&b));
	buf_free(&b);
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(ctx);
	return u;
}

/* The UUID libvirt lists for the domain called exactly name, or NULL: `virsh list --all
 * --uuid --name` prints "UUID NAME" a line (tools/virsh-domain-monitor.c, cmdList), and
 * the name is compared here as text, never handed to virsh's lookup. */
static const char *listed_uuid(const struct verify_in *in, const char *name, struct arena *a)
{
	char *argv[] = { "virsh", "-c", (char *)in->uri, "list", "--all", "--uuid", "--name", NULL };
	struct run r;
	run_cmd(argv, &r);
	const char *found = NULL;
	for (const char *l = buf_str(&r.out); r.status == 0 && *l && !found;) {
		size_t n = strcspn(l, "\n"), u = strcspn(l, " \n");
		if (u < n && n - u - 1 == strlen(name) && !strncmp(l + u + 1, name, n - u - 1))
			found = arena_strndup(a, l, u);
		l += n + (l[n] == '\n');
	}
	run_free(&r);
	return found;
}

/* The domain is not in libvirt under its UUID: why, with what to do. */
static void not_defined(const struct verify_in *in, const struct plan_vm *vm, const char *uuid,
			const char *file, const char *why, struct facts *out, struct arena *a)
{
	const char *other = listed_uuid(in, vm->name, a);
	struct fact *f;
	if (other) {
		f = fact_add(out, FACT_FAIL, "domain", "domain '%s' is not defined in libvirt (%s) "
			     "with its UUID %s: libvirt's domain '%s' has UUID %s", vm->name, in->uri,
			     uuid, vm->name, other);
		fact_about(f, vm->name, uuid, other);
		fact_hint(f, "that domain was not defined from %s (made by hand, or the VM's uuid "
			  "changed): undefine it (virsh -c %s undefine --keep-nvram --keep-tpm %s) and "
			  "define %s, or keep it with vms.%s.uuid: %s and run vfioc build", file, in->uri,
			  other, file, vm->name, other);
		return;
	}
	f = fact_add(out, FACT_FAIL, "domain", "domain '%s' is not defined in libvirt (%s): %s",
		     vm->name, in->uri, why);
	fact_about(f, vm->name, file, NULL);
	if (in->plan->define_domains)
		fact_hint(f, "vfio.nix defines it at boot: see 'journalctl -u "
			  "vfioc-define-domains' (or define it: virsh -c %s define %s)", in->uri, file);
	else
		fact_hint(f, "host.libvirt.define-domains is false: define it yourself with "
			  "'virsh -c %s define %s'", in->uri, file);
}

/* ---- the facts ---- */

static void domain(const struct verify_in *in, const struct plan_vm *vm,
		   const struct out_set *set, struct facts *out, struct arena *a)
{
	char *file = xasprintf("domains/%s.xml", vm->name);
	const struct out_file *gen = out_set_find(set, file);
	/* By UUID: virsh reads an argument as an ID, then a UUID, then a name (libvirt
	 * tools/virsh-util.c, virshLookupDomainInternal), and the UUID is the domain's own.
	 * What it answers must be that UUID: with none such, virsh tries it as a name. */
	char uuid[EMIT_UUID_STRLEN];
	emit_uuid(uuid, vm->uuid);
	char *argv[] = { "virsh", "-c", (char *)in->uri, "dumpxml", "--inactive", uuid, NULL };
	struct run r;
	run_cmd(argv, &r);
	xmlDocPtr g = gen ? parse(&gen->data, file) : NULL;
	xmlDocPtr d = r.status == 0 ? parse(&r.out, "virsh dumpxml") : NULL;
	const char *got = d ? doc_uuid(d, a) : "";
	if (r.status != 0) {
		not_defined(in, vm, uuid, file, first_line(&r, a), out, a);
	} else if (d && strcasecmp(got, uuid)) {
		not_defined(in, vm, uuid, file, arena_printf(a, "virsh answered for UUID %s with a "
							     "domain of UUID '%s'", uuid, got),
			    out, a);
	} else if (!g || !d) {
		fact_about(fact_add(out, FACT_FAIL, "domain", "domain '%s': %s is not XML", vm->name,
				    g ? "what virsh dumpxml printed" : file), vm->name, file, NULL);
	} else {
		struct buf diffs = {0};
		if (!compare(g, d, &diffs)) {
			fact_about(fact_add(out, FACT_OK, "domain", "domain '%s' is defined in libvirt as %s "
					    "has it (devices, memory, CPUs, firmware)", vm->name, file),
				   vm->name, file, file);
		} else {
			struct fact *f = fact_add(out, FACT_FAIL, "domain", "domain '%s' in libvirt differs "
						  "from %s: %s", vm->name, file, buf_str(&diffs));
			fact_about(f, vm->name, file, buf_str(&diffs));
			fact_hint(f, "it was changed in libvirt (virt-manager, virsh edit) or defined from "
				  "an older build: run 'vfioc build', then 'virsh define %s' (or reboot: "
				  "vfio.nix defines it at boot)", file);
		}
		buf_free(&diffs);
	}
	xmlFreeDoc(g);
	xmlFreeDoc(d);
	run_free(&r);
	free(file);
}

/* ---- the networks the VMs use ---- */

/* "yes" when `virsh net-info` printed "KEY: yes". */
static bool info_yes(const char *info, const char *key)
{
	const char *p = strstr(info, key);
	if (!p)
		return false;
	p += strlen(key);
	p += strspn(p, " \t");
	return !strncmp(p, "yes", 3);
}

/* The fix for a network that is not running or not autostarted: virsh once (the autostart
 * mark is libvirt's state, kept across reboots, on NixOS too), or NixOS declaratively. */
static void net_fix_hints(struct fact *f, const struct plan *p, const char *name, bool autostart)
{
	if (autostart)
		fact_hint(f, "sudo virsh net-start %s shows why it does not start", name);
	else
		fact_hint(f, "once: sudo virsh net-autostart %s && sudo virsh net-start %s", name,
			  name);
	if (p->family == FAMILY_NIXOS && !autostart)
		fact_hint(f, "or in configuration.nix: systemd.services.virsh-net-%s = { after = "
			  "[ \"libvirtd.service\" ]; requires = [ \"libvirtd.service\" ]; wantedBy = "
			  "[ \"multi-user.target\" ]; serviceConfig.Type = \"oneshot\"; script = "
			  "\"${pkgs.libvirt}/bin/virsh net-start %s || true\"; };", name, name);
}

static void network(const struct verify_in *in, const struct plan_vm *vm, struct facts *out,
		    struct arena *a)
{
	const char *name = vm->net_name ? vm->net_name : "default";
	char *argv[] = { "virsh", "-c", (char *)in->uri, "net-info", (char *)name, NULL };
	struct run r;
	run_cmd(argv, &r);
	const char *info = buf_str(&r.out);
	bool active = info_yes(info, "Active:"), autostart = info_yes(info, "Autostart:");
	if (r.status != 0) {
		struct fact *f = fact_add(out, FACT_FAIL, "network", "libvirt network '%s' of VM '%s' "
					  "is not defined: virsh start fails: %s", name, vm->name,
					  first_line(&r, a));
		fact_about(f, name, "defined, active", "not defined");
		fact_hint(f, "define it (sudo virsh net-define FILE.xml; libvirt's own NAT network "
			  "is networks/default.xml in its package), then: sudo virsh net-autostart "
			  "%s && sudo virsh net-start %s", name, name);
	} else if (active) {
		/* Autostart off is fine when a unit starts it at boot (the NixOS way above): what
		 * virsh start needs is the network running. */
		fact_about(fact_add(out, FACT_OK, "network", "libvirt network '%s' of VM '%s' is "
				    "active%s", name, vm->name, autostart ? " and starts at boot"
				    : " (autostart off: it was started by hand or by a unit)"),
			   name, "active", "active");
	} else {
		struct fact *f = fact_add(out, FACT_FAIL, "network", "libvirt network '%s' of VM '%s' "
					  "is not active%s: virsh start fails", name, vm->name,
					  autostart ? "" : " and does not start at boot");
		fact_about(f, name, "active", autostart ? "inactive" : "inactive, autostart off");
		net_fix_hints(f, in->plan, name, autostart);
	}
	run_free(&r);
}

/* Each network once, for the first VM that uses it. */
static void networks(const struct verify_in *in, struct facts *out, struct arena *a)
{
	const struct plan *p = in->plan;
	for (size_t i = 0; i < p->nvms; i++) {
		const struct plan_vm *vm = &p->vms[i];
		bool seen = vm->net_kind != NET_NETWORK;
		for (size_t k = 0; k < i && !seen; k++)
			seen = p->vms[k].net_kind == NET_NETWORK &&
			       !strcmp(p->vms[k].net_name ? p->vms[k].net_name : "default",
				       vm->net_name ? vm->net_name : "default");
		if (!seen)
			network(in, vm, out, a);
	}
}

void verify_libvirt(const struct verify_in *in, struct facts *out)
{
	const struct plan *p = in->plan;
	if (!p->nvms)
		return;
	if (!p->libvirt_enable) {
		fact_add(out, FACT_SKIP, "libvirt", "libvirt: not compared: host.libvirt.enable is false");
		return;
	}
	struct arena a = {0};
	char *argv[] = { "virsh", "-c", (char *)in->uri, "uri", NULL };
	struct run r;
	run_cmd(argv, &r);
	if (r.err == ENOENT) {
		struct fact *f = fact_add(out, FACT_SKIP, "libvirt", "libvirt: domains not compared: "
					  "virsh is not installed");
		fact_hint(f, "%s", virsh_package(in->plan->family));
	} else if (r.status != 0) {
		struct fact *f = fact_add(out, FACT_SKIP, "libvirt", "libvirt: domains not compared: "
					  "%s is not reachable: %s", in->uri, first_line(&r, &a));
		fact_hint(f, "start libvirtd (systemctl start libvirtd), and run vfioc verify as root "
			  "or as a user of the %s group", in->plan->family == FAMILY_NIXOS ? "libvirtd"
											  : "libvirt");
	} else {
		struct out_set set = {0};
		char *err = NULL;
		if (backends_run(p, &set, &err) != 0) {
			fact_add(out, FACT_FAIL, "libvirt", "libvirt: the domains could not be generated: "
				 "%s", err);
		} else {
			for (size_t i = 0; i < p->nvms; i++)
				domain(in, &p->vms[i], &set, out, &a);
		}
		networks(in, out, &a);
		free(err);
		out_set_free(&set);
	}
	run_free(&r);
	arena_free(&a);
}
