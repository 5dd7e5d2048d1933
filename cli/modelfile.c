/*
 * modelfile.c — XML model files, format version 1 (schema/zstr-1.xsd).
 *
 * Concept
 * -------
 * A model file is a small XML document; a zm_file keeps the parsed libxml2
 * tree (so --set can change an attribute and check everything again), the
 * compiled schema, and a "spec": every value converted to SI and checked, the
 * phases resolved to ids, interface maps made into pixel codes (image maps read,
 * square/frame/random maps made by the library's generators: nx·ny bytes), the
 * frequency count.  zm_build() only copies the spec into a zstr_model, so it
 * cannot fail on anything the file says (library limits aside), and checking
 * never allocates the 3D grid.
 *
 * Pipeline of zm_load() / zm_load_memory() / zm_set()
 * ---------------------------------------------------
 *  1. Read the file (at most ZM_MAX_FILE bytes; unreadable = ZSTR_EIO).
 *  2. Refuse a DOCTYPE before parsing: a byte scan of the prolog (BOM, blanks,
 *     <?...?>, comments) finds "<!DOCTYPE".  As a second guard, for encodings
 *     the scan cannot read, the parser's internalSubset SAX callback stops the
 *     parser at the DOCTYPE token, before any declaration in it is read, and a
 *     document with a DTD node is refused.  No entity is ever substituted
 *     (no XML_PARSE_NOENT), no DTD loaded (no XML_PARSE_DTDLOAD/DTDATTR), no
 *     network used (XML_PARSE_NONET).
 *  3. Parse with a parser context of our own whose structured error handler
 *     (sax->serror) records the first error with its line, so libxml2 prints
 *     nothing; the schema parser and validator get structured handlers too.
 *     libxml2's process-wide state is not touched beyond xmlInitParser().
 *  4. Root must be <zstr> without a namespace, with version="1" (checked
 *     before the schema for a clearer message).
 *  5. Validate against the embedded schema (zm_schema_xsd, generated from
 *     schema/zstr-1.xsd by scripts/embed.sh): element order, unknown elements
 *     and attributes, enumerations.
 *  6. Semantic checks (below); the first problem is reported, or with
 *     zm_load_all every independent one (a problem ends its element).
 * Messages read "FILE:LINE: <element ...> attribute NAME: problem"; LINE is
 * xmlGetLineNo() of the element.
 *
 * Semantic rules (what the schema cannot say)
 * -------------------------------------------
 * Every numeric attribute goes through zu_parse() with its dimension.
 *  - cell: size 1 or 3 lengths > 0; voxels 1 or 3 whole numbers >= 1, at most
 *    2^31 voxels in all; voxel edge h = size / voxels; temperature > 0 K
 *    (default 298.15 K).  With a <volume file> size and voxels are refused
 *    (the file and its voxel-size give the grid); otherwise required.
 *  - volume: file or generate, not both; each kind takes only its attributes.
 *    File: resolves against the model file's folder; format from the
 *    extension unless given; raw needs dims and type, hdf5 a dataset;
 *    voxel-size 1 or 3 lengths > 0 (required); crop 6 whole numbers; the
 *    file is probed (zstr_volume_probe: header, size, crop and memory, no
 *    voxel read) and its grid, turned so that `axis` is z, is the model's;
 *    at most 2^31 voxels.  grains="true" needs boundary-phase and
 *    boundary-thickness (>= 0, thinner than a voxel edge); phase defaults to
 *    the fill.  Generate: porosity in (0, 1) (required), correlation-length
 *    and minority-length >= 0, minority-fraction in [0, 1 - porosity), seed;
 *    the <cell> grid.  <label>: values unique and possible for the volume
 *    (0..255 for uint8, 0..2 generated); phase a defined one or "pore", which
 *    when undefined becomes a dielectric phase (sigma 0, eps_r 1) appended to
 *    the phases.  A file volume needs a <label> unless grains="true"; a
 *    generated one defaults 0 to the fill phase and 1 to pore, and needs
 *    label 2 when it has a minority phase.  No <grains> with a <volume>.
 *    Labels found in the voxels without a phase are refused when the model is
 *    built (zm_build, zm_build_volume), with the <volume>'s line.
 *  - phase: names unique; conductivity >= 0; permittivity > 0 (no unit);
 *    activation-energy >= 0 (default 0 eV); reference-temperature > 0
 *    (default 298.15 K); at most 256 phases.
 *  - fill/@phase, grains/@phase, grains/@boundary-phase name defined phases;
 *    no <fill> = the first phase.
 *  - grains: mean-size > 0 and not giving more grains than voxels;
 *    boundary-thickness >= 0 and thinner than the smallest voxel edge;
 *    seed a whole number < 2^64 (default 1); no phase = keep the fill.
 *  - interface: one per electrode; reference-temperature > 0 (default
 *    298.15 K); contact resistance, capacitance, activation-energy >= 0
 *    (default 0 = ideal contact); pore capacitance >= 0; sei resistance > 0,
 *    capacitance and activation-energy >= 0; no <map> = kind full.  Some
 *    pixel must pass current: contact, sei, or pore with a capacitance.
 *  - temperatures outside 150 .. 700 K are a warning (zm_warning), not an
 *    error: a unitless temperature is kelvin, "25" most likely meant 25 C.
 *  - map: each kind takes only its attributes (full: none; square, frame:
 *    contact-fraction, rest; random: contact-fraction, correlation-length,
 *    seed, rest; image: file; volume: phase) and <level> only with kind image.
 *    Kind volume: WE only, with a <volume> and a <pore>; phase (default pore)
 *    names the phase whose top-layer voxels become pore pixels; the pixels
 *    are made when the model is built, which refuses a map passing no current.
 *    contact-fraction in [0, 1]; correlation-length >= 0 (default 0); rest
 *    default pore.  A map that can make pore (sei) pixels needs a <pore>
 *    (<sei>) in its interface.
 *  - image maps: file resolves against the model file's folder (the current
 *    directory for the default model); PGM (P2 or P5, maxval <= 65535) or PNG
 *    (the stored samples: grey of 1–16 bits with no gamma or scaling, alpha
 *    ignored, palette images by index, colour only when r = g = b); exactly nx × ny pixels; image column c is x = c and
 *    image row r is y = ny − 1 − r (the top row is the far edge y = ny − 1, so
 *    the map looks like the picture in a plot with y upwards).  Grey levels
 *    are the stored numbers; every level present needs one <level>; <level>
 *    values are unique.
 *  - frequencies: either values (one or more, each >= 0 Hz; 0 = DC) or all of
 *    from > 0, to >= from, per-decade > 0, giving at most 10^6 frequencies
 *    (counted in log space, as zstr_frequencies_log).  --set of values removes
 *    from/to/per-decade and vice versa.
 *
 * --set paths (zm_set)
 * --------------------
 * Every element has a full path: the tag names from the root down, each
 * followed by its identifying value when it has one (<phase name>,
 * <interface electrode>, <level value>): zstr.interface.we.map.  A --set path
 * "P1.P2...Pk.ATTR" matches attribute ATTR of element E when ATTR is allowed
 * on E by the schema (the allowed names are read from the embedded XSD itself,
 * so the two cannot drift) and P1..Pk occur in that order in E's full path.
 * Exactly one match is required.  The change is validated like a new file and
 * undone on failure.
 */
#include "modelfile.h"
#include "units.h"
#include "zstr_volume.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlstring.h>
#include <png.h>
#include <setjmp.h>

/* The schema, generated by scripts/embed.sh (NUL-terminated). */
extern const unsigned char zm_schema_xsd[];
extern const size_t zm_schema_xsd_len;

#define ZM_MAX_FILE (16L * 1024 * 1024) /* bytes of a model file */
#define ZM_MAX_VOXELS 2147483648.0      /* 2^31 voxels in all */
#define ZM_MAX_FREQS 1000000.0          /* frequencies of one spectrum */
#define ZM_MAX_PHASES 256               /* the library's limit */
#define ZM_T_DEFAULT 298.15             /* K */
#define ZM_MAX_ATTRS 24                 /* attributes of one element in the schema */
#define ZM_PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_BIG_LINES)

#if defined(__GNUC__)
#define ZM_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ZM_PRINTF(a, b)
#endif

#if LIBXML_VERSION >= 21200
typedef const xmlError *zm_xml_error;
#else
typedef xmlErrorPtr zm_xml_error;
#endif

/* ------------------------------------------------------------------------- */
/* The default model: the paper's τ_Cstr < τ_CT case at a quick size         */
/* ------------------------------------------------------------------------- */

static const char default_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!-- zstr default model: Eckhardt et al. 2023, case tau_Cstr < tau_CT\n"
    "     (LLZO-like garnet, Li metal WE, Voronoi grains, one centred square\n"
    "     contact spot of 22 %), on a 24^3 grid so that it runs in seconds. -->\n"
    "<zstr version=\"1\">\n"
    "  <cell size=\"100 um\" voxels=\"24\" temperature=\"298.15 K\"/>\n"
    "  <phase name=\"bulk\" conductivity=\"0.46 mS/cm\" permittivity=\"150\""
    " activation-energy=\"0.34 eV\"/>\n"
    "  <phase name=\"gb\" conductivity=\"5.97 uS/cm\" permittivity=\"150\""
    " activation-energy=\"0.43 eV\"/>\n"
    "  <fill phase=\"bulk\"/>\n"
    "  <grains mean-size=\"10 um\" seed=\"1\" phase=\"bulk\" boundary-phase=\"gb\""
    " boundary-thickness=\"10 nm\"/>\n"
    "  <interface electrode=\"we\">\n"
    "    <contact resistance=\"0.5 Ohm*cm2\" capacitance=\"1.77 F/cm2\""
    " activation-energy=\"0.43 eV\"/>\n"
    "    <pore capacitance=\"885 uF/cm2\"/>\n"
    "    <map kind=\"square\" contact-fraction=\"0.22\" rest=\"pore\"/>\n"
    "  </interface>\n"
    "  <frequencies from=\"1 mHz\" to=\"10 MHz\" per-decade=\"8\"/>\n"
    "</zstr>\n";

const char *zm_default_xml(void) { return default_xml; }

/* ------------------------------------------------------------------------- */
/* Data structures                                                           */
/* ------------------------------------------------------------------------- */

enum { ZM_FULL, ZM_SQUARE, ZM_FRAME, ZM_RANDOM, ZM_IMAGE, ZM_VOLMAP };

typedef struct zm_phase {
    char name[64];
    long line;
    double sigma, eps, ea, tref;
} zm_phase;

typedef struct zm_iface {
    int present;
    long line;
    zstr_interface_params p;
    int kind;        /* ZM_FULL ... */
    double fraction; /* square, frame, random */
    double corr;     /* random: correlation length [m] */
    uint64_t seed;   /* random */
    int rest;        /* zstr_pixel of non-contact pixels */
    uint8_t *pixels; /* image: nx·ny pixel codes */
    int pore_phase;  /* kind volume: top voxels of this phase are pore pixels */
    long map_line;   /* kind volume: its <map>, for errors found when built */
} zm_iface;

/* A <volume>: a file to read or a synthetic microstructure to make, and its
 * label table.  Only what the file's header says is known when checking
 * (zstr_volume_probe); the voxels are read by zm_build / zm_build_volume. */
typedef struct zm_volume {
    int present;
    long line;
    int generate;            /* 1: synthetic (synth), 0: a file (read) */
    char path[4096];         /* resolved against the model file's folder */
    char dataset[256];       /* hdf5 (read.dataset points here when used) */
    zstr_volume_read_options read;
    zstr_synth_params synth;
    int axis;                /* transport axis of the volume, 0..2 */
    int64_t n[3];            /* the volume's grid (its own axes) */
    int grains;              /* labels are grain ids of grain_phase */
    int grain_phase, gb_phase;
    double gb_thickness;
    int nlabels;             /* label_phase[0..nlabels): phase id or -1 */
    int *label_phase;
} zm_volume;

/* Everything the document says, in SI, checked. */
typedef struct zm_spec {
    int64_t n[3];
    double h[3];
    double temperature;
    int nphases;
    zm_phase *phases;
    int fill;
    int grains;
    double mean_size, gb_thickness;
    uint64_t grain_seed;
    int grain_phase, gb_phase;
    zm_iface iface[2];
    zm_volume vol;
    int flog; /* 1: from/to/per-decade; 0: values */
    double ffrom, fto, fpd;
    double *fvalues;
    int64_t nfvalues;
    char (*warnings)[640]; /* not errors: the run goes on (zm_warning) */
    int nwarnings;
} zm_spec;

/* An element of the schema and the attributes it allows (for zm_set). */
typedef struct zm_eldef {
    char name[32];
    int nattr;
    char attr[ZM_MAX_ATTRS][32];
} zm_eldef;

struct zm_file {
    char *name; /* for messages and zm_name() */
    char *base; /* folder for relative paths, "" = cwd */
    xmlDocPtr doc;
    xmlSchemaPtr schema;
    zm_spec spec;
    zm_eldef *defs; /* read from the XSD on the first zm_set() */
    int ndefs;
};

/* Context of one semantic check. */
/* Context of one semantic check.  With note != NULL every independent problem
 * is passed to it and the check goes on (zm_load_all); else it stops at the
 * first. */
typedef struct zm_ctx {
    const char *name;
    const char *base;
    zstr_error *err;
    void (*note)(void *ctx, const zstr_error *e);
    void *note_ctx;
    int *noted; /* problems passed to note so far */
} zm_ctx;

/* ------------------------------------------------------------------------- */
/* Errors                                                                    */
/* ------------------------------------------------------------------------- */

static int zm_vfail(zstr_error *err, int code, const char *file, long line, long column,
                    const char *fmt, va_list ap) ZM_PRINTF(6, 0);
static int zm_fail(zstr_error *err, int code, const char *file, long line, long column,
                   const char *fmt, ...) ZM_PRINTF(6, 7);

static int zm_vfail(zstr_error *err, int code, const char *file, long line, long column,
                    const char *fmt, va_list ap)
{
    if (err == NULL)
        return code;
    const char *fn = file != NULL ? file : "";
    int plen = 0;
    if (*fn != '\0' && line > 0)
        plen = snprintf(err->message, sizeof err->message, "%.200s:%ld: ", fn, line);
    else if (*fn != '\0')
        plen = snprintf(err->message, sizeof err->message, "%.200s: ", fn);
    if (plen < 0)
        plen = 0;
    vsnprintf(err->message + plen, sizeof err->message - (size_t)plen, fmt, ap);
    snprintf(err->file, sizeof err->file, "%s", fn);
    err->code = code;
    err->line = line > 0 ? line : 0;
    err->column = column > 0 ? column : 0;
    return code;
}

static int zm_fail(zstr_error *err, int code, const char *file, long line, long column,
                   const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = zm_vfail(err, code, file, line, column, fmt, ap);
    va_end(ap);
    return rc;
}

/* ------------------------------------------------------------------------- */
/* libxml2: capturing errors, refusing DOCTYPEs, parsing                     */
/* ------------------------------------------------------------------------- */

typedef struct zm_capture {
    const zm_ctx *all; /* schema errors: pass every one to all->note */
    int have;          /* an error was recorded */
    long line, column;
    char msg[400];
    int doctype; /* the parser met a DOCTYPE */
    long doctype_line;
} zm_capture;

/* Keep the first error (warnings are ignored), without its trailing newline. */
static void note_schema_error(const zm_ctx *all, zm_xml_error e);

