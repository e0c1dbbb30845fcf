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

static xmlXPathObjectPtr eval(xmlDocPtr doc, const char *xpath)
{
	xmlXPathContextPtr ctx = xml_edit_context(doc);
	if (!ctx)
		return NULL;
	ctx->node = xmlDocGetRootElement(doc);
	xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)xpath, ctx);
	xmlXPathFreeContext(ctx);
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
static xmlXPathObjectPtr find_or_create(xmlDocPtr doc, const char *xpath, int depth)
{
	xmlXPathObjectPtr r = eval(doc, xpath);
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
	xmlXPathObjectPtr pr = find_or_create(doc, parent, depth + 1);   /* "." is <domain> */
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
	return eval(doc, xpath);
}

/* Nodes an edit may change: elements, attributes and text; not the namespace nodes XPath
 * makes up, nor <domain> itself for a delete. */
static bool editable(xmlDocPtr doc, xmlNodePtr n, enum xml_edit_op op)
{
	switch (n->type) {
	case XML_ELEMENT_NODE:
		return op == XML_EDIT_SET || n != xmlDocGetRootElement(doc);
	case XML_ATTRIBUTE_NODE: case XML_TEXT_NODE: case XML_CDATA_SECTION_NODE:
	case XML_COMMENT_NODE:
		return true;
	default:
		return false;
	}
}

/* Apply one parsed edit to what r matched; returns how many nodes it changed. The nodes
 * are taken out of the set first (libxml2 frees the set's namespace copies and would read
 * nodes an edit freed), then done last first: a node before an ancestor that also matched
 * replaces or removes it. */
static size_t apply(xmlDocPtr doc, const struct xml_edit *e, xmlNodeSetPtr set)
{
	xmlNodePtr *todo = xcalloc((size_t)set->nodeNr + 1, sizeof(*todo));
	size_t n = 0;
	for (int k = 0; k < set->nodeNr; k++)
		if (set->nodeTab[k] && editable(doc, set->nodeTab[k], e->op)) {
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

int libvirt_apply_edits(xmlDocPtr doc, const struct plan_vm *vm, char **err)
{
	for (size_t i = 0; i < vm->nxml_edits; i++) {
		struct xml_edit e;
		const char *why;
		if (!xml_edit_parse(vm->xml_edits[i], &e, &why)) {
			*err = xasprintf("VM '%s': libvirt-xml edit '%s': %s", vm->name, vm->xml_edits[i], why);
			return 1;
		}
		xmlXPathObjectPtr r = e.op == XML_EDIT_SET ? find_or_create(doc, e.xpath, 0)
							   : eval(doc, e.xpath);
		bool none = !r || r->type != XPATH_NODESET || !r->nodesetval ||
			    apply(doc, &e, r->nodesetval) == 0;
		if (none)
			*err = xasprintf("VM '%s': libvirt-xml edit '%s' matches nothing it can change "
					 "in the generated domain%s", vm->name, vm->xml_edits[i],
					 e.op == XML_EDIT_SET ? " and cannot create it (only a last "
					 "step that is a plain name or @name can be created)" : "");
		xmlXPathFreeObject(r);
		xml_edit_free(&e);
		if (none)
			return 1;
	}
	return 0;
}
