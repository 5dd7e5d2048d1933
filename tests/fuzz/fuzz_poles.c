/*
 * fuzz_poles.c — libFuzzer target for the poles-file reader (cli/poles.c).
 *
 *   make fuzz                        builds build-fuzz/fuzz_poles (clang)
 *   build-fuzz/fuzz_poles -max_total_time=60
 *
 * Every input must either give poles that keep the reader's promises (finite,
 * tau > 0, R >= 0, R_inf >= 0) or a clean error with a "name:line: " message;
 * sanitizers catch the rest.  Not part of `make check`.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "poles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    double *tau = NULL, *r = NULL, rinf = -1.0;
    int64_t n = -1;
    char msg[256];
    if (zc_poles_parse("fuzz", (const char *)data, size, &tau, &r, &n, &rinf, msg, sizeof msg) == 0) {
        if (n < 0 || !(rinf >= 0.0) || !isfinite(rinf))
            abort();
        for (int64_t k = 0; k < n; k++)
            if (!(tau[k] > 0.0 && isfinite(tau[k]) && r[k] >= 0.0 && isfinite(r[k])))
                abort();
    } else if (strncmp(msg, "fuzz:", 5) != 0 || tau != NULL || r != NULL || n != 0) {
        abort();
    }
    free(tau);
    free(r);
    return 0;
}
