/*
 * zs_voronoi.h — Voronoi grains made slab by slab, for the distributed model
 * (never installed).
 *
 * zstr_model_voronoi labels the whole grid and runs its connectivity
 * post-process on voxels (voronoi.c).  A distributed process holds only its
 * slab of layers, so the same grains are made in three steps that need only
 * the slab and a graph far smaller than the grid:
 *   1. zs_vor_raw: the nearest seed of every voxel of the slab (the seeds are
 *      drawn alike on every process, so these are the whole grid's labels);
 *   2. zs_vor_part_build: the slab's pieces — the 6-connected sets of voxels
 *      of one raw grain within the slab — with their size, first voxel and
 *      the faces they share; zs_vor_part_cross: the contacts across the face
 *      to the next slab (pieces of one grain that touch are one component);
 *   3. zs_vor_resolve: on the graph of every slab's pieces, the post-process
 *      of voronoi.c played on components instead of voxels — the same
 *      components in the same order (a component's first voxel), the same
 *      largest per grain, the same face counts, the same passes — so every
 *      piece gets the grain the voxel algorithm gives its voxels, renumbered
 *      in the same order.  tests/test_voronoi.c checks the equality.
 */
#ifndef ZS_VORONOI_H
#define ZS_VORONOI_H

#include "zs_internal.h"

/* The seeds and their bins, for any slab of one grid (voronoi.c). */
typedef struct zs_vor zs_vor;

/* Check params against m's grid (only the grid is read) and draw the seeds.
 * Messages name fn.  ZSTR_EINVAL, ZSTR_ENOMEM. */
int zs_vor_create(const zstr_model *m, const zstr_voronoi_params *p, const char *fn, zs_vor **out,
                  zstr_error *err);
int64_t zs_vor_seeds(const zs_vor *v);
/* The raw labels (nearest seed) of layers [zlo, zhi) into grain, x fastest
 * from layer zlo. */
void zs_vor_raw(zs_vor *v, int64_t zlo, int64_t zhi, int32_t *grain);
void zs_vor_free(zs_vor *v);

/* The graph of pieces: per piece its raw grain, voxel count and first voxel
 * (global index); faces between pieces of different grains (a < b, count); and
 * the pairs of pieces of one grain that touch (across a slab face). */
typedef struct zs_vor_graph {
    int64_t np;
    int32_t *grain;
    int64_t *size, *minidx;
    int64_t ne;
    int64_t *ea, *eb, *ef;
    int64_t nu;
    int64_t *ua, *ub;
} zs_vor_graph;

void zs_vor_graph_free(zs_vor_graph *g);

/* One slab [z0, z1) of an n grid: its pieces (local ids 0..np−1 in the order
 * of their first voxel), the faces between them, and each voxel's piece. */
typedef struct zs_vor_part {
    int64_t n[3], z0, z1;
    zs_vor_graph g; /* pieces and faces, local ids; no unions */
    int32_t *piece; /* per voxel of the slab */
} zs_vor_part;

/* raw: the slab's raw labels (zs_vor_raw).  ZSTR_ENOMEM, or ZSTR_ERANGE past
 * 2^31 − 1 pieces. */
int zs_vor_part_build(const int32_t *raw, const int64_t n[3], int64_t z0, int64_t z1,
                      zs_vor_part *pt, zstr_error *err);
void zs_vor_part_free(zs_vor_part *pt);

/* The contacts between pt's last layer and the next slab's first layer, whose
 * pieces (the next slab's local ids) and raw grains are next_piece and
 * next_grain (nx·ny each); own_off and next_off are the global ids of the two
 * slabs' first pieces.  out gets faces and unions in global ids, no pieces. */
int zs_vor_part_cross(const zs_vor_part *pt, const int32_t *next_piece, const int32_t *next_grain,
                      int64_t own_off, int64_t next_off, zs_vor_graph *out, zstr_error *err);

/* The post-process on the graph of every piece (global ids; nseeds raw
 * grains): final[p] = the renumbered grain of piece p, *ngrains = their count.
 * ZSTR_ENOMEM; ZSTR_EINVAL for an inconsistent graph. */
int zs_vor_resolve(const zs_vor_graph *g, int64_t nseeds, int32_t *final, int64_t *ngrains,
                   zstr_error *err);

#endif