/* Pass a problem on; the first one is also the caller's error record. */
static void noted(const zm_ctx *c, const zstr_error *rec)
{
    if ((*c->noted)++ == 0 && c->err != NULL)
        *c->err = *rec;
    c->note(c->note_ctx, rec);
}

static void capture(zm_capture *c, zm_xml_error e)
{
    if (c != NULL && c->all != NULL && c->all->note != NULL && e != NULL &&
        e->level >= XML_ERR_ERROR)
        note_schema_error(c->all, e);
    if (c == NULL || e == NULL || c->have || e->level < XML_ERR_ERROR)
        return;
    c->have = 1;
    c->line = e->line;
    c->column = e->domain == XML_FROM_PARSER ? e->int2 : 0;
    if (c->line <= 0 && e->node != NULL)
        c->line = xmlGetLineNo((xmlNodePtr)e->node);
    snprintf(c->msg, sizeof c->msg, "%s", e->message != NULL ? e->message : "XML error");
    /* One line: libxml2 ends messages with '\n' and some span two lines. */
    size_t n = strlen(c->msg);
    while (n > 0 && (c->msg[n - 1] == '\n' || c->msg[n - 1] == ' ' || c->msg[n - 1] == '\r'))
        c->msg[--n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (c->msg[i] == '\n' || c->msg[i] == '\r')
            c->msg[i] = ' ';
}

/* One schema error as a problem of its own (zm_load_all). */
static void note_schema_error(const zm_ctx *all, zm_xml_error e)
{
    zm_capture one;
    memset(&one, 0, sizeof one);
    capture(&one, e);
    zstr_error rec;
    zm_fail(&rec, ZSTR_EINVAL, all->name, one.line, 0, "%s", one.msg);
    noted(all, &rec);
}

/* Parser errors: libxml2 passes ctxt->userData, the parser context itself. */
static void parser_error(void *ctx, zm_xml_error e)
{
    xmlParserCtxtPtr p = ctx;
    capture(p != NULL ? p->_private : NULL, e);
}

static void schema_error(void *data, zm_xml_error e) { capture(data, e); }

/* SAX internalSubset: called at "<!DOCTYPE name ...", before its declarations
 * are read.  Stop there. */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
                           const xmlChar *system_id)
{
    (void)name;
    (void)external_id;
    (void)system_id;
    xmlParserCtxtPtr p = ctx;
    zm_capture *c = p->_private;
    if (!c->doctype) {
        c->doctype = 1;
        c->doctype_line = xmlSAX2GetLineNumber(ctx);
    }
    xmlStopParser(p);
}

static int starts_with(const char *s, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    return n >= k && memcmp(s, lit, k) == 0;
}

/* Line of a "<!DOCTYPE" in the prolog (before the root element), or 0. */
static long prolog_doctype(const char *s, size_t n)
{
    size_t i = starts_with(s, n, "\xEF\xBB\xBF") ? 3 : 0;
    long line = 1;
    while (i < n) {
        char ch = s[i];
        if (ch == '\n') {
            line++;
            i++;
        } else if (ch == ' ' || ch == '\t' || ch == '\r') {
            i++;
        } else if (starts_with(s + i, n - i, "<!DOCTYPE")) {
            return line;
        } else if (starts_with(s + i, n - i, "<?") || starts_with(s + i, n - i, "<!--")) {
            const char *end = s[i + 1] == '?' ? "?>" : "-->";
            size_t j = i + 2;
            while (j < n && !starts_with(s + j, n - j, end)) {
                if (s[j] == '\n')
                    line++;
                j++;
            }
            if (j >= n)
                return 0; /* unterminated: the parser will say so */
            i = j + strlen(end);
        } else {
            return 0;
        }
    }
    return 0;
}

static const char doctype_msg[] =
    "a DOCTYPE is not allowed in zstr model files (no DTD, no entities)";

/* Parse a document safely.  name labels messages; *out on success. */
static int parse_xml(const char *xml, size_t len, const char *name, xmlDocPtr *out, zstr_error *err)
{
    *out = NULL;
    size_t i = 0;
    while (i < len && (xml[i] == ' ' || xml[i] == '\t' || xml[i] == '\n' || xml[i] == '\r'))
        i++;
    if (i == len)
        return zm_fail(err, ZSTR_EINVAL, name, 0, 0,
                       "empty file (expected a <zstr version=\"1\"> document)");
    if (len > (size_t)ZM_MAX_FILE)
        return zm_fail(err, ZSTR_EINVAL, name, 0, 0, "document larger than %ld bytes", ZM_MAX_FILE);
    long dl = prolog_doctype(xml, len);
    if (dl > 0)
        return zm_fail(err, ZSTR_EINVAL, name, dl, 0, "%s", doctype_msg);

    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (ctxt == NULL || ctxt->sax == NULL) {
        xmlFreeParserCtxt(ctxt);
        return zm_fail(err, ZSTR_ENOMEM, name, 0, 0, "out of memory (XML parser)");
    }
    zm_capture cap;
    memset(&cap, 0, sizeof cap);
    ctxt->_private = &cap;
    ctxt->sax->serror = parser_error;
    ctxt->sax->internalSubset = refuse_doctype;
    xmlDocPtr doc = xmlCtxtReadMemory(ctxt, xml, (int)len, name, NULL, ZM_PARSE_OPTIONS);
    xmlFreeParserCtxt(ctxt);

    int rc = ZSTR_OK;
    if (cap.doctype || (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL)))
        rc = zm_fail(err, ZSTR_EINVAL, name, cap.doctype_line, 0, "%s", doctype_msg);
    else if (cap.have)
        rc = zm_fail(err, ZSTR_EINVAL, name, cap.line, cap.column, "not well-formed XML: %s",
                     cap.msg);
    else if (doc == NULL)
        rc = zm_fail(err, ZSTR_EINVAL, name, 0, 0, "not well-formed XML");
    if (rc != ZSTR_OK) {
        xmlFreeDoc(doc);
        return rc;
    }
    *out = doc;
    return ZSTR_OK;
}

static int schema_compile(xmlSchemaPtr *out, zstr_error *err)
{
    *out = NULL;
    zm_capture cap;
    memset(&cap, 0, sizeof cap);
    xmlSchemaParserCtxtPtr pc =
        xmlSchemaNewMemParserCtxt((const char *)zm_schema_xsd, (int)zm_schema_xsd_len);
    if (pc == NULL)
        return zm_fail(err, ZSTR_ENOMEM, "zstr-1.xsd", 0, 0, "out of memory (schema)");
    xmlSchemaSetParserStructuredErrors(pc, schema_error, &cap);
    *out = xmlSchemaParse(pc);
    xmlSchemaFreeParserCtxt(pc);
    if (*out == NULL)
        return zm_fail(err, ZSTR_EINVAL, "zstr-1.xsd", cap.line, 0,
                       "internal error: the embedded schema does not compile: %s",
                       cap.have ? cap.msg : "?");
    return ZSTR_OK;
}

static int schema_validate(xmlSchemaPtr schema, xmlDocPtr doc, const zm_ctx *c)
{
    const char *name = c->name;
    zstr_error *err = c->err;
    zm_capture cap;
    memset(&cap, 0, sizeof cap);
    cap.all = c;
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    if (vc == NULL)
        return zm_fail(err, ZSTR_ENOMEM, name, 0, 0, "out of memory (schema validation)");
    xmlSchemaSetValidStructuredErrors(vc, schema_error, &cap);
    int r = xmlSchemaValidateDoc(vc, doc);
    xmlSchemaFreeValidCtxt(vc);
    if (r == 0 && !cap.have)
        return ZSTR_OK;
    return zm_fail(err, ZSTR_EINVAL, name, cap.line, 0, "%s",
                   cap.have ? cap.msg : "document does not follow the zstr-1 schema");
}

/* ------------------------------------------------------------------------- */
/* Small helpers for the semantic checks                                     */
/* ------------------------------------------------------------------------- */

static int is_el(xmlNodePtr n, const char *tag)
{
    return n != NULL && n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST tag);
}

static xmlNodePtr next_el(xmlNodePtr n)
{
    while (n != NULL && n->type != XML_ELEMENT_NODE)
        n = n->next;
    return n;
}

/* Identifying attribute of an element (part of its --set path), or NULL. */
static const char *key_attr(const xmlChar *tag)
{
    if (xmlStrEqual(tag, BAD_CAST "phase"))
        return "name";
    if (xmlStrEqual(tag, BAD_CAST "interface"))
        return "electrode";
    if (xmlStrEqual(tag, BAD_CAST "level") || xmlStrEqual(tag, BAD_CAST "label"))
        return "value";
    return NULL;
}

/* "<phase name=\"gb\">", "<interface electrode=\"we\"> <map>" ... */
static void describe(xmlNodePtr el, char *buf, size_t size)
{
    char parent[192] = "";
    xmlNodePtr p = el->parent;
    if (p != NULL && p->type == XML_ELEMENT_NODE && p->parent != NULL &&
        p->parent->type == XML_ELEMENT_NODE)
        describe(p, parent, sizeof parent);
    const char *key = key_attr(el->name);
    xmlChar *kv = key != NULL ? xmlGetNoNsProp(el, BAD_CAST key) : NULL;
    if (kv != NULL)
        snprintf(buf, size, "%s%s<%s %s=\"%.64s\">", parent, *parent ? " " : "",
                 (const char *)el->name, key, (const char *)kv);
    else
        snprintf(buf, size, "%s%s<%s>", parent, *parent ? " " : "", (const char *)el->name);
    xmlFree(kv);
}

static int sem_fail(const zm_ctx *c, int code, xmlNodePtr el, const char *attr, const char *fmt,
                    ...) ZM_PRINTF(5, 6);

