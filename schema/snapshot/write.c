/* schema/snapshot/write.c: hw_write_snapshot(): the model as YAML through libyaml's emitter (event
 * API), deterministic: the keys of schema/snapshot/table.c in its order, each by the handler of its
 * kind, devices in address order, no timestamps. schema/snapshot/load.c reads it back. No
 * character of base/hidden.def is written raw (spell_hidden). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/escape.h"
#include "hw/hw.h"
#include "schema/snapshot/snapshot.h"

struct emitter {
	yaml_emitter_t e;
	struct buf text;  /* what libyaml wrote, before spell_hidden */
	bool failed;
};

/* libyaml's output handler: collect the text. */
static int collect(void *data, unsigned char *s, size_t n)
{
	buf_add(&((struct emitter *)data)->text, (const char *)s, n);
	return 1;
}

static void emit(struct emitter *em, yaml_event_t *ev)
{
	if (em->failed)
		yaml_event_delete(ev);
	else if (!yaml_emitter_emit(&em->e, ev))
		em->failed = true;
}

static void scalar(struct emitter *em, const char *s, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	/* A hidden.def character only ever in a double-quoted scalar, the one style with
	 * escapes: spell_hidden then spells it as one (a plain word from sysfs, such as a
	 * reset method, could hold one). */
	if (style != YAML_DOUBLE_QUOTED_SCALAR_STYLE && esc_has_hidden(s))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	/* Both implicit: never a "!" tag, even when a word cannot be plain ("?x"). */
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
					  style)) {
		em->failed = true;
		return;
	}
	emit(em, &ev);
}

static void key(struct emitter *em, const char *k) { scalar(em, k, YAML_PLAIN_SCALAR_STYLE); }
static void str(struct emitter *em, const char *s) { scalar(em, s, YAML_DOUBLE_QUOTED_SCALAR_STYLE); }
static void word(struct emitter *em, const char *s) { scalar(em, s, YAML_PLAIN_SCALAR_STYLE); }

static void num(struct emitter *em, uint64_t v)
{
	char s[24], *p = s + sizeof(s) - 1;
	*p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while (v /= 10);
	word(em, p);
}

static void collection(struct emitter *em, bool map, bool flow)
{
	yaml_event_t ev;
	if (map)
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
			flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
	else
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
			flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
	emit(em, &ev);
}

static void end(struct emitter *em, bool map)
{
	yaml_event_t ev;
	if (map)
		yaml_mapping_end_event_initialize(&ev);
	else
		yaml_sequence_end_event_initialize(&ev);
	emit(em, &ev);
}

/* SK_WORDS "flr bus" as a flow list [flr, bus]. */
static void write_words(struct emitter *em, const char *words)
{
	collection(em, false, true);
	for (const char *p = words; *p;) {
		size_t n = strcspn(p, " ");
		if (n) {
			char *w = xstrndup(p, n);
			word(em, w);
			free(w);
		}
		p += n + (p[n] == ' ');
	}
	end(em, false);
}

/* "vvvv:dddd" */
static const char *id_fmt(char out[10], unsigned vendor, unsigned device)
{
	char *p = pci_hex(out, vendor, 4);
	*p++ = ':';
	pci_hex(p, device, 4);
	return out;
}

static void write_fields(struct emitter *em, const struct snap_object *o, const void *obj);

