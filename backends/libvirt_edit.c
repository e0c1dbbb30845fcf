/* libvirt_edit.c: vms.<name>.libvirt-xml, the escape hatch, applied with libxml2's XPath to
 * a finished domain (xmledit.h has the syntax). Values are set as text, never parsed as
 * markup; the libvirt backend validates the result. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlversion.h>
#include <libxml/xpath.h>

#include "backends/libvirt_edit.h"
#include "base/xmledit.h"

/* Set an attribute or element's text; text is never read as markup. */
static void set_value(xmlNodePtr n, const char *value)
{
	if (n->type == XML_ATTRIBUTE_NODE) {
		xmlSetProp(n->parent, n->name, (const xmlChar *)value);
	} else {
		xmlNodeSetContent(n, NULL);
		xmlNodeAddContent(n, (const xmlChar *)value);
	}
}

/* One domain's edits: every XPath is evaluated on ctx, whose operation budget
 * (XML_EDIT_OP_LIMIT) they share. */
struct editor {
	xmlDocPtr doc;
	xmlXPathContextPtr ctx;
};

/* What xpath matches from <domain>; NULL when it fails, or when the budget ran out. */
static xmlXPathObjectPtr eval(struct editor *ed, const char *xpath)
{
	if (xml_edit_over_budget(ed->ctx))
		return NULL;
	ed->ctx->node = xmlDocGetRootElement(ed->doc);
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)xpath, ed->ctx);
	if (xml_edit_over_budget(ed->ctx)) {
		xmlXPathFreeObject(r);
		return NULL;
	}
	return r;
}

static bool plain_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-'))
			return false;
	return true;
}

/* The nodes xpath matches; when none and its last step is a plain element name or @name,
 * that step is created under what the rest matches (made the same way), like virt-xml.
 * Returns NULL when nothing matches and nothing can be created. Caller frees. */
static xmlXPathObjectPtr find_or_create(struct editor *ed, const char *xpath, int depth)
{
	xmlXPathObjectPtr r = eval(ed, xpath);
	if (!r || r->type != XPATH_NODESET) {
		xmlXPathFreeObject(r);
		return NULL;
	}
	if (!xmlXPathNodeSetIsEmpty(r->nodesetval) || depth > 32)
		return r;
	xmlXPathFreeObject(r);
	const char *slash = strrchr(xpath, '/');
	const char *step = slash + 1;
	bool at = *step == '@';
	if (!plain_name(step + at))
		return NULL;
	char *parent = xstrndup(xpath, (size_t)(slash - xpath));
	xmlXPathObjectPtr pr = find_or_create(ed, parent, depth + 1);   /* "." is <domain> */
	free(parent);
	if (!pr || xmlXPathNodeSetIsEmpty(pr->nodesetval)) {
		xmlXPathFreeObject(pr);
		return NULL;
	}
	xmlNodeSetPtr set = pr->nodesetval;
	for (int i = 0; i < set->nodeNr; i++) {
		xmlNodePtr p = set->nodeTab[i];
		if (p->type != XML_ELEMENT_NODE)
			continue;
		if (at)
			xmlSetProp(p, (const xmlChar *)(step + 1), (const xmlChar *)"");
		else
			xmlNewChild(p, NULL, (const xmlChar *)step, NULL);
	}
	xmlXPathFreeObject(pr);
	return eval(ed, xpath);
}

/* Whether n is <domain> or inside it: nothing before or after it in the file (the
 * generated-by comment, a DOCTYPE) is the config's to change. */
static bool in_domain(xmlDocPtr doc, xmlNodePtr n)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	for (; n; n = n->parent)
		if (n == root)
			return true;
	return false;
}

/* Why an edit may not change n, or NULL. Elements, attributes and text inside <domain>
 * may change; not <domain> itself for a delete, nor the namespace nodes XPath makes up;
 * not comments and processing instructions, whose text is written unescaped ("-->"). */