/* An error about element el (and attribute attr, when not NULL). */
static int sem_fail(const zm_ctx *c, int code, xmlNodePtr el, const char *attr, const char *fmt,
                    ...)
{
    char what[400], d[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    describe(el, d, sizeof d);
    long line = xmlGetLineNo(el);
    zstr_error rec;
    memset(&rec, 0, sizeof rec);
    zstr_error *e = c->note != NULL ? &rec : c->err;
    if (attr != NULL)
        zm_fail(e, code, c->name, line, 0, "%s attribute %s: %s", d, attr, what);
    else
        zm_fail(e, code, c->name, line, 0, "%s: %s", d, what);
    if (c->note != NULL)
        noted(c, &rec);
    return code;
}

/* "'<text>' <rule>" about attribute attr of el. */
static int bad_value(const zm_ctx *c, xmlNodePtr el, const char *attr, const char *rule)
{
    xmlChar *t = xmlGetNoNsProp(el, BAD_CAST attr);
    int rc = sem_fail(c, ZSTR_EINVAL, el, attr, "'%.100s' %s", t ? (const char *)t : "", rule);
    xmlFree(t);
    return rc;
}

/* Attribute attr of el as a quantity of dimension dim; absent: *v = def.
 * *present (optional) tells which. */
static int get_q(const zm_ctx *c, xmlNodePtr el, const char *attr, zu_dim dim, double def,
                 double *v, int *present)
{
    xmlChar *t = xmlGetNoNsProp(el, BAD_CAST attr);
    if (present != NULL)
        *present = t != NULL;
    if (t == NULL) {
        *v = def;
        return ZSTR_OK;
    }
    char msg[256];
    int r = zu_parse((const char *)t, dim, v, msg, sizeof msg);
    xmlFree(t);
    if (r != 0)
        return sem_fail(c, ZSTR_EINVAL, el, attr, "%s", msg);
    return ZSTR_OK;
}

/* Temperatures where solid electrolytes are measured and used: liquid
 * nitrogen (77 K) is below any ion conduction worth a spectrum, and above about
 * 700 K the cells of interest decompose.  150 .. 700 K leaves room on both
 * sides; outside it the value is most likely a Celsius number written without
 * its unit (a unitless temperature is kelvin). */
#define ZM_T_PLAUSIBLE_LO 150.0
#define ZM_T_PLAUSIBLE_HI 700.0

static void add_warning(const zm_ctx *c, zm_spec *s, xmlNodePtr el, const char *attr,
                        const char *fmt, ...) ZM_PRINTF(5, 6);

/* A note on element el that does not stop the run. */
static void add_warning(const zm_ctx *c, zm_spec *s, xmlNodePtr el, const char *attr,
                        const char *fmt, ...)
{
    char (*grown)[640] = realloc(s->warnings, (size_t)(s->nwarnings + 1) * sizeof *grown);
    if (grown == NULL)
        return; /* a warning is no reason to fail */
    s->warnings = grown;
    char what[300], d[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    describe(el, d, sizeof d);
    snprintf(s->warnings[s->nwarnings++], sizeof *grown,
             "%.60s:%ld: %.200s attribute %.40s: %.300s",
             c->name, xmlGetLineNo(el), d, attr, what);
}

/* A temperature attribute (get_q with dimension temperature), with a warning
 * when it lies outside the plausible range. */
static int get_temperature(const zm_ctx *c, zm_spec *s, xmlNodePtr el, const char *attr,
                           double *v)
{
    int present = 0;
    int rc = get_q(c, el, attr, ZU_TEMPERATURE, ZM_T_DEFAULT, v, &present);
    if (rc == ZSTR_OK && present && *v > 0.0 &&
        (*v < ZM_T_PLAUSIBLE_LO || *v > ZM_T_PLAUSIBLE_HI)) {
        xmlChar *t = xmlGetNoNsProp(el, BAD_CAST attr);
        const char *txt = t != NULL ? (const char *)t : "";
        size_t len = strlen(txt);
        while (len > 0 && (txt[len - 1] == ' ' || txt[len - 1] == '\t'))
            len--;
        char last = len > 0 ? txt[len - 1] : ' ';
        int unitless = (last >= '0' && last <= '9') || last == '.';
        char hint[160] = "";
        if (unitless)
            snprintf(hint, sizeof hint,
                     "; a number without a unit is kelvin (write \"%.6g C\" or \"%.6g degC\" "
                     "for Celsius)",
                     *v, *v);
        add_warning(c, s, el, attr, "'%.40s' is %.6g K, outside %.0f .. %.0f K where solid "
                    "electrolytes are used%s",
                    txt, *v, ZM_T_PLAUSIBLE_LO, ZM_T_PLAUSIBLE_HI, hint);
        xmlFree(t);
    }
    return rc;
}

/* Items of a list that start like a number (digit, sign or point). */
static int count_numbers(const char *t)
{
    int n = 0, start = 1;
    for (; *t != '\0'; t++) {
        int sep = *t == ' ' || *t == '\t' || *t == '\n' || *t == '\r' || *t == ',';
        if (start && !sep && ((*t >= '0' && *t <= '9') || *t == '-' || *t == '+' || *t == '.'))
            n++;
        start = sep;
    }
    return n;
}

/* A list of quantities; *vals malloc'ed (at least one entry). */
static int get_list(const zm_ctx *c, xmlNodePtr el, const char *attr, zu_dim dim, double **vals,
                    int *n)
{
    *vals = NULL;
    *n = 0;
    xmlChar *t = xmlGetNoNsProp(el, BAD_CAST attr);
    if (t == NULL)
        return sem_fail(c, ZSTR_EINVAL, el, attr, "missing");
    size_t len = strlen((const char *)t);
    int blank = 1;
    for (size_t i = 0; i < len; i++)
        if (t[i] != ' ' && t[i] != '\t' && t[i] != '\n' && t[i] != '\r' && t[i] != ',')
            blank = 0;
    if (blank) {
        xmlFree(t);
        return sem_fail(c, ZSTR_EINVAL, el, attr, "no value given");
    }
    int max = len < 1000000 ? (int)len + 1 : 1000001;
    double *v = malloc((size_t)max * sizeof *v);
    if (v == NULL) {
        xmlFree(t);
        return sem_fail(c, ZSTR_ENOMEM, el, attr, "out of memory");
    }
    /* One quantity may contain a blank ("100 um"): try it whole first. */
    char msg[256], msg1[256];
    int r = 0;
    if (zu_parse((const char *)t, dim, &v[0], msg1, sizeof msg1) == 0) {
        *n = 1;
    } else {
        r = zu_parse_list((const char *)t, dim, v, max, n, msg, sizeof msg);
        /* "100 Hz" for a length: one number, so the single-value reason
         * ("unit 'Hz' is a frequency ...") says more than the list's. */
        if (r != 0 && count_numbers((const char *)t) <= 1)
            snprintf(msg, sizeof msg, "%s", msg1);
    }
    xmlFree(t);
    if (r != 0 || *n < 1) {
        free(v);
        *n = 0;
        return sem_fail(c, ZSTR_EINVAL, el, attr, "%s", r != 0 ? msg : "no value given");
    }
    *vals = v;
    return ZSTR_OK;
}

/* A seed: decimal, < 2^64 (the schema allows digits only). */
static int get_seed(const zm_ctx *c, xmlNodePtr el, const char *attr, uint64_t *seed)
{
    xmlChar *t = xmlGetNoNsProp(el, BAD_CAST attr);
    *seed = 1;
    if (t == NULL)
        return ZSTR_OK;
    const char *s = (const char *)t;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    int ok = errno == 0 && end != s && *end == '\0' && s[0] >= '0' && s[0] <= '9';
    xmlFree(t);
    if (!ok)
        return bad_value(c, el, attr, "is not a whole number below 2^64");
    *seed = (uint64_t)v;
    return ZSTR_OK;
}

static int find_phase(const zm_spec *s, const char *name)
{
    for (int i = 0; i < s->nphases; i++)
        if (strcmp(s->phases[i].name, name) == 0)
            return i;
    return -1;
}

/* Attribute attr of el names a phase; *id its number (absent: *id = def). */
static int get_phase_ref(const zm_ctx *c, const zm_spec *s, xmlNodePtr el, const char *attr,
                         int def, int *id)
{
    xmlChar *t = xmlGetNoNsProp(el, BAD_CAST attr);
    if (t == NULL) {
        *id = def;
        return ZSTR_OK;
    }
    *id = find_phase(s, (const char *)t);
    int rc = ZSTR_OK;
    if (*id < 0)
        rc = sem_fail(c, ZSTR_EINVAL, el, attr, "no <phase name=\"%.64s\"> is defined",
                      (const char *)t);
    xmlFree(t);
    return rc;
}

/* String value of an attribute compared with a literal (absent: 0). */
static int attr_is(xmlNodePtr el, const char *attr, const char *lit)
{
    xmlChar *t = xmlGetNoNsProp(el, BAD_CAST attr);
    int eq = t != NULL && xmlStrEqual(t, BAD_CAST lit);
    xmlFree(t);
    return eq;
}

static void spec_free(zm_spec *s)
{
    free(s->warnings);
    free(s->phases);
    free(s->fvalues);
    free(s->iface[0].pixels);
    free(s->iface[1].pixels);
    free(s->vol.label_phase);
    memset(s, 0, sizeof *s);
}

/* ------------------------------------------------------------------------- */
/* Image maps: PGM (own reader) and PNG (libpng, stored samples)             */
/* ------------------------------------------------------------------------- */

/* Unsigned decimal after blanks and '#' comments; the character after it is
 * consumed and must be a blank (or EOF when eof_ok).  0 ok, -1 otherwise. */
static int pgm_uint(FILE *fp, unsigned long max, int eof_ok, unsigned long *v)
{
    int ch;
    for (;;) {
        ch = getc(fp);
        if (ch == '#') {
            while ((ch = getc(fp)) != EOF && ch != '\n')
                ;
            continue;
        }
        if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f')
            continue;
        break;
    }
    if (ch < '0' || ch > '9')
        return -1;
    unsigned long x = 0;
    while (ch >= '0' && ch <= '9') {
        x = x * 10 + (unsigned long)(ch - '0');
        if (x > max)
            return -1;
        ch = getc(fp);
    }
    if (ch == '#')
        ungetc(ch, fp);
    else if (!(ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f' ||
               (ch == EOF && eof_ok)))
        return -1;
    *v = x;
    return 0;
}

static int size_mismatch(char *msg, size_t size, unsigned long w, unsigned long h, int64_t nx,
                         int64_t ny)
{
    snprintf(msg, size, "the image is %lux%lu pixels, the cell face is %lldx%lld voxels", w, h,
             (long long)nx, (long long)ny);
    return ZSTR_EINVAL;
}

/* PGM after its magic: header, then the raster (binary for P5). */
static int read_pgm(FILE *fp, int binary, int64_t nx, int64_t ny, uint16_t **grey, char *msg,
                    size_t msize)
{
    unsigned long w, h, maxval;
    if (pgm_uint(fp, 1000000000UL, 0, &w) != 0 || pgm_uint(fp, 1000000000UL, 0, &h) != 0 ||
        pgm_uint(fp, 65535UL, 0, &maxval) != 0 || w == 0 || h == 0 || maxval == 0) {
        snprintf(msg, msize, "bad PGM header (expected width, height, maxval 1..65535)");
        return ZSTR_EINVAL;
    }
    if ((int64_t)w != nx || (int64_t)h != ny)
        return size_mismatch(msg, msize, w, h, nx, ny);
    size_t npx = (size_t)w * (size_t)h, bpp = maxval > 255 ? 2 : 1;
    /* Never allocate for a raster the file cannot hold. */
    struct stat st;
    long pos = ftell(fp);
    if (fstat(fileno(fp), &st) == 0 && pos >= 0 && S_ISREG(st.st_mode)) {
        size_t left = (size_t)(st.st_size - pos);
        if (left < (binary ? npx * bpp : npx)) {
            snprintf(msg, msize, "PGM raster is truncated");
            return ZSTR_EINVAL;
        }
    }
    uint16_t *g = malloc(npx * sizeof *g);
    if (g == NULL) {
        snprintf(msg, msize, "out of memory");
        return ZSTR_ENOMEM;
    }
    for (size_t i = 0; i < npx; i++) {
        unsigned long v;
        if (binary) {
            int b0 = getc(fp), b1 = bpp == 2 ? getc(fp) : 0;
            if (b0 == EOF || b1 == EOF) {
                snprintf(msg, msize, "PGM raster is truncated");
                free(g);
                return ZSTR_EINVAL;
            }
            v = bpp == 2 ? ((unsigned long)b0 << 8 | (unsigned long)b1) : (unsigned long)b0;
        } else if (pgm_uint(fp, 65535UL, 1, &v) != 0) {
            snprintf(msg, msize, "PGM raster: pixel %zu is missing or not a number", i + 1);
            free(g);
            return ZSTR_EINVAL;
        }
        if (v > maxval) {
            snprintf(msg, msize, "PGM pixel %zu has value %lu above maxval %lu", i + 1, v, maxval);
            free(g);
            return ZSTR_EINVAL;
        }
        g[i] = (uint16_t)v;
    }
    *grey = g;
    return ZSTR_OK;
}

/* libpng reports errors by longjmp; the message is kept for ours. */
static void png_fail(png_structp png, png_const_charp text)
{
    char *keep = png_get_error_ptr(png);
    snprintf(keep, 160, "%s", text);
    png_longjmp(png, 1);
}

static void png_quiet(png_structp png, png_const_charp text)
{
    (void)png;
    (void)text; /* warnings (an odd chunk) do not change the samples */
}

/* The stored samples, as the banner says: grey of any bit depth (1–16, no
 * gamma or scaling applied: a stored 128 reads 128), grey + alpha (alpha
 * ignored), palette images by their index; colour images only when every pixel
 * has r = g = b (then that value). */
static int read_png(FILE *fp, int64_t nx, int64_t ny, uint16_t **grey, char *msg, size_t msize)
{
    char why[160] = "";
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, why, png_fail, png_quiet);
    png_infop info = png != NULL ? png_create_info_struct(png) : NULL;
    if (png == NULL || info == NULL) {
        png_destroy_read_struct(&png, &info, NULL);
        snprintf(msg, msize, "out of memory");
        return ZSTR_ENOMEM;
    }
    uint16_t *volatile g = NULL;
    png_bytep volatile row = NULL;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(row);
        free(g);
        snprintf(msg, msize, "unreadable PNG: %s", why);
        return ZSTR_EINVAL;
    }
    png_init_io(png, fp);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    int depth = png_get_bit_depth(png, info), type = png_get_color_type(png, info);
    if ((int64_t)w != nx || (int64_t)h != ny) {
        png_destroy_read_struct(&png, &info, NULL);
        return size_mismatch(msg, msize, w, h, nx, ny);
    }
    if (png_get_interlace_type(png, info) != PNG_INTERLACE_NONE) {
        png_destroy_read_struct(&png, &info, NULL);
        snprintf(msg, msize, "interlaced PNG: save it without interlacing, or as a PGM");
        return ZSTR_EINVAL;
    }
    if (depth < 8)
        png_set_packing(png); /* one byte per sample, values kept (no scaling) */
    png_read_update_info(png, info);
    int channels = png_get_channels(png, info);
    size_t rowbytes = png_get_rowbytes(png, info);
    g = malloc((size_t)w * (size_t)h * sizeof *g);
    row = malloc(rowbytes);
    if (g == NULL || row == NULL) {
        png_destroy_read_struct(&png, &info, NULL);
        free(row);
        free(g);
        snprintf(msg, msize, "out of memory");
        return ZSTR_ENOMEM;
    }
    int bytes = depth == 16 ? 2 : 1;
    int colour = (type & PNG_COLOR_MASK_COLOR) && type != PNG_COLOR_TYPE_PALETTE;
    for (png_uint_32 y = 0; y < h; y++) {
        png_read_row(png, row, NULL);
        for (png_uint_32 x = 0; x < w; x++) {
            const png_byte *px = row + (size_t)x * (size_t)channels * (size_t)bytes;
            unsigned v[3] = {0, 0, 0};
            for (int c = 0; c < (colour ? 3 : 1); c++)
                v[c] = bytes == 2 ? (unsigned)px[2 * c] << 8 | px[2 * c + 1] : px[c];
            if (colour && (v[0] != v[1] || v[1] != v[2])) {
                png_destroy_read_struct(&png, &info, NULL);
                free(row);
                free(g);
                snprintf(msg, msize,
                         "colour PNG: pixel (%u, %u) is not grey (r %u, g %u, b %u); save "
                         "the map as grey",
                         (unsigned)x, (unsigned)y, v[0], v[1], v[2]);
                return ZSTR_EINVAL;
            }
            g[(size_t)y * w + x] = (uint16_t)v[0];
        }
    }
    png_destroy_read_struct(&png, &info, NULL);
    free(row);
    *grey = g;
    return ZSTR_OK;
}

/* Read an image of nx × ny pixels into grey (row-major, row 0 = top).
 * ZSTR_EIO when the file cannot be opened, ZSTR_EINVAL for its content. */
static int read_image(const char *path, int64_t nx, int64_t ny, uint16_t **grey, char *msg,
                      size_t msize)
{
    *grey = NULL;
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        snprintf(msg, msize, "cannot open image '%.300s': %s", path, strerror(errno));
        return ZSTR_EIO;
    }
    unsigned char magic[8] = {0};
    size_t got = fread(magic, 1, sizeof magic, fp);
    int rc;
    if (got >= 2 && magic[0] == 'P' && (magic[1] == '2' || magic[1] == '5')) {
        if (fseek(fp, 2, SEEK_SET) != 0) {
            snprintf(msg, msize, "cannot read image '%.300s'", path);
            rc = ZSTR_EIO;
        } else {
            rc = read_pgm(fp, magic[1] == '5', nx, ny, grey, msg, msize);
        }
    } else if (got == 8 && png_sig_cmp(magic, 0, 8) == 0) {
        rewind(fp);
        rc = read_png(fp, nx, ny, grey, msg, msize);
    } else if (ferror(fp)) {
        snprintf(msg, msize, "cannot read image '%.300s': %s", path, strerror(errno));
        rc = ZSTR_EIO;
    } else {
        snprintf(msg, msize, "'%.300s' is neither a PGM (P2, P5) nor a PNG image", path);
        rc = ZSTR_EINVAL;
    }
    fclose(fp);
    return rc;
}

/* ------------------------------------------------------------------------- */
/* Semantic checks, element by element                                       */
/* ------------------------------------------------------------------------- */

static int check_cell_grid(const zm_ctx *c, xmlNodePtr el, zm_spec *s);

/* volfile: the document has a <volume file>, which gives the grid instead. */
static int check_cell(const zm_ctx *c, xmlNodePtr el, zm_spec *s, int volfile)
{
    int rc;
    static const char *const grid_attrs[2] = {"size", "voxels"};
    for (int k = 0; k < 2; k++) {
        int has = xmlHasNsProp(el, BAD_CAST grid_attrs[k], NULL) != NULL;
        if (volfile && has)
            return sem_fail(c, ZSTR_EINVAL, el, grid_attrs[k],
                            "not used with a <volume file> (the grid comes from the file, "
                            "the voxel edges from its voxel-size)");
        if (!volfile && !has)
            return sem_fail(c, ZSTR_EINVAL, el, grid_attrs[k],
                            "missing (required unless a <volume file> gives the grid)");
    }
    if (!volfile && (rc = check_cell_grid(c, el, s)) != ZSTR_OK)
        return rc;
    if ((rc = get_temperature(c, s, el, "temperature", &s->temperature)) != ZSTR_OK)
        return rc;
    if (!(s->temperature > 0.0))
        return bad_value(c, el, "temperature", "must be above 0 K");
    return ZSTR_OK;
}

static int check_cell_grid(const zm_ctx *c, xmlNodePtr el, zm_spec *s)
{
    double *L = NULL, *V = NULL;
    int nl = 0, nv = 0, rc;
    if ((rc = get_list(c, el, "size", ZU_LENGTH, &L, &nl)) != ZSTR_OK)
        return rc;
    if (nl != 1 && nl != 3) {
        free(L);
        return sem_fail(c, ZSTR_EINVAL, el, "size",
                        "takes 1 or 3 lengths (edge of a cube, or Lx Ly Lz), got %d", nl);
    }
    double len[3] = {L[0], L[nl == 3 ? 1 : 0], L[nl == 3 ? 2 : 0]};
    free(L);
    for (int i = 0; i < 3; i++)
        if (!(len[i] > 0.0))
            return bad_value(c, el, "size", "must be > 0");
    if ((rc = get_list(c, el, "voxels", ZU_NUMBER, &V, &nv)) != ZSTR_OK)
        return rc;
    if (nv != 1 && nv != 3) {
        free(V);
        return sem_fail(c, ZSTR_EINVAL, el, "voxels", "takes 1 or 3 counts (nx ny nz), got %d", nv);
    }
    double vox[3] = {V[0], V[nv == 3 ? 1 : 0], V[nv == 3 ? 2 : 0]};
    free(V);
    for (int i = 0; i < 3; i++)
        if (!(vox[i] >= 1.0) || vox[i] != floor(vox[i]))
            return bad_value(c, el, "voxels", "must be whole numbers >= 1");
    double total = vox[0] * vox[1] * vox[2];
    if (!(total <= ZM_MAX_VOXELS))
        return sem_fail(c, ZSTR_EINVAL, el, "voxels",
                        "huge voxel count %.4g (at most 2^31 = 2147483648 voxels)", total);
    for (int i = 0; i < 3; i++) {
        s->n[i] = (int64_t)vox[i];
        s->h[i] = len[i] / vox[i];
        if (!(s->h[i] > 0.0) || !isfinite(s->h[i]))
            return bad_value(c, el, "size", "gives a voxel edge that is not a positive number");
    }
    return ZSTR_OK;
}

