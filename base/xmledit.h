/* xmledit.h: the libvirt-xml edits of a VM, virt-install's `--xml` syntax: "XPATH=VALUE" sets
 * an attribute or element text (creating it when missing), "xpath.delete=XPATH" removes what
 * XPATH matches. XPATH is relative to <domain> and starts with "./". Parsed by the schema
 * (which reports malformed ones) and applied by the libvirt backend. */
#ifndef VFIOC_XMLEDIT_H
#define VFIOC_XMLEDIT_H

#include <stdbool.h>

#include <libxml/xpath.h>

enum xml_edit_op { XML_EDIT_SET, XML_EDIT_DELETE };

struct xml_edit {
	enum xml_edit_op op;
	char *xpath;   /* malloc'd */
	char *value;   /* malloc'd; NULL for delete */
};

/* Split s into out and compile its XPath. On failure returns false with *why (static). */
bool xml_edit_parse(const char *s, struct xml_edit *out, const char **why);
void xml_edit_free(struct xml_edit *e);
/* A new XPath context on doc (NULL: none, to compile only) whose errors stay quiet: an XPath
 * that fails to evaluate (an undefined prefix...) matches nothing. It may evaluate at most
 * XML_EDIT_OP_LIMIT XPath operations in all (libxml2's opLimit, counted across every
 * evaluation on it): an XPath such as count(//node()[count(//node()[...])]) costs the
 * document's size to the power of its nesting. NULL when out of memory. */
xmlXPathContextPtr xml_edit_context(xmlDocPtr doc);
/* Whether evaluation on ctx stopped at XML_EDIT_OP_LIMIT. */
bool xml_edit_over_budget(xmlXPathContextPtr ctx);
/* A whole VM's edits on a domain of ~150 nodes take a few thousand operations; this many
 * take about 50 ms. */
#define XML_EDIT_OP_LIMIT 2000000ul

#endif
