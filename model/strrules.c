/* strrules.c: the rules of strrules.def, their tests and their JSON Schema patterns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/escape.h"
#include "base/xmledit.h"
#include "model/config.h"
#include "model/strrules.h"

static bool has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* U+FFFE and U+FFFF (EF BF BE, EF BF BF): XML 1.0 forbids them, so a libvirt domain file
 * holding one is not well-formed. Surrogates and other bytes XML refuses cannot get here:
 * the YAML reader accepts valid UTF-8 only, and control characters are refused before. */
static bool has_xml_forbidden(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; (p = (const unsigned char *)
	     strchr((const char *)p, 0xef)); p++)
		if (p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf))
			return true;
	return false;
}

/* Whether c is in a character class written as in a regular expression: "A-Za-z0-9_.-"
 * (a '-' between two characters is a range, anywhere else itself). */
static bool in_class(const char *class, char c)
{
	for (const char *k = class; *k; k++) {
		if (k[1] == '-' && k[2]) {
			if (c >= k[0] && c <= k[2])
				return true;
			k += 2;
		} else if (c == *k) {
			return true;
		}
	}
	return false;
}

static bool chars_ok(const char *first, const char *rest, size_t max, const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!in_class(n ? rest : first, s[n]))
			return false;
	return n >= 1 && n <= max;
}

/* s is groups of hex digits of the lengths in shape ("8-4-4-4-12"), separated as there. */
static bool hex_groups(const char *s, const char *shape)
{
	for (const char *g = shape; *g; g++) {
		if (*g >= '0' && *g <= '9') {
			unsigned n = (unsigned)strtoul(g, (char **)&g, 10);
			g--;
			if (strspn(s, "0123456789abcdefABCDEF") != n)
				return false;
			s += n;
		} else if (*s++ != *g) {
			return false;
		}
	}
	return !*s;
}

/* Why a byte may not be in a kernel parameter, or NULL when it may. The kernel splits its
 * command line at what isspace() says, and that includes byte 0xa0 (a UTF-8 no-break space
 * holds one); NixOS writes the parameters unquoted into GRUB's `linux` line and into shell
 * and systemd-boot entries. */
static const char *token_refusal(unsigned char c)
{
	if (c <= ' ' || c >= 0x7f)
		return "a kernel parameter is printable ASCII without spaces: the kernel splits "
		       "its command line at spaces, and at byte 0xa0 (a no-break space) too";
	if (strchr("\"'\\`$", c))
		return "quotes, backslashes, '$' and '`' are read by the boot loader's and the "
		       "shell's quoting, not passed on";
	if (strchr("|&;<>{}", c))
		return "GRUB reads it as an operator of its own config language, where NixOS writes "
		       "the kernel's line unquoted";
	return NULL;
}

/* Why a whole parameter would be read as something else, or NULL. Each byte passed
 * token_refusal, so these are words of allowed characters that mean more than themselves:
 * - GRUB's lexer (grub-core/script/yylex.l) reads "#" up to the end of the line as a
 *   comment when it begins a word (COMMENT "#.*$", the longest match there; within a word
 *   '#' is a CHAR): every parameter after it on the `linux` line is dropped, silently.
 * - "[[" and "]]" are reserved words there, which its grammar (parser.y, `argument`) does
 *   not take as an argument: the menu entry fails to parse.
 * - The kernel stops reading parameters at "--" and hands the rest to init as its
 *   arguments (kernel/params.c parse_args: "Stop at --"; init/main.c after_dashes).
 * The kernel's own splitting (lib/cmdline.c next_arg) only treats spaces and '"' apart;
 * systemd-boot's entries (`options` lines) read a '#' only at the start of a line. */
static const char *token_word_refusal(const char *s)
{
	if (s[0] == '#')
		return "a parameter starting with '#' is a comment to GRUB, which then drops it and "
		       "every parameter after it on the kernel's line";
	if (!strcmp(s, "[[") || !strcmp(s, "]]"))
		return "GRUB reads it as a reserved word, and the boot entry fails to parse";
	if (!strcmp(s, "--"))
		return "the kernel stops at '--' and passes every parameter after it to init";
	return NULL;
}

/* The first byte of s token_refusal refuses, with its reason in *why (static); else the
 * reason of token_word_refusal. */