static const char *refusal(xmlDocPtr doc, xmlNodePtr n, enum xml_edit_op op)
{
	switch (n->type) {
	case XML_ELEMENT_NODE: case XML_ATTRIBUTE_NODE: case XML_TEXT_NODE:
	case XML_CDATA_SECTION_NODE:
		if (!in_domain(doc, n))
			return "it reaches outside <domain>";
		if (op == XML_EDIT_DELETE && n == xmlDocGetRootElement(doc))
			return "it would delete <domain> itself";
		return NULL;
	case XML_COMMENT_NODE: case XML_PI_NODE:
		return "it matches a comment or processing instruction, whose text is written "
		       "unescaped";
	default:
		return in_domain(doc, n) ? "it matches a node that is not an element, attribute "
			"or text" : "it reaches outside <domain>";
	}
}

/* Apply one parsed edit to what r matched; returns how many nodes it changed, or sets
 * *why and changes nothing when one of them may not be changed. The nodes are taken out of
 * the set first (libxml2 frees the set's namespace copies and would read nodes an edit
 * freed), then done last first: a node before an ancestor that also matched replaces or
 * removes it. */
static size_t apply(xmlDocPtr doc, const struct xml_edit *e, xmlNodeSetPtr set,
		    const char **why)
{
	for (int k = 0; k < set->nodeNr; k++)
		if (set->nodeTab[k] && set->nodeTab[k]->type != XML_NAMESPACE_DECL &&
		    (*why = refusal(doc, set->nodeTab[k], e->op)))
			return 0;
	xmlNodePtr *todo = xcalloc((size_t)set->nodeNr + 1, sizeof(*todo));
	size_t n = 0;
	for (int k = 0; k < set->nodeNr; k++)
		if (set->nodeTab[k] && set->nodeTab[k]->type != XML_NAMESPACE_DECL) {
			todo[n++] = set->nodeTab[k];
			set->nodeTab[k] = NULL;
		}
	for (size_t k = n; k-- > 0;) {
		xmlNodePtr node = todo[k];
		if (e->op == XML_EDIT_SET) {
			set_value(node, e->value);
		} else if (node->type == XML_ATTRIBUTE_NODE) {
			xmlRemoveProp((xmlAttrPtr)node);
		} else {
			xmlUnlinkNode(node);
			xmlFreeNode(node);
		}
	}
	free(todo);
	return n;
}

/* One edit; 0, or 1 with *err. */
static int apply_edit(struct editor *ed, const struct plan_vm *vm, const char *text, char **err)
{
	struct xml_edit e;
	const char *why = NULL;
	if (!xml_edit_parse(text, &e, &why)) {
		*err = xasprintf("VM '%s': libvirt-xml edit '%s': %s", vm->name, text, why);
		return 1;
	}
	xmlXPathObjectPtr r = e.op == XML_EDIT_SET ? find_or_create(ed, e.xpath, 0)
						   : eval(ed, e.xpath);
	bool none = !r || r->type != XPATH_NODESET || !r->nodesetval ||
		    apply(ed->doc, &e, r->nodesetval, &why) == 0;
	if (xml_edit_over_budget(ed->ctx))
		*err = xasprintf("VM '%s': libvirt-xml edit '%s' costs more than %lu XPath "
				 "operations to evaluate (with the VM's edits before it); "
				 "nested //node() or count() over the whole document multiply",
				 vm->name, text, XML_EDIT_OP_LIMIT);
	else if (why)
		*err = xasprintf("VM '%s': libvirt-xml edit '%s' cannot apply: %s; an edit "
				 "changes elements, attributes and text inside <domain>",
				 vm->name, text, why);
	else if (none)
		*err = xasprintf("VM '%s': libvirt-xml edit '%s' matches nothing it can change "
				 "in the generated domain%s", vm->name, text,
				 e.op == XML_EDIT_SET ? " and cannot create it (only a last "
				 "step that is a plain name or @name can be created)" : "");
	xmlXPathFreeObject(r);
	xml_edit_free(&e);
	return none;
}

int libvirt_apply_edits(xmlDocPtr doc, const struct plan_vm *vm, char **err)
{
	if (!vm->nxml_edits)
		return 0;
	struct editor ed = { doc, xml_edit_context(doc) };
	if (!ed.ctx) {
		*err = xasprintf("VM '%s': out of memory for its libvirt-xml edits", vm->name);
		return 1;
	}
	int rc = 0;
	for (size_t i = 0; i < vm->nxml_edits && !rc; i++)
		rc = apply_edit(&ed, vm, vm->xml_edits[i], err);
	xmlXPathFreeContext(ed.ctx);
	return rc;
}