static int check_phase_values(const zm_ctx *c, xmlNodePtr el, zm_spec *s, zm_phase *p);

static int check_phase(const zm_ctx *c, xmlNodePtr el, zm_spec *s)
{
    if (s->nphases >= ZM_MAX_PHASES)
        return sem_fail(c, ZSTR_EINVAL, el, NULL, "more than %d phases", ZM_MAX_PHASES);
    zm_phase *grown = realloc(s->phases, (size_t)(s->nphases + 1) * sizeof *grown);
    if (grown == NULL)
        return sem_fail(c, ZSTR_ENOMEM, el, NULL, "out of memory");
    s->phases = grown;
    zm_phase *p = &s->phases[s->nphases];
    memset(p, 0, sizeof *p);
    p->line = xmlGetLineNo(el);
    xmlChar *name = xmlGetNoNsProp(el, BAD_CAST "name");
    snprintf(p->name, sizeof p->name, "%s", name != NULL ? (const char *)name : "");
    xmlFree(name);
    int dup = find_phase(s, p->name);
    if (dup >= 0)
        return sem_fail(c, ZSTR_EINVAL, el, "name", "duplicate phase name '%s' (first on line %ld)",
                        p->name, s->phases[dup].line);
    /* the name counts even when a value is bad, so that references to it are
     * no second problem when every problem is reported */
    s->nphases++;
    int rc = check_phase_values(c, el, s, p);
    return rc;
}

static int check_phase_values(const zm_ctx *c, xmlNodePtr el, zm_spec *s, zm_phase *p)
{
    int rc;
    if ((rc = get_q(c, el, "conductivity", ZU_CONDUCTIVITY, 0.0, &p->sigma, NULL)) != ZSTR_OK)
        return rc;
    if (!(p->sigma >= 0.0))
        return bad_value(c, el, "conductivity", "must be >= 0");
    if ((rc = get_q(c, el, "permittivity", ZU_NUMBER, 1.0, &p->eps, NULL)) != ZSTR_OK)
        return rc;
    if (!(p->eps > 0.0))
        return bad_value(c, el, "permittivity", "must be > 0");
    if ((rc = get_q(c, el, "activation-energy", ZU_ENERGY, 0.0, &p->ea, NULL)) != ZSTR_OK)
        return rc;
    if (!(p->ea >= 0.0))
        return bad_value(c, el, "activation-energy", "must be >= 0");
    if ((rc = get_temperature(c, s, el, "reference-temperature", &p->tref)) != ZSTR_OK)
        return rc;
    if (!(p->tref > 0.0))
        return bad_value(c, el, "reference-temperature", "must be above 0 K");
    return ZSTR_OK;
}

static int check_grains(const zm_ctx *c, xmlNodePtr el, zm_spec *s)
{
    int rc;
    s->grains = 1;
    if ((rc = get_q(c, el, "mean-size", ZU_LENGTH, 0.0, &s->mean_size, NULL)) != ZSTR_OK)
        return rc;
    if (!(s->mean_size > 0.0))
        return bad_value(c, el, "mean-size", "must be > 0");
    /* As zstr_model_voronoi: N = max(1, round(V / d³)) must not exceed the voxels. */
    double d = s->mean_size, nvox = (double)s->n[0] * (double)s->n[1] * (double)s->n[2];
    double q = ((double)s->n[0] * s->h[0] / d) * ((double)s->n[1] * s->h[1] / d) *
               ((double)s->n[2] * s->h[2] / d);
    if (!(floor(q + 0.5) <= nvox))
        return sem_fail(c, ZSTR_EINVAL, el, "mean-size",
                        "gives %.4g grains, more than the %.0f voxels", floor(q + 0.5), nvox);
    if ((rc = get_seed(c, el, "seed", &s->grain_seed)) != ZSTR_OK)
        return rc;
    if ((rc = get_phase_ref(c, s, el, "phase", -1, &s->grain_phase)) != ZSTR_OK)
        return rc;
    if ((rc = get_phase_ref(c, s, el, "boundary-phase", -1, &s->gb_phase)) != ZSTR_OK)
        return rc;
    if ((rc = get_q(c, el, "boundary-thickness", ZU_LENGTH, 0.0, &s->gb_thickness, NULL)) !=
        ZSTR_OK)
        return rc;
    double hmin = fmin(s->h[0], fmin(s->h[1], s->h[2]));
    if (!(s->gb_thickness >= 0.0))
        return bad_value(c, el, "boundary-thickness", "must be >= 0");
    if (!(s->gb_thickness < hmin)) {
        char rule[96];
        snprintf(rule, sizeof rule, "is not thinner than the voxel edge (%.4g m)", hmin);
        return bad_value(c, el, "boundary-thickness", rule);
    }
    return ZSTR_OK;
}

/* Attributes each map kind takes. */
static const char *const map_attrs[6][6] = {
    {"kind", NULL},
    {"kind", "contact-fraction", "rest", NULL},
    {"kind", "contact-fraction", "rest", NULL},
    {"kind", "contact-fraction", "correlation-length", "seed", "rest", NULL},
    {"kind", "file", NULL},
    {"kind", "phase", NULL},
};
static const char *const map_kinds[6] = {"full", "square", "frame", "random", "image", "volume"};

static int kind_takes(int kind, const char *attr)
{
    for (int i = 0; map_attrs[kind][i] != NULL; i++)
        if (strcmp(map_attrs[kind][i], attr) == 0)
            return 1;
    return 0;
}

static int pixel_code(const xmlChar *t)
{
    if (xmlStrEqual(t, BAD_CAST "contact"))
        return ZSTR_PIXEL_CONTACT;
    if (xmlStrEqual(t, BAD_CAST "pore"))
        return ZSTR_PIXEL_PORE;
    if (xmlStrEqual(t, BAD_CAST "sei"))
        return ZSTR_PIXEL_SEI;
    return ZSTR_PIXEL_NONE;
}

/* Build a path relative to the base folder. */
static int resolve(const zm_ctx *c, xmlNodePtr el, const char *file, char *out, size_t size)
{
    int w;
    if (file[0] == '/' || c->base[0] == '\0')
        w = snprintf(out, size, "%s", file);
    else
        w = snprintf(out, size, "%s/%s", c->base, file);
    if (w < 0 || (size_t)w >= size)
        return sem_fail(c, ZSTR_EINVAL, el, "file", "path too long");
    return ZSTR_OK;
}

static int check_image_map(const zm_ctx *c, xmlNodePtr el, zm_spec *s, zm_iface *fi, int has_pore,
                           int has_sei)
{
    /* Level table: grey level -> pixel code, -1 = not listed. */
    signed char *lev = malloc(65536);
    uint16_t *grey = NULL;
    int rc = ZSTR_OK;
    if (lev == NULL)
        return sem_fail(c, ZSTR_ENOMEM, el, NULL, "out of memory");
    memset(lev, -1, 65536);
    for (xmlNodePtr l = next_el(el->children); l != NULL && rc == ZSTR_OK; l = next_el(l->next)) {
        xmlChar *v = xmlGetNoNsProp(l, BAD_CAST "value"), *t = xmlGetNoNsProp(l, BAD_CAST "type");
        long g = v != NULL ? strtol((const char *)v, NULL, 10) : -1;
        if (g < 0 || g > 65535)
            rc = bad_value(c, l, "value", "is not a grey level 0..65535");
        else if (lev[g] >= 0)
            rc = sem_fail(c, ZSTR_EINVAL, l, "value", "grey level %ld is listed twice", g);
        else
            lev[g] = (signed char)pixel_code(t);
        xmlFree(v);
        xmlFree(t);
    }
    xmlChar *file = NULL;
    if (rc == ZSTR_OK && (file = xmlGetNoNsProp(el, BAD_CAST "file")) == NULL)
        rc = sem_fail(c, ZSTR_EINVAL, el, NULL, "kind 'image' needs a file attribute");
    char path[4096], msg[400];
    if (rc == ZSTR_OK)
        rc = resolve(c, el, (const char *)file, path, sizeof path);
    if (rc == ZSTR_OK) {
        rc = read_image(path, s->n[0], s->n[1], &grey, msg, sizeof msg);
        if (rc != ZSTR_OK)
            rc = sem_fail(c, rc, el, "file", "%s", msg);
    }
    int64_t nx = s->n[0], ny = s->n[1];
    if (rc == ZSTR_OK && (fi->pixels = malloc((size_t)(nx * ny))) == NULL)
        rc = sem_fail(c, ZSTR_ENOMEM, el, NULL, "out of memory");
    for (int64_t r = 0; rc == ZSTR_OK && r < ny; r++) {
        for (int64_t x = 0; x < nx; x++) {
            unsigned g = grey[r * nx + x];
            if (lev[g] < 0) {
                rc = sem_fail(c, ZSTR_EINVAL, el, "file",
                              "grey level %u (image column %lld, row %lld) has no <level>", g,
                              (long long)x, (long long)r);
                break;
            }
            if ((lev[g] == ZSTR_PIXEL_PORE && !has_pore) ||
                (lev[g] == ZSTR_PIXEL_SEI && !has_sei)) {
                const char *what = lev[g] == ZSTR_PIXEL_PORE ? "pore" : "sei";
                rc = sem_fail(c, ZSTR_EINVAL, el, "file",
                              "grey level %u makes %s pixels, which need a <%s> element in "
                              "this <interface>",
                              g, what, what);
                break;
            }
            fi->pixels[x + nx * (ny - 1 - r)] = (uint8_t)lev[g];
        }
    }
    xmlFree(file);
    free(grey);
    free(lev);
    return rc;
}

/* The pixels of a square, frame or random map: the library's generators, run
 * here (nx·ny bytes, no grid) so that whatever they refuse is found by the
 * check, and zm_build() only copies. */
static int make_map(const zm_ctx *c, xmlNodePtr el, const zm_spec *s, zm_iface *fi)
{
    int64_t nx = s->n[0], ny = s->n[1];
    if ((fi->pixels = malloc((size_t)(nx * ny))) == NULL)
        return sem_fail(c, ZSTR_ENOMEM, el, NULL, "out of memory");
    zstr_error le;
    int rc;
    if (fi->kind == ZM_SQUARE)
        rc = zstr_map_square(nx, ny, s->h[0], s->h[1], fi->fraction, fi->rest, fi->pixels, NULL,
                             &le);
    else if (fi->kind == ZM_FRAME)
        rc = zstr_map_frame(nx, ny, s->h[0], s->h[1], fi->fraction, fi->rest, fi->pixels, NULL,
                            &le);
    else
        rc = zstr_map_random(nx, ny, s->h[0], s->h[1], fi->fraction, fi->corr, fi->seed, fi->rest,
                             fi->pixels, NULL, &le);
    if (rc != ZSTR_OK)
        return sem_fail(c, rc, el, NULL, "%s", le.message);
    return ZSTR_OK;
}

/* Current enters the electrolyte through contact and sei pixels and, as
 * displacement current, through pores with a capacitance; free surface
 * (rest "none") and pores of zero capacitance carry none.  A map with no pixel
 * of the first kind leaves the electrode unconnected: no spectrum exists. */
static int check_passes_current(const zm_ctx *c, xmlNodePtr el, const zm_spec *s,
                                const zm_iface *fi)
{
    if (fi->pixels == NULL)
        return ZSTR_OK; /* kind full: all contact */
    int64_t npx = s->n[0] * s->n[1];
    for (int64_t i = 0; i < npx; i++) {
        int px = fi->pixels[i];
        if (px == ZSTR_PIXEL_CONTACT || px == ZSTR_PIXEL_SEI ||
            (px == ZSTR_PIXEL_PORE && fi->p.pore_capacitance > 0.0))
            return ZSTR_OK;
    }
    return sem_fail(c, ZSTR_EINVAL, el, NULL,
                    "no current can enter this electrode: every pixel of its map is free "
                    "surface (rest \"none\") or a pore of zero capacitance");
}

static int check_volume_map(const zm_ctx *c, xmlNodePtr el, zm_spec *s, zm_iface *fi,
                            int has_pore);

static int check_map(const zm_ctx *c, xmlNodePtr el, zm_spec *s, zm_iface *fi, int has_pore,
                     int has_sei)
{
    int kind = ZM_FULL;
    for (int k = 0; k < 6; k++)
        if (attr_is(el, "kind", map_kinds[k]))
            kind = k;
    fi->kind = kind;
    for (xmlAttrPtr a = el->properties; a != NULL; a = a->next) {
        if (!kind_takes(kind, (const char *)a->name)) {
            char list[160] = "";
            for (int i = 1; map_attrs[kind][i] != NULL; i++) {
                strcat(list, i > 1 ? ", " : "");
                strcat(list, map_attrs[kind][i]);
            }
            return sem_fail(c, ZSTR_EINVAL, el, (const char *)a->name,
                            "not used by kind '%s' (it takes %s)", map_kinds[kind],
                            *list ? list : "no other attribute");
        }
    }
    xmlNodePtr level = next_el(el->children);
    if (kind != ZM_IMAGE && level != NULL)
        return sem_fail(c, ZSTR_EINVAL, level, NULL, "<level> is only used by kind 'image'");
    if (kind == ZM_FULL)
        return ZSTR_OK;
    if (kind == ZM_IMAGE)
        return check_image_map(c, el, s, fi, has_pore, has_sei);
    if (kind == ZM_VOLMAP)
        return check_volume_map(c, el, s, fi, has_pore);

    int rc, present;
    if ((rc = get_q(c, el, "contact-fraction", ZU_FRACTION, 0.0, &fi->fraction, &present)) != ZSTR_OK)
        return rc;
    if (!present)
        return sem_fail(c, ZSTR_EINVAL, el, NULL, "kind '%s' needs a contact-fraction",
                        map_kinds[kind]);
    if (!(fi->fraction >= 0.0 && fi->fraction <= 1.0))
        return bad_value(c, el, "contact-fraction", "must be in [0, 1]");
    if (kind == ZM_RANDOM) {
        if ((rc = get_q(c, el, "correlation-length", ZU_LENGTH, 0.0, &fi->corr, NULL)) != ZSTR_OK)
            return rc;
        if (!(fi->corr >= 0.0))
            return bad_value(c, el, "correlation-length", "must be >= 0");
        if ((rc = get_seed(c, el, "seed", &fi->seed)) != ZSTR_OK)
            return rc;
    }
    xmlChar *rest = xmlGetNoNsProp(el, BAD_CAST "rest");
    fi->rest = rest == NULL ? ZSTR_PIXEL_PORE : pixel_code(rest);
    xmlFree(rest);
    if (fi->fraction < 1.0 &&
        ((fi->rest == ZSTR_PIXEL_PORE && !has_pore) || (fi->rest == ZSTR_PIXEL_SEI && !has_sei))) {
        const char *what = fi->rest == ZSTR_PIXEL_PORE ? "pore" : "sei";
        return sem_fail(c, ZSTR_EINVAL, el, "rest",
                        "'%s'%s needs a <%s> element in this <interface>", what,
                        rest == NULL ? " (the default)" : "", what);
    }
    return make_map(c, el, s, fi);
}