static bool token_ok(const char *s, const char **why)
{
	static _Thread_local char msg[256];
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const char *reason = token_refusal(*p);
		if (!reason)
			continue;
		if (*p == ' ') {
			snprintf(msg, sizeof(msg), "a space is not allowed: %s", reason);
		} else if (*p > ' ' && *p < 0x7f) {
			snprintf(msg, sizeof(msg), "'%c' is not allowed: %s", *p, reason);
		} else if (*p >= 0xc0) {  /* valid UTF-8 (the YAML reader checked): name it */
			unsigned cp = *p & (*p >= 0xf0 ? 0x07 : *p >= 0xe0 ? 0x0f : 0x1f);
			for (const unsigned char *q = p + 1; (*q & 0xc0) == 0x80; q++)
				cp = cp << 6 | (*q & 0x3f);
			snprintf(msg, sizeof(msg), "U+%04X is not allowed: %s", cp, reason);
		} else {
			snprintf(msg, sizeof(msg), "byte 0x%02x is not allowed: %s", *p, reason);
		}
		*why = msg;
		return false;
	}
	const char *word = token_word_refusal(s);
	if (word) {
		snprintf(msg, sizeof(msg), "'%s' is not allowed: %s", s, word);
		*why = msg;
		return false;
	}
	return true;
}

/* A VM name virsh would read as something else. virsh looks a domain argument up as an ID
 * first (virStrToLong_i, any decimal number), then as a UUID (virUUIDParse, which takes 32
 * hex digits with '-' between pairs), and only then as a name (libvirt
 * tools/virsh-util.c virshLookupDomainBy, src/util/viruuid.c): a VM named "1" would have
 * `virsh undefine 1` act on the running domain with ID 1. */
static bool vm_name_unambiguous(const char *s, const char **why)
{
	if (strspn(s, "0123456789") == strlen(s)) {
		*why = "a VM name of digits only is read by virsh as a domain ID, so commands for it "
		       "would act on another domain: add a letter";
		return false;
	}
	size_t hex = 0;
	const char *p = s;
	for (; *p && (*p == '-' || strchr("0123456789abcdefABCDEF", *p)); p++)
		hex += *p != '-';
	if (!*p && hex == 32) {
		*why = "a VM name of 32 hex digits is read by virsh as a UUID, so commands for it "
		       "would act on another domain: add a letter outside a-f";
		return false;
	}
	return true;
}

/* One character of a JSON Schema character class. */
static size_t class_char(char *out, int c)
{
	size_t n = 0;
	if (strchr("\\[]^-", c))
		out[n++] = '\\';
	out[n++] = (char)c;
	return n;
}

/* The characters token_refusal allows as a class, "[...]": runs as ranges, without
 * `except`. */
static size_t token_class(char *pat, int except)
{
	size_t n = 0;
	pat[n++] = '[';
	for (int c = 0x21; c < 0x7f; c++) {
		if (token_refusal((unsigned char)c) || c == except)
			continue;
		int end = c;
		while (end + 1 < 0x7f && !token_refusal((unsigned char)(end + 1)) && end + 1 != except)
			end++;
		n += class_char(pat + n, c);
		if (end > c + 1)
			pat[n++] = '-';
		if (end > c)
			n += class_char(pat + n, end);
		c = end;
	}
	pat[n++] = ']';
	return n;
}

/* The JSON Schema pattern of the same rule, built from token_refusal, without the leading
 * '#' of token_word_refusal (its other words token_ok alone refuses). */
static const char *token_pattern(void)
{
	static char pat[320];
	if (pat[0])
		return pat;
	size_t n = 0;
	pat[n++] = '^';
	n += token_class(pat + n, '#');
	n += token_class(pat + n, 0);
	memcpy(pat + n, "*$", 3);
	return pat;
}

static bool absolute(const char *s, const char **why)
{
	return s[0] == '/';
}

static bool kernel_series(const char *s, const char **why)
{
	size_t digits = strspn(s, "0123456789");
	if (!digits || digits > 3 || s[digits] != '.')
		return false;
	s += digits + 1;
	digits = strspn(s, "0123456789");
	return digits && digits <= 3 && !s[digits];
}

static bool under_dev_input(const char *s, const char **why)
{
	return !strncmp(s, "/dev/input/", 11) && !strstr(s, "/..");
}

static bool uuid(const char *s, const char **why)
{
	return hex_groups(s, "8-4-4-4-12");
}

static bool mac_unicast(const char *s, const char **why)
{
	if (!hex_groups(s, "2:2:2:2:2:2"))
		return false;
	if (strchr("13579bBdDfF", s[1])) {
		*why = "a multicast address (the first octet is odd) cannot be a NIC's address";
		return false;
	}
	return true;
}