/* The handler of f's kind: the value of f in obj. */
static void write_value(struct emitter *em, const struct snap_field *f, const void *obj)
{
	const char *p = (const char *)obj + f->off;
	char s[PCI_ADDR_STRLEN];
	switch (f->kind) {
	case SK_VERSION: num(em, SNAPSHOT_VERSION); break;
	case SK_STR: str(em, *(const char *const *)p); break;
	case SK_WORDS: write_words(em, *(const char *const *)p); break;
	case SK_INT:
	case SK_UINT: num(em, snap_uint(f, obj)); break;
	case SK_HEX:
		s[0] = '0', s[1] = 'x';
		pci_hex(s + 2, (unsigned)(snap_uint(f, obj) & f->max), snap_hex_digits(f->max));
		str(em, s);
		break;
	case SK_BOOL: word(em, *(const bool *)p ? "true" : "false"); break;
	case SK_TRIBOOL: word(em, *(const int *)p ? "true" : "false"); break;
	case SK_PCIADDR:
		pci_addr_fmt((const struct pci_addr *)p, s);
		str(em, s);
		break;
	case SK_ID:
		str(em, id_fmt(s, *(const uint16_t *)p, *(const uint16_t *)((const char *)obj + f->off2)));
		break;
	case SK_CPULIST: {
		struct buf b = {0};
		cpulist_fmt((const struct cpulist *)p, &b);
		str(em, buf_str(&b));
		buf_free(&b);
		break;
	}
	case SK_NUMLIST: {
		const uint64_t *list = *(uint64_t *const *)p;
		size_t n = *(const size_t *)((const char *)obj + f->off2);
		collection(em, false, true);
		for (size_t i = 0; i < n; i++)
			num(em, list[i]);
		end(em, false);
		break;
	}
	case SK_ENUM: {
		unsigned long long v = snap_uint(f, obj);
		word(em, f->values[v < f->nvalues ? v : 0]);
		break;
	}
	case SK_FLAGS:
		collection(em, false, true);
		for (size_t i = 0; i < f->nvalues; i++)
			if (((const bool *)p)[i])
				word(em, f->values[i]);
		end(em, false);
		break;
	case SK_MAP:
		collection(em, true, f->sub->flow);
		write_fields(em, f->sub, obj);
		end(em, true);
		break;
	case SK_LIST: {
		const char *list = *(const char *const *)p;
		size_t n = *(const size_t *)((const char *)obj + f->off2);
		collection(em, false, false);
		for (size_t i = 0; i < n; i++) {
			collection(em, true, f->sub->flow);
			write_fields(em, f->sub, list + i * f->sub->size);
			end(em, true);
		}
		end(em, false);
		break;
	}
	}
}

/* The known facts of obj, in the order of o's rows. */
static void write_fields(struct emitter *em, const struct snap_object *o, const void *obj)
{
	for (size_t i = 0; i < o->nfields; i++)
		if (snap_known(&o->fields[i], obj)) {
			key(em, o->fields[i].key);
			write_value(em, &o->fields[i], obj);
		}
}

static void write_document(struct emitter *em, const struct hw *hw)
{
	collection(em, true, false);
	write_fields(em, &snapshot_root, hw);
	end(em, true);
}

static void write_stream(struct emitter *em, const struct hw *hw)
{
	yaml_event_t ev;
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit(em, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit(em, &ev);
	write_document(em, hw);
	yaml_document_end_event_initialize(&ev, 1);
	emit(em, &ev);
	yaml_stream_end_event_initialize(&ev);
	emit(em, &ev);
}

/* libyaml writes its line breaks U+0085, U+2028 and U+2029 as \N, \L and \P in a
 * double-quoted scalar, but any other printable character raw, the bidirectional controls
 * too (emitter.c, yaml_emitter_write_double_quoted: it escapes only what is not IS_PRINTABLE,
 * IS_BREAK or IS_BOM, or not ASCII without unicode output), and it has no hook for more.
 * Such a control in a device name would reorder how the committed snapshot shows in a
 * terminal or `git diff`, so it is spelled "\uNNNN" here: scalar() puts every string that
 * holds one in double quotes, where libyaml reads the escape back as the same character,
 * and nothing else vfioc writes (keys, numbers, enum words) can hold one. */
static int spell_hidden(struct emitter *em, FILE *out)
{
	struct buf b = {0};
	esc_hidden_spell(&b, em->text.s ? em->text.s : "", em->text.len, "\\u", "");
	size_t n = b.len ? fwrite(b.s, 1, b.len, out) : 0;
	int rc = n == b.len ? 0 : -1;
	buf_free(&b);
	return rc;
}

int hw_write_snapshot(const struct hw *hw, FILE *out)
{
	struct emitter em = { .failed = false };
	if (!yaml_emitter_initialize(&em.e)) {
		errno = ENOMEM;
		return -1;
	}
	yaml_emitter_set_output(&em.e, collect, &em);
	yaml_emitter_set_unicode(&em.e, 1);
	yaml_emitter_set_width(&em.e, -1);
	yaml_emitter_set_indent(&em.e, 2);
	yaml_emitter_set_break(&em.e, YAML_LN_BREAK);
	write_stream(&em, hw);
	if (!em.failed && !yaml_emitter_flush(&em.e))
		em.failed = true;
	yaml_emitter_delete(&em.e);
	if (!em.failed && spell_hidden(&em, out) != 0)
		em.failed = true;
	buf_free(&em.text);
	if (fflush(out) != 0 || ferror(out))
		return -1;
	if (em.failed) {
		errno = EIO;
		return -1;
	}
	return 0;
}
