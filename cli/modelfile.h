/*
 * modelfile.h — XML model files (format version 1) for the zstr program
 * (the program's own module, built on libzstr's public API; not part of the
 * library's API).
 *
 * A model file describes one cell: grid, phases, fill, Voronoi grains,
 * electrode interfaces and frequencies.  The format is schema/zstr-1.xsd
 * (embedded in the program) plus the semantic rules listed in modelfile.c's
 * banner; issue 3 has an example.  A zm_file is a parsed document that passed
 * both the schema and the semantic checks; zm_set() changes one attribute and
 * checks the whole document again; zm_build() turns it into a zstr_model and
 * a frequency list.
 *
 * Errors: every fallible call returns ZSTR_OK or a zstr_status (ZSTR_EINVAL
 * for a problem in the document or a --set, ZSTR_EIO when a file cannot be
 * read, ZSTR_ENOMEM) and fills the optional error record: message (starting
 * with "FILE:LINE: " when a line is known, and naming the element and
 * attribute), file, line (1-based, 0 when not applicable) and column (parse
 * errors only).  Nothing is ever printed.
 *
 * Safety: documents with a DOCTYPE are refused before any DTD or entity is
 * read; no entity is expanded or loaded, no network is used.
 *
 * Threads: different zm_file objects may be used from different threads; one
 * object by one thread at a time.
 */
#ifndef ZSTR_CLI_MODELFILE_H
#define ZSTR_CLI_MODELFILE_H

#include <stddef.h>
#include <stdint.h>

#include "zstr.h"
#include "zstr_volume.h"

typedef struct zm_file zm_file;

/* Purpose: read, parse and validate a model file.
 *   path == NULL loads the embedded default model (zm_default_xml()).
 *   Relative file names inside the document (image maps, volumes) resolve against the
 *   folder of path (the current directory for the default model).
 * Returns: ZSTR_OK with *out set; ZSTR_EIO (file unreadable), ZSTR_EINVAL (bad
 *   document), ZSTR_ENOMEM; *out = NULL on failure. */
int zm_load(const char *path, zm_file **out, zstr_error *err);

/* Purpose: as zm_load(), but every independent problem of the document is
 *   passed to note (in document order) instead of the first one only: every
 *   schema error (the semantic checks are then skipped), else every element's
 *   first problem; elements that depend on a bad <cell> (grains, interfaces)
 *   are not checked.  err (optional) receives the first problem.  Like
 *   zm_load(), this never allocates the grid: a file of 2^31 voxels is checked
 *   in the memory of its interface maps.
 * Returns: as zm_load(); ZSTR_OK when there was no problem. */
int zm_load_all(const char *path, zm_file **out, void (*note)(void *ctx, const zstr_error *e),
                void *ctx, zstr_error *err);

/* Purpose: as zm_load() for a document in memory (len bytes, need not be
 *   NUL-terminated).  name is used in messages and as zm_name(); relative file
 *   names resolve against its folder, or against the current directory when
 *   name is NULL or contains no '/'.  name == NULL means "<memory>". */
int zm_load_memory(const char *xml, size_t len, const char *name, zm_file **out, zstr_error *err);

/* Purpose: set one attribute (a --set override).  path is dot-separated:
 *   element names and identifying values (a phase's name, an interface's
 *   electrode, a level's value), then the attribute name — e.g.
 *   "map.contact-fraction", "cell.temperature", "phase.gb.conductivity",
 *   "interface.ce.map.kind".  The parts before the attribute must occur in
 *   that order in the element's full path (zstr.interface.we.map), so any
 *   unambiguous shortening works.  frequencies.values and
 *   frequencies.from/to/per-decade exclude each other: setting one form
 *   removes the other (both in one zm_set_many is refused).  The path must name
 *   exactly one attribute
 *   that the schema allows on one existing element; the attribute may be
 *   absent and is then created.  The document is validated again (schema and
 *   semantics); on any failure it is left exactly as before.
 * Returns: ZSTR_OK; ZSTR_EINVAL when the path matches nothing or several
 *   attributes (the message lists the candidates' full paths) or when the new
 *   value makes the document invalid (the message starts "set PATH=VALUE: "). */
/* Several overrides applied together, then one check of the whole document,
 * so their order never matters; on failure every one is undone. */
int zm_set_many(zm_file *f, int n, const char *const *paths, const char *const *values,
                zstr_error *err);
