/* test_strrules.c: the string rules of model/strrules.def: what each accepts and refuses,
 * and that each JSON Schema pattern accepts every string its rule accepts (an editor must
 * never flag a config vfioc takes), and refuses what it refuses where the row says the
 * pattern is exact. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "schema/config/schema.h"

static const struct example {
	enum str_check c;
	const char *s;
	bool ok;
} examples[] = {
	{ SC_ANY, "", true }, { SC_ANY, "any text, ${x} \"y\"", true },
	{ SC_ANY, "tab\there", false }, { SC_ANY, "\xef\xbf\xbe", false },
	{ SC_NAME, "win10", true }, { SC_NAME, "a_b.c+d-e", true }, { SC_NAME, "-win", false },
	{ SC_NAME, "_win", false }, { SC_NAME, "win 10", false }, { SC_NAME, "w/x", false },
	{ SC_NAME, "", false }, { SC_NAME, "${x}", false },
	/* virsh would read these as a domain ID or UUID. */
	{ SC_NAME, "1", false }, { SC_NAME, "0042", false }, { SC_NAME, "1a", true },
	{ SC_NAME, "3f2b1c9e-5d4a-4e8f-9b1a-2c3d4e5f6a7b", false },
	{ SC_NAME, "3f2b1c9e5d4a4e8f9b1a2c3d4e5f6a7b", false }, { SC_NAME, "deadbeef", true },
	{ SC_NAME, "3f2b1c9e-5d4a-4e8f-9b1a-2c3d4e5f6a7g", true },
	{ SC_MODULE, "i2c_nvidia_gpu", true }, { SC_MODULE, "_x", true },
	{ SC_MODULE, "snd-hda-intel", true }, { SC_MODULE, "-x", false },
	{ SC_MODULE, "amdgpu.ko", false }, { SC_MODULE, "a b", false },
	{ SC_USER, "alice", true }, { SC_USER, "_svc", true }, { SC_USER, "aLICE-2", true },
	{ SC_USER, "Alice", false }, { SC_USER, "1alice", false }, { SC_USER, "${pwn}", false },
	{ SC_TOKEN, "iommu=pt", true }, { SC_TOKEN, "a b", false }, { SC_TOKEN, "a;b", false },
	{ SC_TOKEN, "a\xc2\xa0" "b", false }, { SC_TOKEN, "$x", false },
	{ SC_PATH, "/var/lib/x.qcow2", true }, { SC_PATH, "x.qcow2", false },
	{ SC_RELPATH, "x.qcow2", true }, { SC_RELPATH, "", false },
	{ SC_NETNAME, "default", true }, { SC_NETNAME, "br0:1", true },
	{ SC_NETNAME, "-br", true }, { SC_NETNAME, "br 0", false },
	{ SC_KERNEL, "6.6", true }, { SC_KERNEL, "6.12", true }, { SC_KERNEL, "6", false },
	{ SC_KERNEL, "6.6.30", false }, { SC_KERNEL, "1234.1", false }, { SC_KERNEL, ".6", false },
	{ SC_EVDEV, "/dev/input/by-id/usb-kbd-event-kbd", true },
	{ SC_EVDEV, "/dev/input/../sda", false }, { SC_EVDEV, "/dev/sda", false },
	{ SC_UUID, "3f2b1c9e-5d4a-4e8f-9b1a-2c3d4e5f6a7b", true },
	{ SC_UUID, "3F2B1C9E-5D4A-4E8F-9B1A-2C3D4E5F6A7B", true },
	{ SC_UUID, "3f2b1c9e5d4a4e8f9b1a2c3d4e5f6a7b", false },
	{ SC_UUID, "3f2b1c9e-5d4a-4e8f-9b1a-2c3d4e5f6a7", false },
	{ SC_MAC, "52:54:00:12:34:56", true }, { SC_MAC, "53:54:00:12:34:56", false },
	{ SC_MAC, "52-54-00-12-34-56", false }, { SC_MAC, "52:54:00:12:34", false },
	{ SC_USBPORT, "1-2", true }, { SC_USBPORT, "3-1.4.2", true },
	{ SC_USBPORT, "1-1.2.3.4.5.6.7", true }, { SC_USBPORT, "1-1.2.3.4.5.6.7.8", false },
	{ SC_USBPORT, "usb1", false }, { SC_USBPORT, "1-2:1.0", false },
	{ SC_CDROM, "/iso/win.iso", true }, { SC_CDROM, "empty", true },
	{ SC_CDROM, "win.iso", false }, { SC_CDROM, "empty/", false },
	{ SC_DEVPATH, "/dev/kvmfr0", true }, { SC_DEVPATH, "/dev/", false },
	{ SC_DEVPATH, "/dev/../etc/x", false }, { SC_DEVPATH, "/dev/a\"b", false },
	{ SC_DEVPATH, "/sys/x", false },
	{ SC_VENDOR_ID, "vfioc", true }, { SC_VENDOR_ID, "1234567890ab", true },
	{ SC_VENDOR_ID, "1234567890abc", false }, { SC_VENDOR_ID, "a b", false },
	{ SC_XML_EDIT, "./devices/graphics/@listen=0.0.0.0", true },
	{ SC_XML_EDIT, "./features/kvm/hidden/@state=on", true },
	{ SC_XML_EDIT, "xpath.delete=./devices/tablet", true },
	{ SC_XML_EDIT, "/domain/name=x", false }, { SC_XML_EDIT, "./devices", false },
	{ SC_XML_EDIT, "./a[=b", false },
	{ SC_USBPORT, "1-2-3", false }, { SC_USBPORT, "1234-1", false }, { SC_USBPORT, "1-", false },
};