/* BUS-PORT[.PORT]...: 1 to 3 digits each, at most 7 ports deep. */
static bool usb_port(const char *s, const char **why)
{
	size_t digits = strspn(s, "0123456789"), depth = 0;
	const char *p = s + digits;
	if (!digits || digits > 3 || *p != '-')
		return false;
	do {
		digits = strspn(++p, "0123456789");
		if (!digits || digits > 3)
			return false;
		p += digits;
	} while (*p == '.' && ++depth < 7);
	return *p == '\0';
}

static bool path_or_empty(const char *s, const char **why)
{
	return s[0] == '/' || !strcmp(s, CDROM_EMPTY);
}

/* qemu.conf's strings have no escapes (libvirt's src/util/virconf.c, virConfParseString,
 * reads to the next quote), so a character of base/hidden.def would be written raw there. */
static bool device_node(const char *s, const char **why)
{
	if (esc_has_hidden(s)) {
		*why = "a device node holds no line separator or bidirectional control: qemu.conf "
		       "has no escape for one, and raw it would show as other text";
		return false;
	}
	return !strncmp(s, "/dev/", 5) && s[5] && !strpbrk(s, "\"\\") && !strstr(s, "/..");
}

static bool xml_edit(const char *s, const char **why)
{
	struct xml_edit e;
	if (!xml_edit_parse(s, &e, why))
		return false;
	xml_edit_free(&e);
	return true;
}

struct str_rule {
	const char *id;
	enum diag_id diag;
	const char *type, *why;
	const char *first, *rest;  /* CHARS */
	size_t max;
	bool (*test)(const char *s, const char **why);  /* TEST, BUILT */
	const char *pattern;                            /* TEST */
	const char *(*pattern_of)(void);                /* BUILT */
	bool exact;  /* CHARS, MATCH: the pattern matches just what the rule accepts */
};

#define ANY
#define CHARS(f, r, n) .first = f, .rest = r, .max = n, .exact = true,
#define MATCH(fn, pat) .test = fn, .pattern = pat, .exact = true,
#define TEST(fn, pat) .test = fn, .pattern = pat,
#define CHARS_TEST(f, r, n, fn) .first = f, .rest = r, .max = n, .test = fn,
#define BUILT(fn, patfn) .test = fn, .pattern_of = patfn,
static const struct str_rule rules[] = {
#define STR_RULE(id_, diag_, type_, form, why_) \
	[SC_##id_] = { .id = #id_, .diag = D_##diag_, .type = type_, .why = why_, form },
#include "model/strrules.def"
#undef STR_RULE
};
#undef ANY
#undef CHARS
#undef MATCH
#undef TEST
#undef CHARS_TEST
#undef BUILT

bool schema_check_string(enum str_check c, const char *s, const char **why)
{
	const struct str_rule *r = &rules[c];
	*why = NULL;
	if (!*s && c != SC_ANY)
		*why = "it is empty";
	else if (has_control(s))
		*why = "it contains a control character (newline, tab...)";
	else if (has_xml_forbidden(s))
		*why = "it contains U+FFFE or U+FFFF, which XML (a libvirt domain file) cannot hold";
	else if (r->first && !chars_ok(r->first, r->rest, r->max, s))
		*why = r->why;
	else if (r->test) {
		const char *reason = r->why;
		if (!r->test(s, &reason))
			*why = reason;
	}
	return *why == NULL;
}

bool schema_check_ok(enum str_check c, const char *s)
{
	const char *why;
	return s && schema_check_string(c, s, &why);
}

const char *schema_check_pattern(enum str_check c)
{
	static char built[SC_COUNT][128];
	const struct str_rule *r = &rules[c];
	if (r->pattern_of)
		return r->pattern_of();
	if (!r->first)
		return r->pattern;
	if (!built[c][0]) {
		if (!strcmp(r->first, r->rest))
			snprintf(built[c], sizeof(built[c]), "^[%s]{1,%zu}$", r->rest, r->max);
		else
			snprintf(built[c], sizeof(built[c]), "^[%s][%s]{0,%zu}$", r->first, r->rest,
				 r->max - 1);
	}
	return built[c];
}

enum diag_id schema_check_diag(enum str_check c)
{
	return rules[c].diag;
}

const char *schema_check_type(enum str_check c)
{
	return rules[c].type;
}

bool schema_check_exact(enum str_check c)
{
	return rules[c].exact;
}

const char *schema_check_name(enum str_check c)
{
	return rules[c].id;
}