int zm_set(zm_file *f, const char *path, const char *value, zstr_error *err);

/* Purpose: build the model: grid, phases (ids in document order), temperature,
 *   fill, Voronoi grains (zstr_model_voronoi) or the <volume> (read or
 *   generated, then zstr_volume_to_model), interfaces (zstr_map_*, the image
 *   or the volume's top layer), and the frequency list [Hz] (*freqs malloc'ed, free() it; *nf
 *   entries).  model, freqs and nf may each be NULL when not wanted.
 * Returns: ZSTR_OK, or the library's status; outputs are NULL / 0 on failure. */
int zm_build(const zm_file *f, zstr_model **model, double **freqs, int64_t *nf, zstr_error *err);

/* How a distributed run's process builds its part of the model
 * (cli/distributed.c: zstr_mpi_model_create, zstr_mpi_model_voronoi). */
typedef struct zm_parts {
    void *ctx;
    int (*create)(void *ctx, const int64_t n[3], const double h[3], zstr_model **out,
                  zstr_error *err);
    int (*voronoi)(void *ctx, zstr_model *m, const zstr_voronoi_params *p, zstr_error *err);
    int (*volume)(void *ctx, const char *path, const zstr_volume_read_options *ro,
                  const zstr_volume_model_params *mp, zstr_model **out, zstr_error *err);
    /* the statuses of every process agreed before each collective call: rc,
     * or a failure when another process failed (collective itself) */
    int (*agree)(void *ctx, int rc, zstr_error *err);
} zm_parts;

/* Purpose: as zm_build, but with parts != NULL the model is this process's
 *   part: made by parts->create and grown by parts->voronoi (collective), or
 *   for a <volume file> read by parts->volume (collective: each process reads
 *   its layers' planes); and the serial plan's grid check is not made (the
 *   distributed sweep checks each process's share).  A generated <volume> is
 *   made whole on every process.  Every process must call it with the same
 *   document: each path that reaches a collective call first agrees the
 *   statuses once (parts->agree), whatever failed before on any process. */
int zm_build_parts(const zm_file *f, const zm_parts *parts, zstr_model **model, double **freqs,
                   int64_t *nf, zstr_error *err);

/* Purpose: the model's voxels as a labelled volume of phase ids (label k =
 *   the k-th phase, as zm_phase_name), for the metrics of zstr morph.  A model
 *   with a <volume> gives that volume in its own axes (before the transport
 *   axis is turned onto z; *axis receives it, 0..2), its labels mapped
 *   through the <label> table (grain volumes: unlisted labels are the grain
 *   phase); any other model gives its grid as built (axis 2).  No plan is
 *   made, so a grid too large to solve is fine.
 * Returns: ZSTR_OK; the status of reading or building (message "FILE:LINE:
 *   <volume> ..." for the volume's problems); *out = NULL on failure. */
typedef struct zstr_volume zstr_volume;
int zm_build_volume(const zm_file *f, zstr_volume **out, int *axis, zstr_error *err);

/* Phases of the model in id order, an undefined "pore" of a <label> included
 * (it is the last).  NULL for i out of range. */
int zm_phase_count(const zm_file *f);
const char *zm_phase_name(const zm_file *f, int i);

/* The file path given to zm_load(), the name given to zm_load_memory(), or
 * "<default>" for the embedded default model. */
const char *zm_name(const zm_file *f);

/* The contact fraction an electrode's map asks for (kinds square, frame and
 * random): 1 with *fraction set (fraction may be NULL), 0 when the electrode
 * has no such map (ideal, full or image).  electrode is ZSTR_WE or ZSTR_CE. */
int zm_contact_request(const zm_file *f, int electrode, double *fraction);
/* Warnings of the last successful check (zm_load, zm_set): things that are
 * valid but most likely not meant, e.g. a temperature outside 150 .. 700 K
 * (a unitless temperature is kelvin: "25" is 25 K, not 25 °C).  Each is one
 * line "FILE:LINE: <element> attribute NAME: ...".  i from 0 to count - 1. */
int zm_warning_count(const zm_file *f);
const char *zm_warning(const zm_file *f, int i);

/* The embedded default model as a NUL-terminated XML document (static). */
const char *zm_default_xml(void);

/* Free a model file; NULL is a no-op. */
void zm_free(zm_file *f);

#endif