/* ------------------------------------------------------------------------- */
/* <volume>: an imaged or synthetic labelled volume                          */
/* ------------------------------------------------------------------------- */

/* Attributes of each kind of <volume>; the grain attributes only with
 * grains="true" (checked separately). */
static const char *const volume_file_attrs[] = {
    "file", "format", "dims", "type", "axes", "endian", "offset", "dataset", "voxel-size",
    "axis", "crop", "grains", "phase", "boundary-phase", "boundary-thickness", NULL};
static const char *const volume_gen_attrs[] = {"generate",          "porosity",
                                               "correlation-length", "minority-fraction",
                                               "minority-length",   "seed",
                                               NULL};

static int in_list(const char *const *list, const char *name)
{
    for (int i = 0; list[i] != NULL; i++)
        if (strcmp(list[i], name) == 0)
            return 1;
    return 0;
}

static int check_volume_attrs(const zm_ctx *c, xmlNodePtr el, int generate)
{
    const char *const *ok = generate ? volume_gen_attrs : volume_file_attrs;
    for (xmlAttrPtr a = el->properties; a != NULL; a = a->next)
        if (!in_list(ok, (const char *)a->name))
            return sem_fail(c, ZSTR_EINVAL, el, (const char *)a->name,
                            "not used by a %s volume (it takes %s)",
                            generate ? "generated" : "file",
                            generate ? "generate, porosity, correlation-length, "
                                       "minority-fraction, minority-length, seed"
                                     : "file, format, dims, type, axes, endian, offset, "
                                       "dataset, voxel-size, axis, crop, grains, phase, "
                                       "boundary-phase, boundary-thickness");
    return ZSTR_OK;
}

/* Exactly `want` whole numbers >= lo. */
static int get_counts(const zm_ctx *c, xmlNodePtr el, const char *attr, int want, int64_t lo,
                      int64_t *out)
{
    double *v = NULL;
    int n = 0, rc = get_list(c, el, attr, ZU_NUMBER, &v, &n);
    if (rc != ZSTR_OK)
        return rc;
    int ok = n == want;
    for (int i = 0; ok && i < n; i++) {
        ok = v[i] >= (double)lo && v[i] == floor(v[i]) && v[i] < 9.0e15;
        if (ok)
            out[i] = (int64_t)v[i];
    }
    free(v);
    if (!ok) {
        char rule[96];
        snprintf(rule, sizeof rule, "must be %d whole numbers >= %lld", want, (long long)lo);
        return bad_value(c, el, attr, rule);
    }
    return ZSTR_OK;
}

/* An extension-less format must be named. */
static int volume_format(const zm_ctx *c, xmlNodePtr el, const char *file, int *format)
{
    static const char *const names[3] = {"raw", "tiff", "hdf5"};
    for (int k = 0; k < 3; k++)
        if (attr_is(el, "format", names[k])) {
            *format = k;
            return ZSTR_OK;
        }
    const char *dot = strrchr(file, '.');
    static const char *const ext[6] = {".raw", ".bin", ".tif", ".tiff", ".h5", ".hdf5"};
    for (int k = 0; dot != NULL && k < 6; k++)
        if (strcmp(dot, ext[k]) == 0) {
            *format = k / 2;
            return ZSTR_OK;
        }
    return sem_fail(c, ZSTR_EINVAL, el, "format",
                    "missing, and the file name does not tell (give raw, tiff or hdf5)");
}

/* The read options of a <volume file>, before the file is looked at. */
static int volume_read_options(const zm_ctx *c, xmlNodePtr el, zm_volume *v)
{
    zstr_volume_read_options *o = &v->read;
    zstr_volume_read_options_default(o);
    xmlChar *file = xmlGetNoNsProp(el, BAD_CAST "file");
    int rc = resolve(c, el, (const char *)file, v->path, sizeof v->path);
    if (rc == ZSTR_OK)
        rc = volume_format(c, el, (const char *)file, &o->format);
    xmlFree(file);
    if (rc == ZSTR_OK && xmlHasNsProp(el, BAD_CAST "dims", NULL) != NULL)
        rc = get_counts(c, el, "dims", 3, 1, o->dims);
    if (rc == ZSTR_OK && xmlHasNsProp(el, BAD_CAST "type", NULL) != NULL)
        o->type = attr_is(el, "type", "uint8") ? ZSTR_VOXEL_U8 : ZSTR_VOXEL_U16;
    xmlChar *axes = xmlGetNoNsProp(el, BAD_CAST "axes");
    if (axes != NULL)
        snprintf(o->axes, sizeof o->axes, "%.3s", (const char *)axes);
    xmlFree(axes);
    o->big_endian = attr_is(el, "endian", "big");
    if (rc == ZSTR_OK && xmlHasNsProp(el, BAD_CAST "offset", NULL) != NULL)
        rc = get_counts(c, el, "offset", 1, 0, &o->header_bytes);
    xmlChar *ds = xmlGetNoNsProp(el, BAD_CAST "dataset");
    if (ds != NULL && strlen((const char *)ds) >= sizeof v->dataset)
        rc = rc != ZSTR_OK ? rc : bad_value(c, el, "dataset", "is too long");
    else if (ds != NULL)
        snprintf(v->dataset, sizeof v->dataset, "%s", (const char *)ds);
    xmlFree(ds);
    if (rc == ZSTR_OK && o->format == ZSTR_VOLUME_HDF5 && v->dataset[0] == '\0')
        rc = sem_fail(c, ZSTR_EINVAL, el, "dataset", "missing (an hdf5 volume needs it)");
    if (rc == ZSTR_OK && o->format == ZSTR_VOLUME_RAW && o->dims[0] == 0)
        rc = sem_fail(c, ZSTR_EINVAL, el, "dims", "missing (a raw volume needs nx ny nz)");
    if (rc == ZSTR_OK && o->format == ZSTR_VOLUME_RAW && o->type == ZSTR_VOXEL_DEFAULT)
        rc = sem_fail(c, ZSTR_EINVAL, el, "type", "missing (a raw volume needs uint8 or uint16)");
    if (rc == ZSTR_OK && xmlHasNsProp(el, BAD_CAST "crop", NULL) != NULL)
        rc = get_counts(c, el, "crop", 6, 0, o->crop);
    return rc;
}

/* voxel-size: 1 or 3 lengths > 0 (required for a file). */
static int volume_voxel_size(const zm_ctx *c, xmlNodePtr el, double h[3])
{
    if (xmlHasNsProp(el, BAD_CAST "voxel-size", NULL) == NULL)
        return sem_fail(c, ZSTR_EINVAL, el, "voxel-size",
                        "missing (the edge of a voxel, e.g. \"20 nm\" or \"20 nm 20 nm 30 nm\")");
    double *L = NULL;
    int n = 0, rc = get_list(c, el, "voxel-size", ZU_LENGTH, &L, &n);
    if (rc != ZSTR_OK)
        return rc;
    if (n != 1 && n != 3) {
        free(L);
        return sem_fail(c, ZSTR_EINVAL, el, "voxel-size", "takes 1 or 3 lengths, got %d", n);
    }
    for (int d = 0; d < 3; d++)
        h[d] = L[n == 3 ? d : 0];
    free(L);
    for (int d = 0; d < 3; d++)
        if (!(h[d] > 0.0) || !isfinite(h[d]))
            return bad_value(c, el, "voxel-size", "must be > 0");
    return ZSTR_OK;
}

/* grains="true": grain ids of one phase with a boundary layer between them. */
static int volume_grains(const zm_ctx *c, xmlNodePtr el, zm_spec *s, zm_volume *v)
{
    static const char *const ga[3] = {"phase", "boundary-phase", "boundary-thickness"};
    v->grains = attr_is(el, "grains", "true") || attr_is(el, "grains", "1");
    for (int k = 0; !v->grains && k < 3; k++)
        if (xmlHasNsProp(el, BAD_CAST ga[k], NULL) != NULL)
            return sem_fail(c, ZSTR_EINVAL, el, ga[k], "only used with grains=\"true\"");
    if (!v->grains)
        return ZSTR_OK;
    int rc;
    if ((rc = get_phase_ref(c, s, el, "phase", s->fill, &v->grain_phase)) != ZSTR_OK)
        return rc;
    if (xmlHasNsProp(el, BAD_CAST "boundary-phase", NULL) == NULL)
        return sem_fail(c, ZSTR_EINVAL, el, "boundary-phase",
                        "missing (a grain volume needs the phase between its grains)");
    if ((rc = get_phase_ref(c, s, el, "boundary-phase", -1, &v->gb_phase)) != ZSTR_OK)
        return rc;
    if ((rc = get_q(c, el, "boundary-thickness", ZU_LENGTH, -1.0, &v->gb_thickness, NULL)) !=
        ZSTR_OK)
        return rc;
    double hmin = fmin(s->h[0], fmin(s->h[1], s->h[2]));
    if (!(v->gb_thickness >= 0.0))
        return xmlHasNsProp(el, BAD_CAST "boundary-thickness", NULL) == NULL
                   ? sem_fail(c, ZSTR_EINVAL, el, "boundary-thickness", "missing")
                   : bad_value(c, el, "boundary-thickness", "must be >= 0");
    if (!(v->gb_thickness < hmin)) {
        char rule[96];
        snprintf(rule, sizeof rule, "is not thinner than the voxel edge (%.4g m)", hmin);
        return bad_value(c, el, "boundary-thickness", rule);
    }
    return ZSTR_OK;
}

static int check_volume_file(const zm_ctx *c, xmlNodePtr el, zm_spec *s, zm_volume *v)
{
    int rc = volume_read_options(c, el, v);
    if (rc == ZSTR_OK)
        rc = volume_voxel_size(c, el, v->read.voxel_size);
    if (rc != ZSTR_OK)
        return rc;
    v->axis = attr_is(el, "axis", "x") ? 0 : attr_is(el, "axis", "y") ? 1 : 2;
    /* the header, the size and the memory, without reading a voxel */
    zstr_error le;
    memset(&le, 0, sizeof le);
    v->read.dataset = v->dataset[0] ? v->dataset : NULL;
    int type = 0;
    rc = zstr_volume_probe(v->path, &v->read, v->n, &type, &le);
    v->read.dataset = NULL; /* the spec may move (zm_set): point at v->dataset when reading */
    if (rc != ZSTR_OK)
        return sem_fail(c, rc, el, "file", "%s", le.message);
    double total = (double)v->n[0] * (double)v->n[1] * (double)v->n[2];
    if (!(total <= ZM_MAX_VOXELS))
        return sem_fail(c, ZSTR_EINVAL, el, "file",
                        "the volume has %.4g voxels (at most 2^31 = 2147483648)", total);
    if (v->read.type == ZSTR_VOXEL_DEFAULT)
        v->read.type = type;
    const int a = v->axis;
    for (int d = 0; d < 3; d++) {
        s->n[d] = v->n[(a + 1 + d) % 3];
        s->h[d] = v->read.voxel_size[(a + 1 + d) % 3];
    }
    return volume_grains(c, el, s, v);
}

static int check_volume_generate(const zm_ctx *c, xmlNodePtr el, zm_spec *s, zm_volume *v)
{
    zstr_synth_params *p = &v->synth;
    zstr_synth_params_default(p);
    v->generate = 1;
    v->axis = 2;
    memcpy(v->n, s->n, sizeof v->n);
    p->kind = attr_is(el, "generate", "spheres") ? ZSTR_SYNTH_SPHERES : ZSTR_SYNTH_BLOBS;
    int rc, present;
    if ((rc = get_q(c, el, "porosity", ZU_FRACTION, 0.0, &p->porosity, &present)) != ZSTR_OK)
        return rc;
    if (!present)
        return sem_fail(c, ZSTR_EINVAL, el, "porosity", "missing (the pore fraction, e.g. 0.105)");
    if (!(p->porosity > 0.0 && p->porosity < 1.0))
        return bad_value(c, el, "porosity", "must be in (0, 1)");
    if ((rc = get_q(c, el, "correlation-length", ZU_LENGTH, 0.0, &p->correlation_length, NULL)) !=
        ZSTR_OK)
        return rc;
    if (!(p->correlation_length >= 0.0) || !isfinite(p->correlation_length))
        return bad_value(c, el, "correlation-length", "must be >= 0");
    if ((rc = get_q(c, el, "minority-fraction", ZU_FRACTION, 0.0, &p->minority_fraction, NULL)) !=
        ZSTR_OK)
        return rc;
    if (!(p->minority_fraction >= 0.0 && p->minority_fraction < 1.0 - p->porosity))
        return bad_value(c, el, "minority-fraction", "must be >= 0 and below 1 - porosity");
    if ((rc = get_q(c, el, "minority-length", ZU_LENGTH, 0.0, &p->minority_length, NULL)) !=
        ZSTR_OK)
        return rc;
    if (!(p->minority_length >= 0.0) || !isfinite(p->minority_length))
        return bad_value(c, el, "minority-length", "must be >= 0");
    return get_seed(c, el, "seed", &p->seed);
}

/* The phase id of a label's phase name; "pore" without a <phase> is the
 * dielectric pore, added as a phase of its own the first time it is named. */
static int label_phase_id(const zm_ctx *c, zm_spec *s, xmlNodePtr el, const char *attr, int *id)
{
    xmlChar *t = xmlGetNoNsProp(el, BAD_CAST attr);
    const char *name = t != NULL ? (const char *)t : "pore";
    *id = find_phase(s, name);
    int rc = ZSTR_OK;
    if (*id < 0 && strcmp(name, "pore") == 0) {
        zm_phase *grown = realloc(s->phases, (size_t)(s->nphases + 1) * sizeof *grown);
        if (grown == NULL) {
            xmlFree(t);
            return sem_fail(c, ZSTR_ENOMEM, el, NULL, "out of memory");
        }
        s->phases = grown;
        zm_phase *p = &s->phases[s->nphases];
        memset(p, 0, sizeof *p);
        snprintf(p->name, sizeof p->name, "pore");
        p->line = xmlGetLineNo(el);
        p->sigma = 0.0; /* a dielectric: vacuum (or gas) */
        p->eps = 1.0;
        p->tref = ZM_T_DEFAULT;
        *id = s->nphases++;
    } else if (*id < 0) {
        rc = sem_fail(c, ZSTR_EINVAL, el, attr,
                      "no <phase name=\"%.64s\"> is defined (only \"pore\" may be left "
                      "undefined: a dielectric)",
                      name);
    }
    xmlFree(t);
    return rc;
}

/* The <label> table; a generated volume's labels 0 and 1 default to the fill
 * phase and the pore. */
