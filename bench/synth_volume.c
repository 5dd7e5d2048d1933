/*
 * synth_volume.c — write a synthetic three-phase separator as a raw uint8
 * volume, for timing `zstr morph` on imaged-size volumes (bench/RESULTS.md).
 *
 *   build/bench/synth_volume N POROSITY MINORITY CORRELATION_VOXELS SEED OUT.raw
 *
 * Blobs of pore (label 1) at POROSITY with a minority phase (label 2, Li2S-like)
 * at MINORITY in a solid (label 0), correlation length in voxels, N^3 voxels
 * in zstr.h's order (x fastest): read it with
 *   <volume file="OUT.raw" dims="N N N" type="uint8" voxel-size="...">.
 */
#include "zstr_volume.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: synth_volume N POROSITY MINORITY CORRELATION_VOXELS SEED "
                        "OUT.raw\n");
        return 2;
    }
    const int64_t n = atoll(argv[1]);
    const int64_t dims[3] = {n, n, n};
    const double h[3] = {1.0, 1.0, 1.0};
    zstr_volume *v = NULL;
    zstr_error e;
    zstr_synth_params p;
    zstr_synth_params_default(&p);
    p.porosity = atof(argv[2]);
    p.minority_fraction = atof(argv[3]);
    p.correlation_length = atof(argv[4]);
    p.seed = strtoull(argv[5], NULL, 10);
    double realised[2];
    if (zstr_volume_create(dims, h, ZSTR_VOXEL_U8, 0.0, &v, &e) != ZSTR_OK ||
        zstr_volume_synthesize(v, &p, realised, &e) != ZSTR_OK) {
        fprintf(stderr, "synth_volume: %s\n", e.message);
        zstr_volume_free(v);
        return 1;
    }
    const uint16_t *l = zstr_volume_labels(v);
    FILE *fp = fopen(argv[6], "wb");
    int bad = fp == NULL;
    for (int64_t i = 0; !bad && i < n * n * n; i++)
        bad = putc((int)l[i], fp) == EOF;
    if (fp != NULL && fclose(fp) != 0)
        bad = 1;
    zstr_volume_free(v);
    if (bad) {
        fprintf(stderr, "synth_volume: cannot write %s\n", argv[6]);
        return 1;
    }
    printf("%s: %lld^3, pore %.6f, minority %.6f\n", argv[6], (long long)n, realised[0],
           realised[1]);
    return 0;
}
