/*
 * fuzz_spectrum.c — libFuzzer target for the spectrum readers.
 *
 *   make fuzz                        builds build-fuzz/fuzz_spectrum (clang)
 *   build-fuzz/fuzz_spectrum -max_total_time=60 build-fuzz/corpus-spectra
 *
 * The first byte of the input picks the format (auto, CSV, MPT, DTA, ZPlot)
 * and the sign rule; the rest is the file.  Every input must either give a
 * spectrum that keeps the type's invariants (n >= 1, f finite and > 0, Z
 * finite) or a clean error with a message; sanitizers catch the rest.  Not
 * part of `make check`.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "zstr_analysis.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    zstr_read_options o;
    zstr_read_options_default(&o);
    o.format = data[0] % 5;
    o.sign = (data[0] / 5) % 3;
    zstr_error e;
    zstr_spectrum *s = NULL;
    int rc = zstr_spectrum_read_buffer((const char *)data + 1, size - 1, "fuzz", &o, &s, &e);
    if (rc == ZSTR_OK) {
        int64_t n = zstr_spectrum_count(s);
        const double *f = zstr_spectrum_frequencies(s), *z = zstr_spectrum_impedance(s);
        if (n < 1)
            abort();
        for (int64_t k = 0; k < n; k++) {
            if (!(isfinite(f[k]) && f[k] > 0.0 && isfinite(z[2 * k]) && isfinite(z[2 * k + 1])))
                abort();
        }
    } else if (s != NULL || e.message[0] == '\0') {
        abort();
    }
    zstr_spectrum_free(s);
    return 0;
}