static int check_volume_labels(const zm_ctx *c, xmlNodePtr el, zm_spec *s, zm_volume *v)
{
    int top = v->generate ? 2 : v->read.type == ZSTR_VOXEL_U8 ? 255 : 65535;
    v->nlabels = top + 1;
    if ((v->label_phase = malloc((size_t)v->nlabels * sizeof *v->label_phase)) == NULL)
        return sem_fail(c, ZSTR_ENOMEM, el, NULL, "out of memory");
    for (int k = 0; k < v->nlabels; k++)
        v->label_phase[k] = -1;
    int rc = ZSTR_OK, count = 0;
    for (xmlNodePtr l = next_el(el->children); l != NULL && rc == ZSTR_OK; l = next_el(l->next)) {
        xmlChar *t = xmlGetNoNsProp(l, BAD_CAST "value");
        long value = t != NULL ? strtol((const char *)t, NULL, 10) : -1;
        xmlFree(t);
        int id = -1;
        if (value < 0 || value > top)
            rc = sem_fail(c, ZSTR_EINVAL, l, "value", "label %ld cannot occur in this volume (%s)",
                          value, v->generate ? "generated labels: 0 solid, 1 pore, 2 minority"
                                             : "labels of a uint8 volume are 0..255");
        else if (v->label_phase[value] >= 0)
            rc = sem_fail(c, ZSTR_EINVAL, l, "value", "label %ld is listed twice", value);
        else if ((rc = label_phase_id(c, s, l, "phase", &id)) == ZSTR_OK)
            v->label_phase[value] = id, count++;
    }
    if (rc != ZSTR_OK)
        return rc;
    if (v->generate) {
        if (v->label_phase[0] < 0)
            v->label_phase[0] = s->fill;
        if (v->label_phase[1] < 0 && (rc = label_phase_id(c, s, el, "no-such-attribute",
                                                         &v->label_phase[1])) != ZSTR_OK)
            return rc;
        if (v->synth.minority_fraction > 0.0 && v->label_phase[2] < 0)
            return sem_fail(c, ZSTR_EINVAL, el, "minority-fraction",
                            "the minority phase (label 2) needs a <label value=\"2\" phase=...>");
    } else if (!v->grains && count == 0) {
        return sem_fail(c, ZSTR_EINVAL, el, NULL,
                        "no <label>: say which phase each label of the file is "
                        "(<label value=\"0\" phase=\"pore\"/> ...)");
    }
    return ZSTR_OK;
}

static int check_volume(const zm_ctx *c, xmlNodePtr el, zm_spec *s)
{
    zm_volume *v = &s->vol;
    v->present = 1;
    v->line = xmlGetLineNo(el);
    int has_file = xmlHasNsProp(el, BAD_CAST "file", NULL) != NULL;
    int has_gen = xmlHasNsProp(el, BAD_CAST "generate", NULL) != NULL;
    if (has_file == has_gen)
        return sem_fail(c, ZSTR_EINVAL, el, NULL,
                        "give either file (an imaged volume) or generate (a synthetic one)%s",
                        has_file ? ", not both" : "");
    if (s->grains)
        return sem_fail(c, ZSTR_EINVAL, el, NULL,
                        "cannot be combined with <grains> (Voronoi): a grain volume takes "
                        "grains=\"true\"");
    int rc = check_volume_attrs(c, el, has_gen);
    if (rc == ZSTR_OK)
        rc = has_gen ? check_volume_generate(c, el, s, v) : check_volume_file(c, el, s, v);
    if (rc == ZSTR_OK)
        rc = check_volume_labels(c, el, s, v);
    return rc;
}

/* <map kind="volume">: the WE's pixels from the volume's top layer, made when
 * the model is built (the voxels are not read while checking). */
static int check_volume_map(const zm_ctx *c, xmlNodePtr el, zm_spec *s, zm_iface *fi, int has_pore)
{
    if (fi == &s->iface[ZSTR_CE])
        return sem_fail(c, ZSTR_EINVAL, el, "kind",
                        "'volume' is for the WE only (the volume's top layer touches it)");
    if (!s->vol.present)
        return sem_fail(c, ZSTR_EINVAL, el, "kind", "'volume' needs a <volume> in the model");
    if (!has_pore)
        return sem_fail(c, ZSTR_EINVAL, el, "kind",
                        "'volume' makes pore pixels, which need a <pore> element in this "
                        "<interface>");
    fi->map_line = xmlGetLineNo(el);
    xmlChar *t = xmlGetNoNsProp(el, BAD_CAST "phase");
    fi->pore_phase = find_phase(s, t != NULL ? (const char *)t : "pore");
    int rc = ZSTR_OK;
    if (fi->pore_phase < 0)
        rc = sem_fail(c, ZSTR_EINVAL, el, "phase", "no phase '%.64s' in this model",
                      t != NULL ? (const char *)t : "pore");
    xmlFree(t);
    return rc;
}

static int check_interface(const zm_ctx *c, xmlNodePtr el, zm_spec *s)
{
    int e = attr_is(el, "electrode", "ce") ? ZSTR_CE : ZSTR_WE;
    zm_iface *fi = &s->iface[e];
    if (fi->present)
        return sem_fail(c, ZSTR_EINVAL, el, "electrode",
                        "a second interface for this electrode (the first is on line %ld)",
                        fi->line);
    fi->present = 1;
    fi->line = xmlGetLineNo(el);
    fi->kind = ZM_FULL;
    zstr_interface_params_default(&fi->p);
    int rc, has_pore = 0, has_sei = 0;
    zstr_interface_params *p = &fi->p;
    if ((rc = get_temperature(c, s, el, "reference-temperature", &p->reference_temperature)) !=
        ZSTR_OK)
        return rc;
    if (!(p->reference_temperature > 0.0))
        return bad_value(c, el, "reference-temperature", "must be above 0 K");
    for (xmlNodePtr ch = next_el(el->children); ch != NULL; ch = next_el(ch->next)) {
        if (is_el(ch, "contact")) {
            if ((rc = get_q(c, ch, "resistance", ZU_AREA_RESISTANCE, 0.0, &p->contact_resistance,
                            NULL)) != ZSTR_OK)
                return rc;
            if (!(p->contact_resistance >= 0.0))
                return bad_value(c, ch, "resistance", "must be >= 0");
            if ((rc = get_q(c, ch, "capacitance", ZU_AREA_CAPACITANCE, 0.0, &p->contact_capacitance,
                            NULL)) != ZSTR_OK)
                return rc;
            if (!(p->contact_capacitance >= 0.0))
                return bad_value(c, ch, "capacitance", "must be >= 0");
            if ((rc = get_q(c, ch, "activation-energy", ZU_ENERGY, 0.0,
                            &p->contact_activation_energy, NULL)) != ZSTR_OK)
                return rc;
            if (!(p->contact_activation_energy >= 0.0))
                return bad_value(c, ch, "activation-energy", "must be >= 0");
        } else if (is_el(ch, "pore")) {
            has_pore = 1;
            if ((rc = get_q(c, ch, "capacitance", ZU_AREA_CAPACITANCE, 0.0, &p->pore_capacitance,
                            NULL)) != ZSTR_OK)
                return rc;
            if (!(p->pore_capacitance >= 0.0))
                return bad_value(c, ch, "capacitance", "must be >= 0");
        } else if (is_el(ch, "sei")) {
            has_sei = 1;
            if ((rc = get_q(c, ch, "resistance", ZU_AREA_RESISTANCE, 0.0, &p->sei_resistance,
                            NULL)) != ZSTR_OK)
                return rc;
            if (!(p->sei_resistance > 0.0))
                return bad_value(c, ch, "resistance", "must be > 0");
            if ((rc = get_q(c, ch, "capacitance", ZU_AREA_CAPACITANCE, 0.0, &p->sei_capacitance,
                            NULL)) != ZSTR_OK)
                return rc;
            if (!(p->sei_capacitance >= 0.0))
                return bad_value(c, ch, "capacitance", "must be >= 0");
            if ((rc = get_q(c, ch, "activation-energy", ZU_ENERGY, 0.0, &p->sei_activation_energy,
                            NULL)) != ZSTR_OK)
                return rc;
            if (!(p->sei_activation_energy >= 0.0))
                return bad_value(c, ch, "activation-energy", "must be >= 0");
        } else if (is_el(ch, "map")) {
            if ((rc = check_map(c, ch, s, fi, has_pore, has_sei)) != ZSTR_OK)
                return rc;
        }
    }
    return check_passes_current(c, el, s, fi);
}

static int check_frequencies(const zm_ctx *c, xmlNodePtr el, zm_spec *s)
{
    int rc, has_from, has_to, has_pd;
    xmlChar *values = xmlGetNoNsProp(el, BAD_CAST "values");
    int has_values = values != NULL;
    xmlFree(values);
    has_from = xmlHasNsProp(el, BAD_CAST "from", NULL) != NULL;
    has_to = xmlHasNsProp(el, BAD_CAST "to", NULL) != NULL;
    has_pd = xmlHasNsProp(el, BAD_CAST "per-decade", NULL) != NULL;
    if (has_values && (has_from || has_to || has_pd))
        return sem_fail(c, ZSTR_EINVAL, el, NULL,
                        "give either values or from, to and per-decade, not both");
    if (has_values) {
        int n = 0;
        s->flog = 0;
        if ((rc = get_list(c, el, "values", ZU_FREQUENCY, &s->fvalues, &n)) != ZSTR_OK)
            return rc;
        s->nfvalues = n;
        for (int i = 0; i < n; i++)
            if (!(s->fvalues[i] >= 0.0))
                return sem_fail(c, ZSTR_EINVAL, el, "values", "item %d (%g Hz) is negative", i + 1,
                                s->fvalues[i]);
        return ZSTR_OK;
    }
    if (!(has_from && has_to && has_pd))
        return sem_fail(c, ZSTR_EINVAL, el, NULL,
                        "needs from, to and per-decade (or a list of values)");
    s->flog = 1;
    if ((rc = get_q(c, el, "from", ZU_FREQUENCY, 0.0, &s->ffrom, NULL)) != ZSTR_OK)
        return rc;
    if (!(s->ffrom > 0.0))
        return bad_value(c, el, "from", "must be > 0");
    if ((rc = get_q(c, el, "to", ZU_FREQUENCY, 0.0, &s->fto, NULL)) != ZSTR_OK)
        return rc;
    if (!(s->fto >= s->ffrom))
        return bad_value(c, el, "to", "is below from");
    if ((rc = get_q(c, el, "per-decade", ZU_NUMBER, 0.0, &s->fpd, NULL)) != ZSTR_OK)
        return rc;
    if (!(s->fpd > 0.0))
        return bad_value(c, el, "per-decade", "must be > 0");
    /* the count as zstr_frequencies_log makes it, in log space (to / from
     * overflows for 1e-300 .. 1e300 Hz) */
    double n = round(s->fpd * (log10(s->fto) - log10(s->ffrom))) + 1.0;
    if (!(n <= ZM_MAX_FREQS))
        return sem_fail(c, ZSTR_EINVAL, el, "per-decade", "gives %.4g frequencies (at most %.0f)",
                        n, ZM_MAX_FREQS);
    return ZSTR_OK;
}

/* Root, version, schema, semantics: fills *s (freed on failure). */
static int check_doc(const zm_ctx *c, xmlSchemaPtr schema, xmlDocPtr doc, zm_spec *s)
{
    memset(s, 0, sizeof *s);
    s->grain_phase = s->gb_phase = -1;
    xmlNodePtr root = xmlDocGetRootElement(doc);
    if (root == NULL)
        return zm_fail(c->err, ZSTR_EINVAL, c->name, 0, 0, "no root element");
    if (!xmlStrEqual(root->name, BAD_CAST "zstr"))
        return zm_fail(c->err, ZSTR_EINVAL, c->name, xmlGetLineNo(root), 0,
                       "root element is <%.64s>, expected <zstr version=\"1\">",
                       (const char *)root->name);
    if (root->ns != NULL)
        return zm_fail(c->err, ZSTR_EINVAL, c->name, xmlGetLineNo(root), 0,
                       "<zstr> must not be in a namespace (it is in '%.100s')",
                       (const char *)root->ns->href);
    xmlChar *v = xmlGetNoNsProp(root, BAD_CAST "version");
    int vrc = ZSTR_OK;
    if (v == NULL)
        vrc = zm_fail(c->err, ZSTR_EINVAL, c->name, xmlGetLineNo(root), 0,
                      "<zstr> has no version attribute (this program reads version 1)");
    else if (!xmlStrEqual(v, BAD_CAST "1"))
        vrc = zm_fail(c->err, ZSTR_EINVAL, c->name, xmlGetLineNo(root), 0,
                      "<zstr> attribute version: format version '%.32s' is not supported "
                      "(this program reads version 1)",
                      (const char *)v);
    xmlFree(v);
    if (vrc != ZSTR_OK)
        return vrc;
    int rc = schema_validate(schema, doc, c);
    if (rc != ZSTR_OK) /* the semantics of a document off the schema are noise */
        return rc;
    /* Element by element; when every problem is wanted (c->note), a problem
     * ends only its own element.  What depends on a bad <cell> (grains and
     * maps need the grid) is not checked then: its problems would be echoes. */
    /* A <volume file> gives the grid (cell then has no size and voxels), known
     * once the volume's header is read: grid_ok says the grid is known. */
    int volfile = 0;
    for (xmlNodePtr el = next_el(root->children); el != NULL; el = next_el(el->next))
        if (is_el(el, "volume") && xmlHasNsProp(el, BAD_CAST "file", NULL) != NULL)
            volfile = 1;
    int cell_ok = 0, grid_ok = 0;
    for (xmlNodePtr el = next_el(root->children); el != NULL && (rc == ZSTR_OK || c->note);
         el = next_el(el->next)) {
        int r = ZSTR_OK;
        if (is_el(el, "cell"))
            grid_ok = (cell_ok = (r = check_cell(c, el, s, volfile)) == ZSTR_OK) && !volfile;
        else if (is_el(el, "phase"))
            r = check_phase(c, el, s);
        else if (is_el(el, "fill"))
            r = get_phase_ref(c, s, el, "phase", 0, &s->fill);
        else if (is_el(el, "grains") && grid_ok)
            r = check_grains(c, el, s);
        else if (is_el(el, "grains") && volfile)
            s->grains = 1; /* refused by the <volume> */
        else if (is_el(el, "volume") && cell_ok)
            grid_ok = (r = check_volume(c, el, s)) == ZSTR_OK || !volfile;
        else if (is_el(el, "interface") && grid_ok)
            r = check_interface(c, el, s);
        else if (is_el(el, "frequencies"))
            r = check_frequencies(c, el, s);
        if (rc == ZSTR_OK)
            rc = r;
    }
    if (rc != ZSTR_OK)
        spec_free(s);
    return rc;
}

/* ------------------------------------------------------------------------- */
/* Loading                                                                   */
/* ------------------------------------------------------------------------- */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

void zm_free(zm_file *f)
{
    if (f == NULL)
        return;
    spec_free(&f->spec);
    xmlFreeDoc(f->doc);
    xmlSchemaFree(f->schema);
    free(f->defs);
    free(f->name);
    free(f->base);
    free(f);
}

static int load(const char *xml, size_t len, const char *name, const char *base, zm_file **out,
                zstr_error *err, void (*note)(void *, const zstr_error *), void *note_ctx)
{
    *out = NULL;
    xmlInitParser();
    zm_file *f = calloc(1, sizeof *f);
    if (f == NULL || (f->name = dup_str(name)) == NULL || (f->base = dup_str(base)) == NULL) {
        zm_free(f);
        return zm_fail(err, ZSTR_ENOMEM, name, 0, 0, "out of memory");
    }
    int rc = parse_xml(xml, len, f->name, &f->doc, err);
    if (rc == ZSTR_OK)
        rc = schema_compile(&f->schema, err);
    int noted = 0;
    zm_ctx c = {f->name, f->base, err, note, note_ctx, &noted};
    if (rc == ZSTR_OK)
        rc = check_doc(&c, f->schema, f->doc, &f->spec);
    if (rc != ZSTR_OK && note != NULL && noted == 0 && err != NULL)
        note(note_ctx, err); /* a problem before the checks: parse, root, version */
    if (rc != ZSTR_OK) {
        zm_free(f);
        return rc;
    }
    *out = f;
    return ZSTR_OK;
}

