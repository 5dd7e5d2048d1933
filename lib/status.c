/*
 * status.c — status strings, error records, version, clocks and small helpers.
 *
 * The status list lives once, as an X-macro in zstr.h; this file turns it into
 * zstr_strerror().  Error records are caller-owned: the library only writes into
 * them, so no state is kept between calls.
 */
#include "zs_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *zstr_strerror(int status)
{
    switch (status) {
#define ZS_X_CASE(name, value, text) \
    case value:                      \
        return text;
        ZSTR_STATUS_LIST(ZS_X_CASE)
#undef ZS_X_CASE
    default:
        return "unknown status";
    }
}

#define ZS_STR2(x) #x
#define ZS_STR(x) ZS_STR2(x)

const char *zstr_version_string(void)
{
    return ZS_STR(ZSTR_VERSION_MAJOR) "." ZS_STR(ZSTR_VERSION_MINOR) "." ZS_STR(
        ZSTR_VERSION_PATCH);
}

int zstr_version_number(void) { return ZSTR_VERSION_NUMBER; }

void zs_error_clear(zstr_error *err)
{
    if (err == NULL)
        return;
    memset(err, 0, sizeof *err);
}

int zs_error(zstr_error *err, int code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        err->code = code;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

double zs_wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double zs_arrhenius(double activation_energy, double reference_temperature, double temperature)
{
    return (reference_temperature / temperature) *
           exp(-activation_energy / ZSTR_KBOLTZ_EV *
               (1.0 / temperature - 1.0 / reference_temperature));
}

void *zs_malloc_array(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    return malloc(count * size == 0 ? 1 : count * size);
}

void *zs_calloc_array(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    return calloc(count == 0 ? 1 : count, size == 0 ? 1 : size);
}

/* ---- PRNG: splitmix64 to expand the seed, xoshiro256** to draw ---------- */

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void zs_rng_seed(zs_rng *rng, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t zs_rng_next(zs_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double zs_rng_uniform(zs_rng *rng) { return (double)(zs_rng_next(rng) >> 11) * 0x1.0p-53; }
