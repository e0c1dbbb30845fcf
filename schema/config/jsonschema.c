/* jsonschema.c: the JSON Schema (draft 2020-12) of the config language, generated from the
 * tables, so yaml-language-server can complete and explain every key in editors. */
#include <string.h>

#include "schema/config/schema.h"

#define PAT_SIZE "^[0-9]{1,9} ?(GiB|G|MiB|M|TiB|T)$"
#define PAT_RELEASE "^[0-9]{2}[.](05|11)$"  /* a NixOS release vfioc may not know yet */
#define PAT_CPULIST "^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$"
#define PAT_NIXPATH "^([A-Za-z_][A-Za-z0-9_'-]*|\"[^\"\\\\]+\")(\\.([A-Za-z_][A-Za-z0-9_'-]*|\"[^\"\\\\]+\"))*$"

/* A tiny pretty-printing JSON writer: just enough for a schema. */
struct json {
	FILE *out;
	int depth;
	bool first;  /* no comma before the next member */
};

static void indent(struct json *j)
{
	fputc('\n', j->out);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

static void str(struct json *j, const char *s)
{
	fputc('"', j->out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(j->out, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(j->out, "\\u%04x", (unsigned char)*s);
		else
			fputc(*s, j->out);
	}
	fputc('"', j->out);
}

static void key(struct json *j, const char *k)
{
	if (!j->first)
		fputc(',', j->out);
	j->first = false;
	indent(j);
	str(j, k);
	fputs(": ", j->out);
}

static void open(struct json *j, char c)
{
	fputc(c, j->out);
	j->depth++;
	j->first = true;
}

static void close(struct json *j, char c)
{
	j->depth--;
	if (!j->first)
		indent(j);
	fputc(c, j->out);
	j->first = false;
}

static void kv_str(struct json *j, const char *k, const char *v)
{
	key(j, k);
	str(j, v);
}

static void item(struct json *j)
{
	if (!j->first)
		fputc(',', j->out);
	j->first = false;
	indent(j);
}

static void object_schema(struct json *j, const struct object *o);

/* The default as JSON: booleans, numbers, [] and {} stay typed; the rest are strings. */
static void default_value(struct json *j, const char *def)
{
	key(j, "default");
	size_t digits = strspn(def, "0123456789");
	if (!strcmp(def, "true") || !strcmp(def, "false") || !strcmp(def, "[]") ||
	    !strcmp(def, "{}") || (digits && !def[digits]))
		fputs(def, j->out);
	else
		str(j, def);
}

static void description(struct json *j, const struct field *f)
{
	key(j, "description");
	if (f->def_doc) {
		struct buf b = {0};
		buf_printf(&b, "%s Default: %s.", f->doc, f->def_doc);
		str(j, buf_str(&b));
		buf_free(&b);
	} else {
		str(j, f->doc);
	}
}

static void string_type(struct json *j, const char *pattern)
{
	kv_str(j, "type", "string");
	if (pattern)
		kv_str(j, "pattern", pattern);
}

static const char *scalar_pattern(const struct object *o)
{
	return o->scalar_pattern ? o->scalar_pattern : schema_check_pattern(o->scalar_check);
}

/* An element of a list or map: the object, or its short form, or either. */
static void element_schema(struct json *j, const struct object *o)
{
	open(j, '{');
	if (o->scalar && !o->nfields) {
		kv_str(j, "description", o->doc);
		string_type(j, scalar_pattern(o));
	} else if (o->scalar) {
		kv_str(j, "description", o->doc);
		key(j, "anyOf");
		open(j, '[');
		item(j);
		open(j, '{');
		kv_str(j, "description", o->scalar_doc);
		string_type(j, scalar_pattern(o));
		close(j, '}');
		item(j);
		object_schema(j, o);
		close(j, ']');
	} else {
		struct buf ref = {0};
		buf_printf(&ref, "#/$defs/%s", o->path);
		kv_str(j, "$ref", buf_str(&ref));
		buf_free(&ref);
	}
	close(j, '}');
}

static void field_type(struct json *j, const struct field *f)
{
	switch (f->kind) {
	case FK_BOOL: kv_str(j, "type", "boolean"); break;
	case FK_UINT:
		kv_str(j, "type", "integer");
		key(j, "minimum"); fprintf(j->out, "%llu", (unsigned long long)f->min);
		key(j, "maximum"); fprintf(j->out, "%llu", (unsigned long long)f->max);
		break;
	case FK_STR: string_type(j, schema_check_pattern(f->check)); break;
	case FK_ENUM:
		if (f->flags & F_RELEASES) {  /* or a newer release (model/release.h) */
			key(j, "anyOf");
			open(j, '[');
			item(j);
			open(j, '{');
			string_type(j, PAT_RELEASE);
			close(j, '}');
			item(j);
			open(j, '{');
		}
		key(j, "enum");
		open(j, '[');
		for (size_t i = 0; f->values[i]; i++) {
			item(j);
			str(j, f->values[i]);
		}
		close(j, ']');
		if (f->flags & F_RELEASES) {
			close(j, '}');
			close(j, ']');
		}
		break;
	case FK_SIZE: string_type(j, PAT_SIZE); break;
	case FK_CPULIST:
		key(j, "type"); fputs("[\"string\", \"integer\"]", j->out);
		kv_str(j, "pattern", PAT_CPULIST);
		break;
	case FK_PCIADDR: string_type(j, PAT_PCIADDR); break;
	case FK_PCIID: string_type(j, PAT_PCIID); break;
	case FK_STRLIST:
		kv_str(j, "type", "array");
		key(j, "uniqueItems"); fputs("true", j->out);
		key(j, "items");
		open(j, '{');
		string_type(j, schema_check_pattern(f->check));
		close(j, '}');
		break;
	case FK_OBJECT:
		if (f->sub->scalar) {
			key(j, "anyOf");
			open(j, '[');
			item(j);
			open(j, '{');
			kv_str(j, "description", f->sub->scalar_doc);
			string_type(j, scalar_pattern(f->sub));
			close(j, '}');
			item(j);
			object_schema(j, f->sub);
			close(j, ']');
		} else {
			key(j, "type");
			str(j, "object");
			key(j, "additionalProperties"); fputs("false", j->out);
			key(j, "properties");
			open(j, '{');
			for (size_t i = 0; i < f->sub->nfields; i++) {
				const struct field *sf = &f->sub->fields[i];
				key(j, sf->key);
				open(j, '{');
				description(j, sf);
				if (sf->def)
					default_value(j, sf->def);
				field_type(j, sf);
				close(j, '}');
			}
			close(j, '}');
			bool any = false;
			for (size_t i = 0; i < f->sub->nfields; i++)
				any |= (f->sub->fields[i].flags & F_REQUIRED) != 0;
			if (any) {
				key(j, "required");
				open(j, '[');
				for (size_t i = 0; i < f->sub->nfields; i++)
					if (f->sub->fields[i].flags & F_REQUIRED) {
						item(j);
						str(j, f->sub->fields[i].key);
					}
				close(j, ']');
			}
		}
		break;
	case FK_OBJLIST:
		kv_str(j, "type", "array");
		key(j, "items");
		element_schema(j, f->sub);
		break;
	case FK_NIXATTRS:
		kv_str(j, "type", "object");
		key(j, "propertyNames");
		open(j, '{');
		kv_str(j, "pattern", PAT_NIXPATH);
		close(j, '}');
		key(j, "additionalProperties");
		fputs("{\"anyOf\": [{\"type\": [\"string\", \"boolean\", \"integer\"]}, "
		      "{\"type\": \"array\", \"items\": {\"type\": [\"string\", \"boolean\", "
		      "\"integer\"]}}]}", j->out);
		break;
	case FK_OBJMAP:
		kv_str(j, "type", "object");
		key(j, "propertyNames");
		open(j, '{');
		kv_str(j, "pattern", schema_check_pattern(f->sub->name_check));
		close(j, '}');
		key(j, "additionalProperties");
		element_schema(j, f->sub);
		break;
	}
}

/* {"type": "object", "properties": {...}, "required": [...], "additionalProperties": false} */
static void object_schema(struct json *j, const struct object *o)
{
	struct object plain = *o;
	plain.scalar = NULL;  /* the mapping form only; the caller adds the short form */
	struct field wrapper = { .key = o->path, .kind = FK_OBJECT, .sub = &plain };
	open(j, '{');
	char doc[256];
	kv_str(j, "description", schema_object_doc(o, doc, sizeof(doc)));
	field_type(j, &wrapper);
	close(j, '}');
}

/* Objects used as list or map elements go to $defs, so the schema stays readable. */
static void defs(struct json *j, const struct object *o)
{
	for (size_t i = 0; i < o->nfields; i++) {
		const struct field *f = &o->fields[i];
		if (!f->sub)
			continue;
		if ((f->kind == FK_OBJLIST || f->kind == FK_OBJMAP) && !f->sub->scalar) {
			key(j, f->sub->path);
			object_schema(j, f->sub);
		}
		defs(j, f->sub);
	}
}

void schema_write_json(FILE *out)
{
	struct json j = { out, 0, true };
	open(&j, '{');
	kv_str(&j, "$schema", "https://json-schema.org/draft/2020-12/schema");
	kv_str(&j, "title", "vfioc config, version 1");
	kv_str(&j, "description", schema_root.doc);
	struct field root = { .key = "", .kind = FK_OBJECT, .sub = &schema_root };
	field_type(&j, &root);
	key(&j, "$defs");
	open(&j, '{');
	defs(&j, &schema_root);
	close(&j, '}');
	close(&j, '}');
	fputc('\n', out);
}