/* Folder of a path: "" (cwd) without a '/', "/" for "/x". */
static void folder_of(const char *path, char *out, size_t size)
{
    const char *slash = path != NULL ? strrchr(path, '/') : NULL;
    if (slash == NULL) {
        out[0] = '\0';
        return;
    }
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= size)
        n = size - 1;
    memcpy(out, path, n);
    out[n] = '\0';
}

int zm_load_memory(const char *xml, size_t len, const char *name, zm_file **out, zstr_error *err)
{
    if (out == NULL)
        return zm_fail(err, ZSTR_EINVAL, name, 0, 0, "zm_load_memory: out is NULL");
    *out = NULL;
    if (xml == NULL && len > 0)
        return zm_fail(err, ZSTR_EINVAL, name, 0, 0, "zm_load_memory: xml is NULL");
    if (name == NULL)
        name = "<memory>";
    char base[4096];
    folder_of(name, base, sizeof base);
    return load(xml != NULL ? xml : "", len, name, base, out, err, NULL, NULL);
}

static int load_path(const char *path, zm_file **out, zstr_error *err,
                     void (*note)(void *, const zstr_error *), void *note_ctx)
{
    if (out == NULL)
        return zm_fail(err, ZSTR_EINVAL, path, 0, 0, "zm_load: out is NULL");
    *out = NULL;
    if (path == NULL)
        return load(default_xml, sizeof default_xml - 1, "<default>", "", out, err, note,
                    note_ctx);
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        zm_fail(err, ZSTR_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
        if (note != NULL)
            note(note_ctx, err);
        return ZSTR_EIO;
    }
    size_t cap = 0, len = 0;
    char *buf = NULL;
    int rc = ZSTR_OK;
    for (;;) {
        if (len == cap) {
            if (cap > (size_t)ZM_MAX_FILE) {
                rc = zm_fail(err, ZSTR_EINVAL, path, 0, 0, "file larger than %ld bytes",
                             ZM_MAX_FILE);
                break;
            }
            size_t ncap = cap == 0 ? 65536 : 2 * cap;
            char *nb = realloc(buf, ncap);
            if (nb == NULL) {
                rc = zm_fail(err, ZSTR_ENOMEM, path, 0, 0, "out of memory");
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0) {
            if (ferror(fp))
                rc = zm_fail(err, ZSTR_EIO, path, 0, 0, "read error: %s", strerror(errno));
            break;
        }
    }
    fclose(fp);
    if (rc == ZSTR_OK) {
        char base[4096];
        folder_of(path, base, sizeof base);
        rc = load(buf, len, path, base, out, err, note, note_ctx);
    } else if (note != NULL) {
        note(note_ctx, err);
    }
    free(buf);
    return rc;
}

int zm_load(const char *path, zm_file **out, zstr_error *err)
{
    return load_path(path, out, err, NULL, NULL);
}

int zm_load_all(const char *path, zm_file **out, void (*note)(void *ctx, const zstr_error *e),
                void *ctx, zstr_error *err)
{
    zstr_error local;
    if (note == NULL)
        return load_path(path, out, err, NULL, NULL);
    return load_path(path, out, err != NULL ? err : &local, note, ctx);
}

const char *zm_name(const zm_file *f) { return f != NULL ? f->name : ""; }

int zm_contact_request(const zm_file *f, int electrode, double *fraction)
{
    if (f == NULL || (electrode != ZSTR_WE && electrode != ZSTR_CE))
        return 0;
    const zm_iface *fi = &f->spec.iface[electrode];
    if (!fi->present || (fi->kind != ZM_SQUARE && fi->kind != ZM_FRAME && fi->kind != ZM_RANDOM))
        return 0;
    if (fraction != NULL)
        *fraction = fi->fraction;
    return 1;
}

int zm_warning_count(const zm_file *f) { return f != NULL ? f->spec.nwarnings : 0; }

const char *zm_warning(const zm_file *f, int i)
{
    return f != NULL && i >= 0 && i < f->spec.nwarnings ? f->spec.warnings[i] : NULL;
}

/* ------------------------------------------------------------------------- */
/* --set                                                                     */
/* ------------------------------------------------------------------------- */

#define ZM_MAX_DEFS 24
#define ZM_MAX_SEGS 12

static int xs_is(xmlNodePtr n, const char *local)
{
    return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
           xmlStrEqual(n->ns->href, BAD_CAST "http://www.w3.org/2001/XMLSchema") &&
           xmlStrEqual(n->name, BAD_CAST local);
}

/* Every named xs:element and the xs:attribute names of its complexType. */
static int collect_defs(xmlNodePtr n, zm_eldef *defs, int *ndefs)
{
    for (; n != NULL; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xs_is(n, "element")) {
            xmlChar *name = xmlGetNoNsProp(n, BAD_CAST "name");
            if (name != NULL) {
                if (*ndefs >= ZM_MAX_DEFS) {
                    xmlFree(name);
                    return -1;
                }
                zm_eldef *d = &defs[(*ndefs)++];
                memset(d, 0, sizeof *d);
                snprintf(d->name, sizeof d->name, "%s", (const char *)name);
                xmlFree(name);
                for (xmlNodePtr ct = n->children; ct != NULL; ct = ct->next) {
                    if (!xs_is(ct, "complexType"))
                        continue;
                    for (xmlNodePtr a = ct->children; a != NULL; a = a->next) {
                        xmlChar *an =
                            xs_is(a, "attribute") ? xmlGetNoNsProp(a, BAD_CAST "name") : NULL;
                        if (an == NULL)
                            continue;
                        if (d->nattr >= ZM_MAX_ATTRS) {
                            xmlFree(an);
                            return -1;
                        }
                        snprintf(d->attr[d->nattr++], sizeof d->attr[0], "%s", (const char *)an);
                        xmlFree(an);
                    }
                }
            }
        }
        if (collect_defs(n->children, defs, ndefs) != 0)
            return -1;
    }
    return 0;
}

static int load_defs(zm_file *f, zstr_error *err)
{
    if (f->defs != NULL)
        return ZSTR_OK;
    xmlDocPtr xsd = NULL;
    int rc = parse_xml((const char *)zm_schema_xsd, zm_schema_xsd_len, "zstr-1.xsd", &xsd, err);
    if (rc != ZSTR_OK)
        return rc;
    zm_eldef *defs = calloc(ZM_MAX_DEFS, sizeof *defs);
    int n = 0;
    if (defs == NULL) {
        xmlFreeDoc(xsd);
        return zm_fail(err, ZSTR_ENOMEM, f->name, 0, 0, "out of memory");
    }
    if (collect_defs(xmlDocGetRootElement(xsd), defs, &n) != 0) {
        xmlFreeDoc(xsd);
        free(defs);
        return zm_fail(err, ZSTR_EINVAL, "zstr-1.xsd", 0, 0,
                       "internal error: schema table too small");
    }
    xmlFreeDoc(xsd);
    f->defs = defs;
    f->ndefs = n;
    return ZSTR_OK;
}

static const zm_eldef *find_def(const zm_file *f, const xmlChar *tag)
{
    for (int i = 0; i < f->ndefs; i++)
        if (xmlStrEqual(BAD_CAST f->defs[i].name, tag))
            return &f->defs[i];
    return NULL;
}

typedef char zm_seg[72];

/* Full path segments of an element: tags from the root down, keys after them. */
static int el_segments(xmlNodePtr el, zm_seg *segs, int max)
{
    int n = 0;
    if (el->parent != NULL && el->parent->type == XML_ELEMENT_NODE)
        n = el_segments(el->parent, segs, max);
    if (n < max)
        snprintf(segs[n++], sizeof segs[0], "%s", (const char *)el->name);
    const char *key = key_attr(el->name);
    xmlChar *kv = key != NULL ? xmlGetNoNsProp(el, BAD_CAST key) : NULL;
    if (kv != NULL && n < max)
        snprintf(segs[n++], sizeof segs[0], "%s", (const char *)kv);
    xmlFree(kv);
    return n;
}

typedef struct zm_match {
    char **user; /* element parts of the user's path */
    int nuser;
    const char *attr;
    int nmatch;     /* matches found */
    xmlNodePtr el;  /* the (first) match */
    char list[360]; /* matching paths, for the message */
    char alt[360];  /* same attribute name, other elements */
} zm_match;

/* Append a candidate path to a list, "..." once full. */
static void add_path(char *list, size_t size, zm_seg *segs, int n, const char *attr)
{
    char p[256] = "";
    size_t used = 0;
    /* The root's tag is left out except for the root's own attributes. */
    for (int i = n > 1 ? 1 : 0; i < n; i++) {
        int w = snprintf(p + used, sizeof p - used, "%s.", segs[i]);
        if (w < 0 || (size_t)w >= sizeof p - used)
            break;
        used += (size_t)w;
    }
    size_t len = strlen(list);
    if (strstr(list, ", ...") != NULL)
        return;
    if (len + strlen(p) + strlen(attr) + 8 >= size) {
        if (len + 6 < size)
            strcat(list, ", ...");
        return;
    }
    if (len > 0)
        strcat(list, ", ");
    strcat(list, p);
    strcat(list, attr);
}

static void match_walk(const zm_file *f, xmlNodePtr el, zm_match *m)
{
    for (; el != NULL; el = el->next) {
        if (el->type != XML_ELEMENT_NODE)
            continue;
        const zm_eldef *d = find_def(f, el->name);
        zm_seg segs[ZM_MAX_SEGS];
        int ns = el_segments(el, segs, ZM_MAX_SEGS);
        for (int a = 0; d != NULL && a < d->nattr; a++) {
            if (strcmp(d->attr[a], m->attr) != 0)
                continue;
            int j = 0;
            for (int i = 0; i < ns && j < m->nuser; i++)
                if (strcmp(segs[i], m->user[j]) == 0)
                    j++;
            if (j == m->nuser) {
                if (m->nmatch++ == 0)
                    m->el = el;
                add_path(m->list, sizeof m->list, segs, ns, d->attr[a]);
            } else {
                add_path(m->alt, sizeof m->alt, segs, ns, d->attr[a]);
            }
        }
        match_walk(f, el->children, m);
    }
}

/* One override: resolve the path and assign the value, without checking the
 * document; *el_out and *old_out (the previous value or NULL) allow undoing. */
typedef struct zm_undo {
    xmlNodePtr el;
    xmlChar *old;
    char attr[128];
    /* attributes removed because they exclude the one set (frequencies) */
    int nrm;
    const char *rm_attr[3];
    xmlChar *rm_old[3];
} zm_undo;

/* The two forms of <frequencies> exclude each other: setting values removes
 * from, to and per-decade; setting one of those removes values.  So
 * --set frequencies.values=... switches a model to a list and back. */
static const char *const freq_log_attrs[3] = {"from", "to", "per-decade"};

static void remove_attr(zm_undo *u, const char *attr)
{
    xmlChar *old = xmlGetNoNsProp(u->el, BAD_CAST attr);
    if (old == NULL)
        return;
    u->rm_attr[u->nrm] = attr;
    u->rm_old[u->nrm++] = old;
    xmlUnsetProp(u->el, BAD_CAST attr);
}

static void drop_excluded(zm_undo *u)
{
    if (!xmlStrEqual(u->el->name, BAD_CAST "frequencies"))
        return;
    if (strcmp(u->attr, "values") == 0) {
        for (int i = 0; i < 3; i++)
            remove_attr(u, freq_log_attrs[i]);
    } else {
        for (int i = 0; i < 3; i++)
            if (strcmp(u->attr, freq_log_attrs[i]) == 0)
                remove_attr(u, "values");
    }
}

static int set_one(zm_file *f, const char *path, const char *value, zm_undo *u,
                   zstr_error *err)
{
    /* Split the path. */
    char copy[512], *user[ZM_MAX_SEGS + 1];
    int nparts = 0, bad = strlen(path) >= sizeof copy || path[0] == '\0';
    if (!bad) {
        strcpy(copy, path);
        char *p = copy;
        for (;;) {
            char *dot = strchr(p, '.');
            if (dot != NULL)
                *dot = '\0';
            if (*p == '\0' || nparts > ZM_MAX_SEGS) {
                bad = 1;
                break;
            }
            user[nparts++] = p;
            if (dot == NULL)
                break;
            p = dot + 1;
        }
    }
    if (bad)
        return zm_fail(err, ZSTR_EINVAL, f->name, 0, 0,
                       "set '%.200s': not a path (ELEMENT.ATTRIBUTE, e.g. map.contact-fraction)",
                       path);
    if (!xmlCheckUTF8(BAD_CAST value))
        return zm_fail(err, ZSTR_EINVAL, f->name, 0, 0, "set %.200s: value is not valid UTF-8",
                       path);
    zm_match m;
    memset(&m, 0, sizeof m);
    m.user = user;
    m.nuser = nparts - 1;
    m.attr = user[nparts - 1];
    match_walk(f, xmlDocGetRootElement(f->doc), &m);
    if (m.nmatch == 0)
        return zm_fail(err, ZSTR_EINVAL, f->name, 0, 0,
                       "set %.200s: no attribute of this model matches%s%s%s", path,
                       *m.alt ? " (candidates: " : " (no element here takes an attribute '",
                       *m.alt ? m.alt : m.attr, *m.alt ? ")" : "')");
    if (m.nmatch > 1)
        return zm_fail(err, ZSTR_EINVAL, f->name, 0, 0, "set %.200s: ambiguous, it matches %s",
                       path, m.list);

    xmlNodePtr el = m.el;
    u->el = el;
    snprintf(u->attr, sizeof u->attr, "%s", m.attr);
    u->old = xmlGetNoNsProp(el, BAD_CAST m.attr);
    if (xmlSetProp(el, BAD_CAST m.attr, BAD_CAST value) == NULL) {
        xmlFree(u->old);
        u->el = NULL;
        return zm_fail(err, ZSTR_ENOMEM, f->name, 0, 0, "set %.200s: out of memory", path);
    }
    drop_excluded(u);
    return ZSTR_OK;
}

static void undo_one(zm_undo *u)
{
    if (u->el == NULL)
        return;
    for (int i = 0; i < u->nrm; i++) {
        xmlSetProp(u->el, BAD_CAST u->rm_attr[i], u->rm_old[i]);
        xmlFree(u->rm_old[i]);
    }
    u->nrm = 0;
    if (u->old != NULL)
        xmlSetProp(u->el, BAD_CAST u->attr, u->old);
    else
        xmlUnsetProp(u->el, BAD_CAST u->attr);
    xmlFree(u->old);
    u->el = NULL;
    u->old = NULL;
}