static void test_examples(void)
{
	char name[160];
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		const struct example *e = &examples[i];
		const char *why = "unset";
		bool ok = schema_check_string(e->c, e->s, &why);
		snprintf(name, sizeof(name), "%s %s \"%s\"", schema_check_name(e->c),
			 e->ok ? "accepts" : "refuses", e->s);
		OK(ok == e->ok && (ok ? !why : why && *why), name);
		OK(schema_check_ok(e->c, e->s) == e->ok, name);
	}
	OK(!schema_check_ok(SC_MODULE, NULL), "a missing value follows no rule");
}

/* Strings near each rule's edges: every example, all one- and two-character strings of
 * printable ASCII, and each example grown past its rule's length. */
static size_t samples(char ***out)
{
	size_t n = 0, cap = 16384;
	char **v = malloc(cap * sizeof(*v));
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		v[n++] = strdup(examples[i].s);
		char *long_ = malloc(200);
		snprintf(long_, 200, "%s%0*d", examples[i].s, 70, 0);
		v[n++] = long_;
	}
	for (int a = 0x20; a < 0x7f; a++)
		for (int b = 0x1f; b < 0x7f; b++) {  /* 0x1f: the one-character string */
			char *s = malloc(3);
			s[0] = (char)a, s[1] = b == 0x1f ? 0 : (char)b, s[2] = 0;
			v[n++] = s;
		}
	v[n++] = strdup("/dev/input/a\tb");  /* a control character after a good start */
	for (size_t len = 60; len <= 66; len++) {
		char *s = malloc(len + 1);
		memset(s, 'a', len);
		s[len] = 0;
		v[n++] = s;
	}
	*out = v;
	return n;
}

static void test_patterns(void)
{
	char **v;
	size_t n = samples(&v);
	char name[160];
	for (int c = 0; c < SC_COUNT; c++) {
		const char *pat = schema_check_pattern((enum str_check)c);
		/* The TOKEN pattern is built from the test's own table (strrules.c
		 * token_pattern), and it escapes within brackets, which POSIX regex does not. */
		if (!pat || c == SC_TOKEN)
			continue;
		regex_t re;
		snprintf(name, sizeof(name), "%s pattern compiles", schema_check_name((enum str_check)c));
		OK(regcomp(&re, pat, REG_EXTENDED | REG_NOSUB) == 0, name);
		bool exact = schema_check_exact((enum str_check)c);
		size_t wrong = 0;
		for (size_t i = 0; i < n; i++) {
			bool ok = schema_check_ok((enum str_check)c, v[i]);
			bool match = regexec(&re, v[i], 0, NULL, 0) == 0;
			/* What every rule refuses (control characters...) no pattern says. */
			bool common = schema_check_ok(SC_ANY, v[i]);
			if ((ok && !match) || (exact && common && match != ok)) {
				if (!wrong++)
					printf("# %s: \"%s\" %s, the pattern %s\n",
					       schema_check_name((enum str_check)c), v[i],
					       ok ? "accepted" : "refused", match ? "matches" : "does not");
			}
		}
		snprintf(name, sizeof(name), "%s pattern %s the rule on %zu strings",
			 schema_check_name((enum str_check)c), exact ? "is" : "admits", n);
		INT_EQ(wrong, 0, name);
		regfree(&re);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void test_generated(void)
{
	STR_EQ(schema_check_pattern(SC_NAME), "^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$", "NAME pattern");
	STR_EQ(schema_check_pattern(SC_NETNAME), "^[A-Za-z0-9_.:-]{1,64}$", "NETNAME pattern");
	STR_EQ(schema_check_type(SC_PATH), "absolute path", "PATH type");
	INT_EQ(schema_check_diag(SC_NAME), D_BAD_VM_NAME, "NAME diagnostic");
	/* diag.def's line is text of its own; it must state the rule the row states. */
	const char *pat = schema_check_pattern(SC_NAME);
	char core[128];
	snprintf(core, sizeof(core), "%.*s", (int)strlen(pat) - 2, pat + 1);
	OK(strstr(diag_doc(D_BAD_VM_NAME), core) != NULL,
	   "bad-vm-name's explanation states the NAME rule");
	for (int c = 0; c < SC_COUNT; c++)
		OK(schema_check_name((enum str_check)c) && schema_check_type((enum str_check)c),
		   "every rule has a row");
}

int main(void)
{
	test_examples();
	test_patterns();
	test_generated();
	HARNESS_END();
}
