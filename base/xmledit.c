/* xmledit.c: parsing the libvirt-xml edits (xmledit.h). The XPath is compiled with libxml2 so
 * that a typo is reported at its place in the config, not when the domain is written. */
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlversion.h>
#include <libxml/xpath.h>

#include "base/util.h"
#include "base/xmledit.h"

#define DELETE_PREFIX "xpath.delete="

/* libxml2 2.12 made the error argument const. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *error_arg;
#else
typedef xmlErrorPtr error_arg;
#endif

static void quiet(void *ctx, error_arg e)
{
	(void)ctx, (void)e;
}

xmlXPathContextPtr xml_edit_context(xmlDocPtr doc)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	if (ctx) {
		ctx->error = quiet;
		ctx->opLimit = XML_EDIT_OP_LIMIT;
	}
	return ctx;
}

bool xml_edit_over_budget(xmlXPathContextPtr ctx)
{
	return ctx->opLimit && ctx->opCount >= ctx->opLimit;
}

/* Whether the node test name() occurs in s outside '...' and "..." literals (XPath allows
 * spaces before the parenthesis). */
static bool mentions(const char *s, const char *name)
{
	char quote = 0;
	size_t n = strlen(name);
	for (; *s; s++) {
		if (quote) {
			quote = *s == quote ? 0 : quote;
		} else if (*s == '\'' || *s == '"') {
			quote = *s;
		} else if (!strncmp(s, name, n)) {
			const char *p = s + n;
			p += strspn(p, " \t\r\n");
			if (*p == '(')
				return true;
		}
	}
	return false;
}

static bool xpath_compiles(const char *xpath)
{
	xmlXPathContextPtr ctx = xml_edit_context(NULL);
	if (!ctx)
		return false;
	xmlXPathCompExprPtr c = xmlXPathCtxtCompile(ctx, (const xmlChar *)xpath);
	bool ok = c != NULL;
	xmlXPathFreeCompExpr(c);
	xmlXPathFreeContext(ctx);
	return ok;
}

/* The '=' between XPATH and VALUE: the first one outside [...] and quotes. */
static const char *split_point(const char *s)
{
	int depth = 0;
	char quote = 0;
	for (; *s; s++) {
		if (quote)
			quote = *s == quote ? 0 : quote;
		else if (*s == '\'' || *s == '"')
			quote = *s;
		else if (*s == '[')
			depth++;
		else if (*s == ']')
			depth--;
		else if (*s == '=' && depth == 0)
			return s;
	}
	return NULL;
}

bool xml_edit_parse(const char *s, struct xml_edit *out, const char **why)
{
	*out = (struct xml_edit){0};
	const char *xpath = s, *eq = NULL;
	if (!strncmp(s, DELETE_PREFIX, strlen(DELETE_PREFIX))) {
		out->op = XML_EDIT_DELETE;
		xpath = s + strlen(DELETE_PREFIX);
	} else if (!(eq = split_point(s))) {
		*why = "an edit is XPATH=VALUE or xpath.delete=XPATH";
		return false;
	}
	size_t len = eq ? (size_t)(eq - xpath) : strlen(xpath);
	if (len < 2 || strncmp(xpath, "./", 2)) {
		*why = "the XPath starts with ./ (relative to <domain>), e.g. ./devices/graphics/@listen";
		return false;
	}
	out->xpath = xstrndup(xpath, len);
	/* Their text is written as markup, unescaped: "-->" in a comment's ends it. */
	if (mentions(out->xpath, "comment") || mentions(out->xpath, "processing-instruction")) {
		*why = "an edit cannot target comment() or processing-instruction() nodes: vfioc "
		       "writes their text as markup, unescaped";
		xml_edit_free(out);
		return false;
	}
	if (!xpath_compiles(out->xpath)) {
		*why = "libxml2 cannot compile this XPath";
		xml_edit_free(out);
		return false;
	}
	if (eq)
		out->value = xstrdup(eq + 1);
	*why = NULL;
	return true;
}

void xml_edit_free(struct xml_edit *e)
{
	free(e->xpath);
	free(e->value);
	*e = (struct xml_edit){0};
}