int zm_set_many(zm_file *f, int n, const char *const *paths, const char *const *values,
                zstr_error *err)
{
    if (f == NULL || n < 0 || (n > 0 && (paths == NULL || values == NULL)))
        return zm_fail(err, ZSTR_EINVAL, f != NULL ? f->name : "", 0, 0,
                       "zm_set_many: NULL argument");
    int rc = load_defs(f, err);
    if (rc != ZSTR_OK)
        return rc;
    zm_undo *u = calloc((size_t)n + 1, sizeof *u);
    if (u == NULL)
        return zm_fail(err, ZSTR_ENOMEM, f->name, 0, 0, "set: out of memory");
    int done = 0;
    for (; done < n; done++) {
        if (paths[done] == NULL || values[done] == NULL) {
            rc = zm_fail(err, ZSTR_EINVAL, f->name, 0, 0, "zm_set_many: NULL path or value");
            break;
        }
        rc = set_one(f, paths[done], values[done], &u[done], err);
        if (rc != ZSTR_OK)
            break;
    }
    for (int a = 0; rc == ZSTR_OK && a < n; a++) {
        for (int b = 0; b < n; b++) {
            /* values with from/to/per-decade in one batch: the later would
             * silently win over the earlier */
            if (u[a].el == u[b].el && xmlStrEqual(u[a].el->name, BAD_CAST "frequencies") &&
                strcmp(u[a].attr, "values") == 0 && strcmp(u[b].attr, "values") != 0) {
                rc = zm_fail(err, ZSTR_EINVAL, f->name, 0, 0,
                             "set frequencies.values and frequencies.%s together: give either "
                             "values or from, to and per-decade",
                             u[b].attr);
                break;
            }
        }
    }
    if (rc == ZSTR_OK) {
        /* every override in place: check the whole document once, so that the
         * order of overrides never matters (cell.voxels with grains.mean-size) */
        zstr_error inner;
        memset(&inner, 0, sizeof inner);
        zm_ctx c = {f->name, f->base, &inner, NULL, NULL, NULL};
        zm_spec fresh;
        rc = check_doc(&c, f->schema, f->doc, &fresh);
        if (rc == ZSTR_OK) {
            spec_free(&f->spec);
            f->spec = fresh;
        } else if (err != NULL) {
            *err = inner;
            if (n == 1)
                snprintf(err->message, sizeof err->message, "set %.100s=%.60s: %.340s",
                         paths[0], values[0], inner.message);
            else
                snprintf(err->message, sizeof err->message, "with %d overrides: %.440s", n,
                         inner.message);
        }
    }
    if (rc != ZSTR_OK) {
        for (int k = done < n ? done : n - 1; k >= 0; k--)
            undo_one(&u[k]);
    } else {
        for (int k = 0; k < n; k++) {
            xmlFree(u[k].old);
            for (int i = 0; i < u[k].nrm; i++)
                xmlFree(u[k].rm_old[i]);
        }
    }
    free(u);
    return rc;
}

int zm_set(zm_file *f, const char *path, const char *value, zstr_error *err)
{
    return zm_set_many(f, 1, &path, &value, err);
}

/* ------------------------------------------------------------------------- */
/* Building the model                                                        */
/* ------------------------------------------------------------------------- */

/* A library error: keep its message, say which model it was building. */
static int lib_fail(const zm_file *f, int rc, zstr_error *err)
{
    if (err != NULL) {
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", err->message);
        zm_fail(err, rc, f->name, 0, 0, "%s", msg);
    }
    return rc;
}

static int build_volume_model(const zm_file *f, const zm_parts *parts, zstr_model **out,
                              zstr_error *err);

static int build_model(const zm_file *f, const zm_parts *parts, zstr_model **out, zstr_error *err)
{
    const zm_spec *s = &f->spec;
    zstr_model *m = NULL;
    int rc;
    if (s->vol.present) {
        if ((rc = build_volume_model(f, parts, &m, err)) != ZSTR_OK)
            return rc;
    } else {
        rc = parts != NULL
                 ? parts->create(parts->ctx, s->n, s->h, &m, err)
                 : zstr_model_create(s->n[0], s->n[1], s->n[2], s->h[0], s->h[1], s->h[2], &m, err);
        for (int i = 0; rc == ZSTR_OK && i < s->nphases; i++) {
            const zm_phase *p = &s->phases[i];
            zstr_phase_params pp = {p->name, p->sigma, p->eps, p->ea, p->tref};
            rc = zstr_model_add_phase(m, &pp, NULL, err);
        }
        if (rc == ZSTR_OK)
            rc = zstr_model_fill(m, s->fill, err);
    }
    if (rc == ZSTR_OK)
        rc = zstr_model_set_temperature(m, s->temperature, err);
    if (s->grains && parts != NULL) /* every process, before the collective */
        rc = parts->agree(parts->ctx, rc, err);
    if (rc == ZSTR_OK && s->grains) {
        zstr_voronoi_params vp = {s->mean_size, s->grain_seed, s->grain_phase, s->gb_phase,
                                  s->gb_thickness};
        rc = parts != NULL ? parts->voronoi(parts->ctx, m, &vp, err)
                           : zstr_model_voronoi(m, &vp, NULL, err);
    }
    for (int e = 0; rc == ZSTR_OK && e < 2; e++) {
        const zm_iface *fi = &s->iface[e];
        if (!fi->present)
            continue;
        const uint8_t *pixels = fi->pixels; /* NULL: kind full */
        if (fi->kind == ZM_VOLMAP)
            continue; /* set from the top layer by zstr_volume_to_model */
        if (rc == ZSTR_OK)
            rc = zstr_model_set_interface(m, e, &fi->p, pixels, err);
    }
    if (rc != ZSTR_OK) {
        zstr_model_free(m);
        return lib_fail(f, rc, err);
    }
    *out = m;
    return ZSTR_OK;
}

/* An error of the <volume> found while building (the voxels): FILE:LINE of
 * the element, then the library's message. */
static int vol_fail(const zm_file *f, int rc, const char *attr, zstr_error *err)
{
    if (err != NULL) {
        char msg[sizeof err->message];
        snprintf(msg, sizeof msg, "%s", err->message);
        zm_fail(err, rc, f->name, f->spec.vol.line, 0, "<volume>%s%s: %s",
                attr != NULL ? " attribute " : "", attr != NULL ? attr : "", msg);
    }
    return rc;
}

/* The volume's labels: the file read, or the microstructure made. */
static int load_volume(const zm_file *f, zstr_volume **out, zstr_error *err)
{
    const zm_spec *s = &f->spec;
    const zm_volume *v = &s->vol;
    *out = NULL;
    int rc;
    if (v->generate) {
        rc = zstr_volume_create(v->n, s->h, ZSTR_VOXEL_U8, 0.0, out, err);
        if (rc == ZSTR_OK)
            rc = zstr_volume_synthesize(*out, &v->synth, NULL, err);
    } else {
        zstr_volume_read_options o = v->read;
        o.dataset = v->dataset[0] ? v->dataset : NULL;
        rc = zstr_volume_read(v->path, &o, out, err);
    }
    if (rc != ZSTR_OK) {
        zstr_volume_free(*out);
        *out = NULL;
        return vol_fail(f, rc, v->generate ? "generate" : "file", err);
    }
    return ZSTR_OK;
}

/* Some pixel of the WE made from the top layer must pass current (as
 * check_passes_current for the maps known when checking). */
static int check_volume_we(const zm_file *f, const zstr_model *m, zstr_error *err)
{
    const zm_iface *fi = &f->spec.iface[ZSTR_WE];
    const uint8_t *px = zstr_model_interface_pixels(m, ZSTR_WE);
    int64_t npx = f->spec.n[0] * f->spec.n[1];
    for (int64_t i = 0; px != NULL && i < npx; i++)
        if (px[i] == ZSTR_PIXEL_CONTACT || (px[i] == ZSTR_PIXEL_PORE && fi->p.pore_capacitance > 0))
            return ZSTR_OK;
    return zm_fail(err, ZSTR_EINVAL, f->name, fi->map_line, 0,
                   "<interface electrode=\"we\"> <map>: no current can enter the WE: every "
                   "voxel of the volume's top layer is of phase '%s' and the pore capacitance "
                   "is 0",
                   f->spec.phases[fi->pore_phase].name);
}

/* The model of a <volume>: phases, labels (and grains) by the library's
 * zstr_volume_to_model, the WE map from the top layer when asked; with parts,
 * a <volume file> is this process's part (parts->volume). */
static int build_volume_model(const zm_file *f, const zm_parts *parts, zstr_model **out,
                              zstr_error *err)
{
    const zm_spec *s = &f->spec;
    const zm_volume *v = &s->vol;
    const int collective = parts != NULL && !v->generate;
    *out = NULL;
    zstr_phase_params *pp = malloc((size_t)s->nphases * sizeof *pp);
    if (pp == NULL) {
        zm_fail(err, ZSTR_ENOMEM, f->name, 0, 0, "out of memory");
        return collective ? parts->agree(parts->ctx, ZSTR_ENOMEM, err) : ZSTR_ENOMEM;
    }
    for (int i = 0; i < s->nphases; i++) {
        const zm_phase *p = &s->phases[i];
        zstr_phase_params one = {p->name, p->sigma, p->eps, p->ea, p->tref};
        pp[i] = one;
    }
    zstr_volume_model_params mp;
    zstr_volume_model_params_default(&mp);
    mp.axis = v->axis;
    mp.phases = pp;
    mp.nphases = s->nphases;
    mp.label_phase = v->label_phase;
    mp.nlabels = v->nlabels;
    mp.grains = v->grains;
    mp.grain_phase = v->grain_phase;
    mp.boundary_phase = v->gb_phase;
    mp.boundary_thickness = v->gb_thickness;
    const zm_iface *we = &s->iface[ZSTR_WE];
    if (we->present && we->kind == ZM_VOLMAP) {
        mp.we_pore_phase = we->pore_phase;
        mp.we = we->p;
    }
    int rc;
    if (collective) {
        zstr_volume_read_options o = v->read;
        o.dataset = v->dataset[0] ? v->dataset : NULL;
        rc = parts->agree(parts->ctx, ZSTR_OK, err);
        if (rc == ZSTR_OK)
            rc = parts->volume(parts->ctx, v->path, &o, &mp, out, err);
        if (rc != ZSTR_OK)
            rc = vol_fail(f, rc, NULL, err);
    } else {
        zstr_volume *vol = NULL;
        rc = load_volume(f, &vol, err);
        if (rc == ZSTR_OK && (rc = zstr_volume_to_model(vol, &mp, out, err)) != ZSTR_OK)
            rc = vol_fail(f, rc, NULL, err);
        zstr_volume_free(vol);
    }
    free(pp);
    if (rc == ZSTR_OK && we->present && we->kind == ZM_VOLMAP)
        rc = check_volume_we(f, *out, err);
    if (rc != ZSTR_OK) {
        zstr_model_free(*out);
        *out = NULL;
    }
    return rc;
}

int zm_build_volume(const zm_file *f, zstr_volume **out, int *axis, zstr_error *err)
{
    if (out == NULL || f == NULL)
        return zm_fail(err, ZSTR_EINVAL, "", 0, 0, "zm_build_volume: NULL argument");
    *out = NULL;
    const zm_spec *s = &f->spec;
    if (axis != NULL)
        *axis = s->vol.present ? s->vol.axis : 2;
    if (!s->vol.present) {
        /* any other model: its phase labels as they are */
        zstr_model *m = NULL;
        int rc = build_model(f, NULL, &m, err);
        if (rc != ZSTR_OK)
            return rc;
        int64_t n[3];
        double h[3];
        zstr_model_get_grid(m, n, h);
        rc = zstr_volume_create(n, h, ZSTR_VOXEL_U16, 0.0, out, err);
        if (rc == ZSTR_OK) {
            const int32_t *lab = zstr_model_labels(m);
            uint16_t *l = zstr_volume_labels_mut(*out);
            for (int64_t i = 0; i < n[0] * n[1] * n[2]; i++)
                l[i] = (uint16_t)lab[i];
        }
        zstr_model_free(m);
        return rc != ZSTR_OK ? lib_fail(f, rc, err) : ZSTR_OK;
    }
    zstr_volume *vol = NULL;
    int rc = load_volume(f, &vol, err);
    if (rc != ZSTR_OK)
        return rc;
    /* labels to phase ids, in place */
    const zm_volume *v = &s->vol;
    uint16_t *l = zstr_volume_labels_mut(vol);
    int64_t n[3];
    zstr_volume_get_grid(vol, n, NULL);
    for (int64_t i = 0; i < n[0] * n[1] * n[2]; i++) {
        int ph = l[i] < v->nlabels ? v->label_phase[l[i]] : -1;
        if (ph < 0 && v->grains)
            ph = v->grain_phase;
        if (ph < 0) {
            zm_fail(err, ZSTR_EINVAL, f->name, v->line, 0,
                    "<volume>: label %u at volume voxel (%lld, %lld, %lld) has no phase: add a "
                    "<label value=\"%u\" phase=...>",
                    (unsigned)l[i], (long long)(i % n[0]), (long long)(i / n[0] % n[1]),
                    (long long)(i / (n[0] * n[1])), (unsigned)l[i]);
            zstr_volume_free(vol);
            return ZSTR_EINVAL;
        }
        l[i] = (uint16_t)ph;
    }
    *out = vol;
    return ZSTR_OK;
}

int zm_phase_count(const zm_file *f) { return f != NULL ? f->spec.nphases : 0; }

const char *zm_phase_name(const zm_file *f, int i)
{
    return f != NULL && i >= 0 && i < f->spec.nphases ? f->spec.phases[i].name : NULL;
}

int zm_build(const zm_file *f, zstr_model **model, double **freqs, int64_t *nf, zstr_error *err)
{
    return zm_build_parts(f, NULL, model, freqs, nf, err);
}

int zm_build_parts(const zm_file *f, const zm_parts *parts, zstr_model **model, double **freqs,
                   int64_t *nf, zstr_error *err)
{
    if (model != NULL)
        *model = NULL;
    if (freqs != NULL)
        *freqs = NULL;
    if (nf != NULL)
        *nf = 0;
    if (f == NULL)
        return zm_fail(err, ZSTR_EINVAL, "", 0, 0, "zm_build: file is NULL");
    const zm_spec *s = &f->spec;
    double *fr = NULL;
    int64_t n = 0;
    int rc = ZSTR_OK;
    /* a grid that cannot fit is refused before its model is built (a 1000³
     * model would otherwise be half built before the plan refuses it) */
    if (model != NULL && parts == NULL &&
        (rc = zstr_plan_check_grid(s->n, NULL, NULL, err)) != ZSTR_OK)
        return lib_fail(f, rc, err);
    /* the model first: with parts, no process may leave before its
     * collective calls */
    if (model != NULL && (rc = build_model(f, parts, model, err)) != ZSTR_OK)
        return rc;
    if (freqs != NULL || nf != NULL) {
        if (s->flog) {
            rc = zstr_frequencies_log(s->ffrom, s->fto, s->fpd, &fr, &n, err);
            if (rc != ZSTR_OK)
                rc = lib_fail(f, rc, err);
        } else {
            n = s->nfvalues;
            if ((fr = malloc((size_t)n * sizeof *fr)) == NULL)
                rc = zm_fail(err, ZSTR_ENOMEM, f->name, 0, 0, "out of memory");
            else
                memcpy(fr, s->fvalues, (size_t)n * sizeof *fr);
        }
        if (rc != ZSTR_OK) {
            free(fr);
            if (model != NULL) {
                zstr_model_free(*model);
                *model = NULL;
            }
            return rc;
        }
    }
    if (freqs != NULL)
        *freqs = fr;
    else
        free(fr);
    if (nf != NULL)
        *nf = n;
    return ZSTR_OK;
}
