/*
 * fuzz_volume.c — libFuzzer target for the volume readers (make fuzz; needs
 * clang).  The input's first byte picks the format and the next six small
 * dims for raw files; the rest is written to a scratch file and read.  Every
 * input must either give a volume of the dims the file declares or a refusal
 * with a message — never a crash, a leak or a read out of bounds (ASan).
 *
 *   make fuzz && mkdir -p build-fuzz/corpus && cp tests/data/bad_volumes/* build-fuzz/corpus/ && build-fuzz/fuzz_volume -max_total_time=60 build-fuzz/corpus
 */
#include "zstr_volume.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 7)
        return 0;
    char path[64];
    snprintf(path, sizeof path, "/tmp/fuzz_volume_%ld", (long)getpid());
    FILE *fp = fopen(path, "wb");
    if (fp == NULL)
        return 0;
    fwrite(data + 7, 1, size - 7, fp);
    fclose(fp);
    zstr_volume_read_options o;
    zstr_volume_read_options_default(&o);
    o.format = data[0] % 3;
    o.type = 1 + (data[0] / 3) % 2;
    for (int d = 0; d < 3; d++)
        o.dims[d] = o.format == ZSTR_VOLUME_RAW ? 1 + data[1 + d] % 32 : 0;
    if (data[4] & 1) /* a crop inside the smallest legal grid */
        for (int d = 0; d < 3; d++)
            o.crop[d] = 0, o.crop[3 + d] = 1;
    o.big_endian = data[5] & 1;
    o.header_bytes = data[6] % 8;
    o.dataset = (data[5] & 2) ? "/labels" : "/exported_data";
    o.memory_limit = 64.0 * 1024 * 1024;
    zstr_volume *v = NULL;
    zstr_error e;
    int rc = zstr_volume_read(path, &o, &v, &e);
    if (rc == ZSTR_OK) {
        int64_t n[3];
        zstr_volume_get_grid(v, n, NULL);
        const uint16_t *l = zstr_volume_labels(v);
        unsigned sum = 0;
        for (int64_t i = 0; i < n[0] * n[1] * n[2]; i++)
            sum += l[i]; /* every voxel readable */
        if (sum == 1u << 31)
            fputs("", stdout); /* keeps the loop */
        if (zstr_volume_check_labels(v, NULL) != ZSTR_OK)
            abort(); /* a reader gave a label its type cannot hold */
    } else if (v != NULL || e.message[0] == '\0') {
        abort(); /* a refusal must leave no volume and say why */
    }
    zstr_volume_free(v);
    unlink(path);
    return 0;
}
