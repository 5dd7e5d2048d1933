/*
 * test_model.c — the zstr_model object (lib/model.c) and the status, error and
 * version helpers (lib/status.c).
 *
 * Each setter is checked for what it stores (and that it copies rather than
 * aliases caller memory); then a catalogue feeds every invalid argument of every
 * function and checks the status, err->code, a message that names the argument
 * or value, that err == NULL is accepted, and that constructors set *out = NULL.
 */
#include "zs_test.h"

#include "zs_internal.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Bad call: status, err->code, a non-empty message containing `needle`; the
 * same call with err == NULL gives the same status.  `call` uses ep_. */
#define EXPECT_BAD(status, needle, call)                                                  \
    do {                                                                                  \
        zstr_error e_;                                                                    \
        zstr_error *ep_ = &e_;                                                            \
        memset(&e_, 0, sizeof e_);                                                        \
        int rc_ = (call);                                                                 \
        ck_assert_msg(rc_ == (status), "%s -> %d, expected %d (%s)", #call, rc_,          \
                      (int)(status), e_.message);                                         \
        ck_assert_int_eq(e_.code, (status));                                              \
        ck_assert_msg(e_.message[0] != '\0', "%s: empty message", #call);                 \
        ck_assert_msg(strstr(e_.message, (needle)) != NULL,                               \
                      "%s: message \"%s\" does not mention \"%s\"", #call, e_.message,    \
                      (needle));                                                          \
        ep_ = NULL;                                                                       \
        ck_assert_int_eq((call), (status));                                               \
    } while (0)

static zstr_phase_params phase(const char *name, double sigma)
{
    zstr_phase_params p = {name, sigma, 150.0, 0.34, 298.15};
    return p;
}

static zstr_model *make(int64_t nx, int64_t ny, int64_t nz)
{
    zstr_model *m = NULL;
    zstr_error err;
    ZS_CK_OK(zstr_model_create(nx, ny, nz, 1e-6, 2e-6, 3e-6, &m, &err), &err);
    ck_assert_ptr_nonnull(m);
    return m;
}

/* ------------------------------------------------------------------------- */
/* Status, errors, version                                                    */
/* ------------------------------------------------------------------------- */

START_TEST(test_strerror)
{
    static const struct {
        int code;
        const char *text;
    } list[] = {
#define X(name, value, text) {name, text},
        ZSTR_STATUS_LIST(X)
#undef X
    };
    size_t n = sizeof list / sizeof list[0];
    ck_assert_int_eq(n, 14);
    for (size_t i = 0; i < n; i++) {
        ck_assert_str_eq(zstr_strerror(list[i].code), list[i].text);
        for (size_t j = 0; j < i; j++) /* codes and texts are distinct */
            ck_assert(list[i].code != list[j].code &&
                      strcmp(list[i].text, list[j].text) != 0);
    }
    ck_assert_str_eq(zstr_strerror(ZSTR_OK), "success");
    ck_assert_str_eq(zstr_strerror(ZSTR_EINVAL), "invalid argument");
    ck_assert_str_eq(zstr_strerror(ZSTR_WOPEN_CIRCUIT),
                     "no conductive path joins the electrodes at DC");
    static const int unknown[] = {-13, 2, 12345, -99999, ZSTR_STATUS_END_, INT32_MIN};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        ck_assert_str_eq(zstr_strerror(unknown[i]), "unknown status");
}
END_TEST

START_TEST(test_version)
{
    char want[32];
    snprintf(want, sizeof want, "%d.%d.%d", ZSTR_VERSION_MAJOR, ZSTR_VERSION_MINOR,
             ZSTR_VERSION_PATCH);
    ck_assert_str_eq(zstr_version_string(), want);
    ck_assert_int_eq(zstr_version_number(), ZSTR_VERSION_NUMBER);
    ck_assert_int_eq(zstr_version_number(), ZSTR_VERSION_MAJOR * 10000 +
                                                ZSTR_VERSION_MINOR * 100 + ZSTR_VERSION_PATCH);
    int a, b, c;
    ck_assert_int_eq(sscanf(zstr_version_string(), "%d.%d.%d", &a, &b, &c), 3);
    ck_assert_int_eq(a * 10000 + b * 100 + c, zstr_version_number());
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Create, grid, free                                                          */
/* ------------------------------------------------------------------------- */

START_TEST(test_create_and_grid)
{
    zstr_model *m = NULL;
    zstr_error err;
    memset(&err, 0x41, sizeof err); /* stale record: success clears it */
    ZS_CK_OK(zstr_model_create(3, 4, 5, 1e-6, 2e-6, 2.5e-6, &m, &err), &err);
    ck_assert_int_eq(err.code, ZSTR_OK);
    ck_assert_str_eq(err.message, "");
    int64_t n[3];
    double h[3];
    zstr_model_get_grid(m, n, h);
    ck_assert(n[0] == 3 && n[1] == 4 && n[2] == 5);
    ck_assert(h[0] == 1e-6 && h[1] == 2e-6 && h[2] == 2.5e-6);
    zstr_model_get_grid(m, NULL, h); /* either output may be omitted */
    zstr_model_get_grid(m, n, NULL);
    zstr_model_get_grid(NULL, n, h);
    ck_assert(n[0] == 0 && n[1] == 0 && n[2] == 0 && h[0] == 0.0);
    /* fresh model: labels all phase 0, no phases, no grains, ideal electrodes */
    const int32_t *lab = zstr_model_labels(m);
    ck_assert_ptr_nonnull(lab);
    for (int i = 0; i < 60; i++)
        ck_assert_int_eq(lab[i], 0);
    ck_assert_int_eq(zstr_model_phase_count(m), 0);
    ck_assert_ptr_null(zstr_model_grain_ids(m));
    ck_assert(zstr_model_get_temperature(m) == 298.15);
    for (int e = ZSTR_WE; e <= ZSTR_CE; e++) {
        ck_assert_ptr_null(zstr_model_interface_pixels(m, e));
        ck_assert(zstr_model_contact_fraction(m, e) == 1.0);
    }
    zstr_model_free(m);
    zstr_model_free(NULL);
    /* one voxel, and err == NULL on success */
    ZS_CK_OK(zstr_model_create(1, 1, 1, 1.0, 1.0, 1.0, &m, NULL), NULL);
    zstr_model_free(m);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Phases                                                                     */
/* ------------------------------------------------------------------------- */

START_TEST(test_phases)
{
    zstr_model *m = make(2, 2, 2);
    zstr_error err;
    int id = -1;
    zstr_phase_params p = phase("bulk", 0.046);
    ZS_CK_OK(zstr_model_add_phase(m, &p, &id, &err), &err);
    ck_assert_int_eq(id, 0);
    p = phase(NULL, 5.97e-4); /* default name phaseN */
    ZS_CK_OK(zstr_model_add_phase(m, &p, &id, &err), &err);
    ck_assert_int_eq(id, 1);
    p = phase("pore", 0.0); /* insulator allowed; id optional */
    p.activation_energy = 0.0;
    ZS_CK_OK(zstr_model_add_phase(m, &p, NULL, &err), &err);
    ck_assert_int_eq(zstr_model_phase_count(m), 3);
    ck_assert_int_eq(zstr_model_phase_count(NULL), 0);

    zstr_phase_params q;
    ZS_CK_OK(zstr_model_get_phase(m, 0, &q, &err), &err);
    ck_assert_str_eq(q.name, "bulk");
    ck_assert(q.conductivity == 0.046 && q.permittivity == 150.0 &&
              q.activation_energy == 0.34 && q.reference_temperature == 298.15);
    ZS_CK_OK(zstr_model_get_phase(m, 1, &q, &err), &err);
    ck_assert_str_eq(q.name, "phase1");
    ck_assert(q.conductivity == 5.97e-4);
    ZS_CK_OK(zstr_model_get_phase(m, 2, &q, NULL), NULL);
    ck_assert_str_eq(q.name, "pore");
    ck_assert(q.conductivity == 0.0);

    /* the name is copied: changing the caller's buffer changes nothing */
    char buf[16] = "grain";
    p = phase(buf, 1.0);
    ZS_CK_OK(zstr_model_add_phase(m, &p, &id, &err), &err);
    strcpy(buf, "XXXXX");
    ZS_CK_OK(zstr_model_get_phase(m, id, &q, &err), &err);
    ck_assert_str_eq(q.name, "grain");
    ck_assert_ptr_ne(q.name, buf);

    /* truncation: at most 63 bytes kept */
    char longname[200];
    for (int i = 0; i < 199; i++)
        longname[i] = (char)('a' + i % 26);
    longname[199] = '\0';
    p = phase(longname, 1.0);
    ZS_CK_OK(zstr_model_add_phase(m, &p, &id, &err), &err);
    ZS_CK_OK(zstr_model_get_phase(m, id, &q, &err), &err);
    ck_assert_uint_eq(strlen(q.name), 63);
    ck_assert(strncmp(q.name, longname, 63) == 0);
    p = phase("", 1.0); /* an empty name stays empty */
    ZS_CK_OK(zstr_model_add_phase(m, &p, &id, &err), &err);
    ZS_CK_OK(zstr_model_get_phase(m, id, &q, &err), &err);
    ck_assert_str_eq(q.name, "");

    /* set_phase replaces values; NULL name gives phaseN of that id */
    p = phase("gb", 2.5e-4);
    p.permittivity = 42.0;
    p.activation_energy = 0.43;
    p.reference_temperature = 300.0;
    ZS_CK_OK(zstr_model_set_phase(m, 0, &p, &err), &err);
    ZS_CK_OK(zstr_model_get_phase(m, 0, &q, &err), &err);
    ck_assert_str_eq(q.name, "gb");
    ck_assert(q.conductivity == 2.5e-4 && q.permittivity == 42.0 &&
              q.activation_energy == 0.43 && q.reference_temperature == 300.0);
    p.name = NULL;
    ZS_CK_OK(zstr_model_set_phase(m, 2, &p, &err), &err);
    ZS_CK_OK(zstr_model_get_phase(m, 2, &q, &err), &err);
    ck_assert_str_eq(q.name, "phase2");
    ck_assert_int_eq(zstr_model_phase_count(m), 6);
    zstr_model_free(m);
}
END_TEST

/* The sweep idiom: get a phase, change one value, set it back.  The name then
 * points into the model's own storage (get_phase returns it so), i.e. source and
 * destination of the name copy are the same bytes. */
START_TEST(test_phase_set_from_get)
{
    zstr_model *m = make(1, 1, 1);
    zstr_error err;
    zstr_phase_params p = phase("bulk", 0.046), q;
    ZS_CK_OK(zstr_model_add_phase(m, &p, NULL, &err), &err);
    ZS_CK_OK(zstr_model_get_phase(m, 0, &q, &err), &err);
    q.conductivity = 7.0;
    ZS_CK_OK(zstr_model_set_phase(m, 0, &q, &err), &err);
    ZS_CK_OK(zstr_model_get_phase(m, 0, &q, &err), &err);
    ck_assert(q.conductivity == 7.0);
    ck_assert_str_eq(q.name, "bulk");
    /* a name taken from another phase is copied, not shared */
    p = phase("other", 1.0);
    ZS_CK_OK(zstr_model_add_phase(m, &p, NULL, &err), &err);
    ZS_CK_OK(zstr_model_get_phase(m, 1, &q, &err), &err);
    zstr_phase_params r = phase(q.name, 2.0);
    ZS_CK_OK(zstr_model_set_phase(m, 0, &r, &err), &err);
    ZS_CK_OK(zstr_model_get_phase(m, 0, &q, &err), &err);
    ck_assert_str_eq(q.name, "other");
    zstr_model_free(m);
}
END_TEST

START_TEST(test_phase_limit)
{
    zstr_model *m = make(1, 1, 1);
    zstr_phase_params p = phase(NULL, 1.0);
    int id = -1;
    for (int i = 0; i < 256; i++) { /* ids 0..255, the range a label may hold */
        ZS_CK_OK(zstr_model_add_phase(m, &p, &id, NULL), NULL);
        ck_assert_int_eq(id, i);
    }
    zstr_phase_params q;
    ZS_CK_OK(zstr_model_get_phase(m, 255, &q, NULL), NULL);
    ck_assert_str_eq(q.name, "phase255");
    id = -7;
    EXPECT_BAD(ZSTR_ERANGE, "256", zstr_model_add_phase(m, &p, &id, ep_));
    ck_assert_int_eq(id, -7);
    ck_assert_int_eq(zstr_model_phase_count(m), 256);
    zstr_model_free(m);
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Temperature, labels, grains                                                 */
/* ------------------------------------------------------------------------- */

START_TEST(test_temperature)
{
    zstr_model *m = make(1, 1, 1);
    ck_assert(zstr_model_get_temperature(m) == 298.15);
    ZS_CK_OK(zstr_model_set_temperature(m, 353.15, NULL), NULL);
    ck_assert(zstr_model_get_temperature(m) == 353.15);
    ZS_CK_OK(zstr_model_set_temperature(m, 1e-3, NULL), NULL);
    ck_assert(zstr_model_get_temperature(m) == 1e-3);
    ck_assert(zstr_model_get_temperature(NULL) == 0.0);
    /* a refused value leaves the old one */
    ck_assert_int_eq(zstr_model_set_temperature(m, -5.0, NULL), ZSTR_EINVAL);
    ck_assert(zstr_model_get_temperature(m) == 1e-3);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_fill_and_labels)
{
    zstr_model *m = make(3, 2, 2);
    zstr_error err;
    ZS_CK_OK(zstr_model_fill(m, 7, &err), &err); /* phases may be added later */
    const int32_t *lab = zstr_model_labels(m);
    for (int i = 0; i < 12; i++)
        ck_assert_int_eq(lab[i], 7);
    ZS_CK_OK(zstr_model_fill(m, 255, &err), &err);
    ck_assert_int_eq(zstr_model_labels(m)[11], 255);

    int32_t src[12];
    for (int i = 0; i < 12; i++)
        src[i] = i % 4;
    ZS_CK_OK(zstr_model_set_labels(m, src, &err), &err);
    lab = zstr_model_labels(m);
    ck_assert_ptr_ne(lab, src); /* copied, not aliased */
    for (int i = 0; i < 12; i++)
        src[i] = 99;
    for (int i = 0; i < 12; i++)
        ck_assert_int_eq(lab[i], i % 4);
    ck_assert_ptr_null(zstr_model_labels(NULL));

    /* a refused label array changes nothing (checked before copying) */
    int32_t bad[12] = {0};
    bad[11] = -1;
    ck_assert_int_eq(zstr_model_set_labels(m, bad, NULL), ZSTR_EINVAL);
    for (int i = 0; i < 12; i++)
        ck_assert_int_eq(zstr_model_labels(m)[i], i % 4);
    zstr_model_free(m);
}
END_TEST

START_TEST(test_grains)
{
    zstr_model *m = make(2, 2, 2); /* h = 1, 2, 3 µm */
    zstr_error err;
    int32_t g[8] = {0, 0, 1, 1, -1, 2, 2, 3};
    ZS_CK_OK(zstr_model_set_grains(m, g, 1, 10e-9, &err), &err);
    const int32_t *got = zstr_model_grain_ids(m);
    ck_assert_ptr_nonnull(got);
    ck_assert_ptr_ne(got, g);
    g[0] = 77;
    for (int i = 1; i < 8; i++)
        ck_assert_int_eq(got[i], g[i]);
    ck_assert_int_eq(got[0], 0);
    int gbp = -1;
    double gbt = -1.0;
    ZS_CK_OK(zstr_model_get_grain_boundary(m, &gbp, &gbt), NULL);
    ck_assert(gbp == 1 && gbt == 10e-9);
    ZS_CK_OK(zstr_model_get_grain_boundary(m, NULL, NULL), NULL);
    ck_assert_int_eq(zstr_model_get_grain_boundary(NULL, &gbp, &gbt), ZSTR_EINVAL);
    /* replace; a zero thickness is allowed */
    int32_t g2[8] = {5, 5, 5, 5, 6, 6, 6, 6};
    ZS_CK_OK(zstr_model_set_grains(m, g2, 0, 0.0, &err), &err);
    ck_assert_int_eq(zstr_model_grain_ids(m)[4], 6);
    /* just below the smallest edge (1 µm) */
    ZS_CK_OK(zstr_model_set_grains(m, g2, 0, 0.999e-6, &err), &err);
    /* NULL removes grains, whatever the other arguments */
    ZS_CK_OK(zstr_model_set_grains(m, NULL, -5, NAN, &err), &err);
    ck_assert_ptr_null(zstr_model_grain_ids(m));
    ck_assert_int_eq(zstr_model_get_grain_boundary(m, &gbp, &gbt), ZSTR_ESTATE);
    ZS_CK_OK(zstr_model_set_grains(m, NULL, 0, 0.0, &err), &err); /* twice is fine */
    ck_assert_ptr_null(zstr_model_grain_ids(NULL));
    /* a refused call keeps the previous grains */
    ZS_CK_OK(zstr_model_set_grains(m, g2, 0, 1e-9, &err), &err);
    ck_assert_int_eq(zstr_model_set_grains(m, g, 0, 1e-6, NULL), ZSTR_EINVAL);
    ck_assert_int_eq(zstr_model_grain_ids(m)[0], 5);
    zstr_model_free(m); /* frees the grain copy */
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Interfaces                                                                  */
/* ------------------------------------------------------------------------- */

START_TEST(test_interface_params_default)
{
    zstr_interface_params p;
    memset(&p, 0x7f, sizeof p);
    zstr_interface_params_default(&p);
    ck_assert(p.contact_resistance == 0.0 && p.contact_capacitance == 0.0 &&
              p.contact_activation_energy == 0.0 && p.pore_capacitance == 0.0 &&
              p.sei_resistance == 0.0 && p.sei_capacitance == 0.0 &&
              p.sei_activation_energy == 0.0);
    ck_assert(p.reference_temperature == 298.15);
    zstr_interface_params_default(NULL);
}
END_TEST

START_TEST(test_interface)
{
    zstr_model *m = make(4, 3, 2);
    zstr_error err;
    zstr_interface_params p;
    zstr_interface_params_default(&p);
    p.contact_resistance = 5e-5; /* 0.5 Ω·cm² */
    p.contact_capacitance = 17.71;
    p.pore_capacitance = 4.43;

    /* NULL pixels: full contact, still a present (non-ideal) interface */
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &p, NULL, &err), &err);
    const uint8_t *px = zstr_model_interface_pixels(m, ZSTR_WE);
    ck_assert_ptr_nonnull(px);
    for (int i = 0; i < 12; i++)
        ck_assert_int_eq(px[i], ZSTR_PIXEL_CONTACT);
    ck_assert(zstr_model_contact_fraction(m, ZSTR_WE) == 1.0);
    ck_assert_ptr_null(zstr_model_interface_pixels(m, ZSTR_CE)); /* independent */

    /* a map is copied */
    uint8_t map[12] = {1, 1, 2, 2, 1, 0, 0, 2, 2, 2, 2, 2};
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &p, map, &err), &err);
    px = zstr_model_interface_pixels(m, ZSTR_WE);
    ck_assert_ptr_ne(px, map);
    ck_assert(memcmp(px, map, 12) == 0);
    memset(map, 0, sizeof map);
    ck_assert_int_eq(px[0], 1);
    ck_assert(zstr_model_contact_fraction(m, ZSTR_WE) == 0.25);

    /* a generated map: the model's fraction equals the generator's */
    uint8_t sq[12];
    double r;
    ZS_CK_OK(zstr_map_square(4, 3, 1e-6, 2e-6, 0.3, ZSTR_PIXEL_PORE, sq, &r, &err), &err);
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_CE, &p, sq, &err), &err);
    ck_assert(zstr_model_contact_fraction(m, ZSTR_CE) == r);

    /* SEI pixels with a resistive SEI are fine */
    uint8_t sei[12] = {1, 3, 3, 3, 1, 3, 3, 3, 1, 1, 1, 1};
    p.sei_resistance = 1e-2;
    p.sei_capacitance = 0.88;
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &p, sei, &err), &err);
    ck_assert(zstr_model_contact_fraction(m, ZSTR_WE) == 6.0 / 12.0);

    /* clear: ideal full contact again; twice is fine; the other stays */
    {
        zstr_interface_params got;
        ck_assert_int_eq(zstr_model_get_interface(NULL, ZSTR_WE, &got), ZSTR_EINVAL);
        ck_assert_int_eq(zstr_model_get_interface(m, 7, &got), ZSTR_EINVAL);
        int st = zstr_model_get_interface(m, ZSTR_WE, &got);
        ck_assert(st == ZSTR_OK || st == ZSTR_ESTATE);
        if (st == ZSTR_OK)
            ck_assert(got.reference_temperature > 0);
    }
    ZS_CK_OK(zstr_model_clear_interface(m, ZSTR_WE, &err), &err);
    ck_assert_ptr_null(zstr_model_interface_pixels(m, ZSTR_WE));
    ck_assert(zstr_model_contact_fraction(m, ZSTR_WE) == 1.0);
    ZS_CK_OK(zstr_model_clear_interface(m, ZSTR_WE, NULL), NULL);
    ck_assert_ptr_nonnull(zstr_model_interface_pixels(m, ZSTR_CE));

    /* unknown electrodes and NULL model: no map, fraction 0 */
    ck_assert_ptr_null(zstr_model_interface_pixels(m, 2));
    ck_assert_ptr_null(zstr_model_interface_pixels(m, -1));
    ck_assert_ptr_null(zstr_model_interface_pixels(NULL, ZSTR_WE));
    ck_assert(zstr_model_contact_fraction(m, 2) == 0.0);
    ck_assert(zstr_model_contact_fraction(NULL, ZSTR_WE) == 0.0);

    /* a refused map keeps the previous interface */
    uint8_t bad[12] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 9};
    ck_assert_int_eq(zstr_model_set_interface(m, ZSTR_CE, &p, bad, NULL), ZSTR_EINVAL);
    ck_assert(memcmp(zstr_model_interface_pixels(m, ZSTR_CE), sq, 12) == 0);
    zstr_model_free(m); /* frees the CE map */
}
END_TEST

/* ------------------------------------------------------------------------- */
/* Bad input catalogue                                                         */
/* ------------------------------------------------------------------------- */

/* A model that holds some layers (a distributed process's part): the per-voxel
 * calls take and give those layers; the whole-grid calls refuse it. */
START_TEST(test_layers)
{
    zstr_error err;
    zstr_model *m = NULL;
    int64_t zb = -1, ze = -1;
    ZS_CK_OK(zstr_model_create(3, 2, 5, 1e-6, 1e-6, 1e-6, &m, &err), &err);
    zstr_model_get_layers(m, &zb, &ze);
    ck_assert(zb == 0 && ze == 5);
    zstr_model_free(m);
    ZS_CK_OK(zs_model_create_layers(3, 2, 5, 1e-6, 1e-6, 1e-6, 1, 3, "t", &m, &err), &err);
    zstr_model_get_layers(m, &zb, &ze);
    ck_assert(zb == 1 && ze == 3);
    zstr_model_get_layers(NULL, &zb, &ze);
    ck_assert(zb == 0 && ze == 0);
    int64_t n[3];
    zstr_model_get_grid(m, n, NULL);
    ck_assert(n[0] == 3 && n[1] == 2 && n[2] == 5);
    zstr_phase_params ph = {"a", 1.0, 10.0, 0.0, 298.15};
    ZS_CK_OK(zstr_model_add_phase(m, &ph, NULL, &err), &err);
    ZS_CK_OK(zstr_model_add_phase(m, &ph, NULL, &err), &err);
    /* 12 voxels held: labels and grains of those */
    int32_t lab[12], gr[12];
    for (int i = 0; i < 12; i++) {
        lab[i] = i % 2;
        gr[i] = i / 4;
    }
    ZS_CK_OK(zstr_model_set_labels(m, lab, &err), &err);
    ck_assert_mem_eq(zstr_model_labels(m), lab, sizeof lab);
    ZS_CK_OK(zstr_model_set_grains(m, gr, 1, 0.0, &err), &err);
    ck_assert_mem_eq(zstr_model_grain_ids(m), gr, sizeof gr);
    ZS_CK_OK(zstr_model_fill(m, 1, &err), &err);
    for (int i = 0; i < 12; i++)
        ck_assert_int_eq(zstr_model_labels(m)[i], 1);
    /* a bad label is named by its voxel in the whole grid: held voxel 7 is 6 + 7 */
    lab[7] = 999;
    ck_assert_int_eq(zstr_model_set_labels(m, lab, &err), ZSTR_EINVAL);
    ck_assert(strstr(err.message, "voxel 13") != NULL);
    char text[1024];
    zstr_model_describe(m, text, sizeof text);
    ck_assert(strstr(text, "voxels: 30") != NULL);
    ck_assert(strstr(text, "held: layers 1..2 (12 voxels") != NULL);
    /* whole-grid calls refuse it */
    zstr_plan *plan = NULL;
    ck_assert_int_eq(zstr_plan_create(m, NULL, &plan, &err), ZSTR_EINVAL);
    ck_assert(plan == NULL);
    ck_assert(strstr(err.message, "layers 1..2 of 5") != NULL);
    /* the walk reads the layers above its own: layer 2's elements need layer 3 */
    ck_assert_int_eq(zs_walk_elements(m, 1, 3, 30, NULL, NULL, NULL, &err), ZSTR_EINVAL);
    ck_assert(strstr(err.message, "holds only 1..2") != NULL);
    ck_assert_int_eq(zs_walk_elements(m, 0, 1, 30, NULL, NULL, NULL, &err), ZSTR_EINVAL);
    zstr_model_free(m);
    /* bad layer ranges */
    ck_assert_int_eq(zs_model_create_layers(3, 2, 5, 1e-6, 1e-6, 1e-6, 3, 3, "t", &m, &err),
                     ZSTR_EINVAL);
    ck_assert(m == NULL);
    ck_assert_int_eq(zs_model_create_layers(3, 2, 5, 1e-6, 1e-6, 1e-6, -1, 2, "t", &m, &err),
                     ZSTR_EINVAL);
    ck_assert_int_eq(zs_model_create_layers(3, 2, 5, 1e-6, 1e-6, 1e-6, 2, 6, "t", &m, &err),
                     ZSTR_EINVAL);
    ck_assert(strstr(err.message, "layers 2..6 are not within 0..5") != NULL);
}
END_TEST

START_TEST(test_bad_create)
{
    zstr_model *m;
    zstr_model *const poison = (zstr_model *)(uintptr_t)0x1;
    const double nan = NAN, inf = INFINITY;
#define BAD_CREATE(status, needle, nx, ny, nz, hx, hy, hz)                                \
    do {                                                                                  \
        m = poison;                                                                       \
        EXPECT_BAD(status, needle, zstr_model_create(nx, ny, nz, hx, hy, hz, &m, ep_));   \
        ck_assert_ptr_null(m);                                                            \
    } while (0)
    BAD_CREATE(ZSTR_EINVAL, "0 x 4 x 4", 0, 4, 4, 1, 1, 1);
    BAD_CREATE(ZSTR_EINVAL, "4 x -1 x 4", 4, -1, 4, 1, 1, 1);
    BAD_CREATE(ZSTR_EINVAL, "4 x 4 x 0", 4, 4, 0, 1, 1, 1);
    BAD_CREATE(ZSTR_EINVAL, "voxel edges 0, 1, 1", 4, 4, 4, 0, 1, 1);
    BAD_CREATE(ZSTR_EINVAL, "voxel edges 1, -1, 1", 4, 4, 4, 1, -1, 1);
    BAD_CREATE(ZSTR_EINVAL, "nan", 4, 4, 4, 1, 1, nan);
    BAD_CREATE(ZSTR_EINVAL, "inf", 4, 4, 4, inf, 1, 1);
    BAD_CREATE(ZSTR_ERANGE, "2^40", 1 << 20, 1 << 20, 2, 1, 1, 1);
    BAD_CREATE(ZSTR_ERANGE, "2^40", INT64_MAX, INT64_MAX, INT64_MAX, 1, 1, 1);
    BAD_CREATE(ZSTR_ERANGE, "2^40", 2, INT64_MAX / 2, 3, 1, 1, 1);
#undef BAD_CREATE
    EXPECT_BAD(ZSTR_EINVAL, "out", zstr_model_create(1, 1, 1, 1, 1, 1, NULL, ep_));
}
END_TEST

START_TEST(test_bad_phases)
{
    zstr_model *m = make(2, 2, 2);
    zstr_phase_params p = phase("x", 1.0);
    int id = -1;
    ZS_CK_OK(zstr_model_add_phase(m, &p, &id, NULL), NULL);
    const double nan = NAN, inf = INFINITY;
    static const char *const fns[] = {"zstr_model_add_phase", "zstr_model_set_phase"};
    for (int f = 0; f < 2; f++) {
        /* each bad field alone, through add and set */
#define BAD_PHASE(needle, field, value)                                                   \
    do {                                                                                  \
        zstr_phase_params b_ = phase("bad", 1.0);                                         \
        b_.field = (value);                                                               \
        if (f == 0)                                                                       \
            EXPECT_BAD(ZSTR_EINVAL, needle, zstr_model_add_phase(m, &b_, &id, ep_));      \
        else                                                                              \
            EXPECT_BAD(ZSTR_EINVAL, needle, zstr_model_set_phase(m, 0, &b_, ep_));        \
        zstr_error e2_;                                                                   \
        if (f == 0)                                                                       \
            zstr_model_add_phase(m, &b_, &id, &e2_);                                      \
        else                                                                              \
            zstr_model_set_phase(m, 0, &b_, &e2_);                                        \
        ck_assert_ptr_nonnull(strstr(e2_.message, fns[f]));                               \
    } while (0)
        BAD_PHASE("conductivity -1", conductivity, -1.0);
        BAD_PHASE("conductivity nan", conductivity, nan);
        BAD_PHASE("conductivity inf", conductivity, inf);
        BAD_PHASE("permittivity 0", permittivity, 0.0);
        BAD_PHASE("permittivity -3", permittivity, -3.0);
        BAD_PHASE("permittivity inf", permittivity, inf);
        BAD_PHASE("activation energy -0.1", activation_energy, -0.1);
        BAD_PHASE("activation energy nan", activation_energy, nan);
        BAD_PHASE("reference temperature 0", reference_temperature, 0.0);
        BAD_PHASE("reference temperature -inf", reference_temperature, -inf);
#undef BAD_PHASE
    }
    ck_assert_int_eq(zstr_model_phase_count(m), 1); /* nothing was added */
    zstr_phase_params q;
    ZS_CK_OK(zstr_model_get_phase(m, 0, &q, NULL), NULL);
    ck_assert_str_eq(q.name, "x"); /* nothing was replaced */
    ck_assert(q.conductivity == 1.0);

    EXPECT_BAD(ZSTR_EINVAL, "model is NULL", zstr_model_add_phase(NULL, &p, &id, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "params is NULL", zstr_model_add_phase(m, NULL, &id, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "model is NULL", zstr_model_set_phase(NULL, 0, &p, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "no phase -1", zstr_model_set_phase(m, -1, &p, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "no phase 1 (have 1)", zstr_model_set_phase(m, 1, &p, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "params is NULL", zstr_model_set_phase(m, 0, NULL, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "no phase 5", zstr_model_get_phase(m, 5, &q, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "no phase -2", zstr_model_get_phase(m, -2, &q, ep_));
    /* model.c says only "NULL argument" here, not which one (see report) */
    EXPECT_BAD(ZSTR_EINVAL, "NULL", zstr_model_get_phase(NULL, 0, &q, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "NULL", zstr_model_get_phase(m, 0, NULL, ep_));
    zstr_model_free(m);
}
END_TEST

START_TEST(test_bad_model_setters)
{
    zstr_model *m = make(2, 2, 2); /* h = 1, 2, 3 µm */
    const double nan = NAN, inf = INFINITY;
    EXPECT_BAD(ZSTR_EINVAL, "model is NULL", zstr_model_set_temperature(NULL, 300, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "temperature 0 K", zstr_model_set_temperature(m, 0, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "temperature -1 K", zstr_model_set_temperature(m, -1, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "temperature nan", zstr_model_set_temperature(m, nan, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "temperature inf", zstr_model_set_temperature(m, inf, ep_));

    EXPECT_BAD(ZSTR_EINVAL, "model is NULL", zstr_model_fill(NULL, 0, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "phase -1", zstr_model_fill(m, -1, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "phase 256", zstr_model_fill(m, 256, ep_));

    int32_t lab[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    /* model.c says only "NULL argument" here, not which one (see report) */
    EXPECT_BAD(ZSTR_EINVAL, "NULL", zstr_model_set_labels(NULL, lab, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "NULL", zstr_model_set_labels(m, NULL, ep_));
    lab[6] = -3;
    EXPECT_BAD(ZSTR_EINVAL, "voxel 6 has phase -3", zstr_model_set_labels(m, lab, ep_));
    lab[6] = 6;
    lab[2] = 256;
    EXPECT_BAD(ZSTR_EINVAL, "voxel 2 has phase 256", zstr_model_set_labels(m, lab, ep_));

    int32_t g[8] = {0};
    EXPECT_BAD(ZSTR_EINVAL, "model is NULL", zstr_model_set_grains(NULL, g, 0, 1e-9, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "model is NULL", zstr_model_set_grains(NULL, NULL, 0, 0, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "boundary phase -1", zstr_model_set_grains(m, g, -1, 1e-9, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "boundary phase 256", zstr_model_set_grains(m, g, 256, 1e-9, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "boundary thickness -1e-09",
               zstr_model_set_grains(m, g, 0, -1e-9, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "boundary thickness nan", zstr_model_set_grains(m, g, 0, nan, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "boundary thickness inf", zstr_model_set_grains(m, g, 0, inf, ep_));
    /* the smallest edge is hx = 1 µm: equal is refused, and the limit is named */
    EXPECT_BAD(ZSTR_EINVAL, "1e-06", zstr_model_set_grains(m, g, 0, 1e-6, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "boundary thickness 2e-06",
               zstr_model_set_grains(m, g, 0, 2e-6, ep_));
    ck_assert_ptr_null(zstr_model_grain_ids(m));
    zstr_model_free(m);
}
END_TEST

START_TEST(test_bad_interface)
{
    zstr_model *m = make(3, 2, 1);
    zstr_interface_params p;
    zstr_interface_params_default(&p);
    uint8_t px[6] = {1, 1, 2, 2, 0, 1};
    const double nan = NAN, inf = INFINITY;
    EXPECT_BAD(ZSTR_EINVAL, "model is NULL",
               zstr_model_set_interface(NULL, ZSTR_WE, &p, px, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "electrode 2", zstr_model_set_interface(m, 2, &p, px, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "electrode -1", zstr_model_set_interface(m, -1, &p, px, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "params is NULL",
               zstr_model_set_interface(m, ZSTR_CE, NULL, px, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "params is NULL",
               zstr_model_set_interface(m, ZSTR_CE, NULL, NULL, ep_));
#define BAD_IFACE(needle, field, value)                                                   \
    do {                                                                                  \
        zstr_interface_params b_;                                                         \
        zstr_interface_params_default(&b_);                                               \
        b_.field = (value);                                                               \
        EXPECT_BAD(ZSTR_EINVAL, needle, zstr_model_set_interface(m, ZSTR_WE, &b_, px, ep_)); \
        EXPECT_BAD(ZSTR_EINVAL, needle,                                                   \
                   zstr_model_set_interface(m, ZSTR_CE, &b_, NULL, ep_));                 \
    } while (0)
    BAD_IFACE("contact_resistance = -1", contact_resistance, -1.0);
    BAD_IFACE("contact_resistance = nan", contact_resistance, nan);
    BAD_IFACE("contact_capacitance = -0.5", contact_capacitance, -0.5);
    BAD_IFACE("contact_capacitance = inf", contact_capacitance, inf);
    BAD_IFACE("contact_activation_energy = -0.43", contact_activation_energy, -0.43);
    BAD_IFACE("pore_capacitance = -1e-06", pore_capacitance, -1e-6);
    BAD_IFACE("sei_resistance = -100", sei_resistance, -100.0);
    BAD_IFACE("sei_capacitance = nan", sei_capacitance, nan);
    BAD_IFACE("sei_activation_energy = inf", sei_activation_energy, inf);
    BAD_IFACE("reference_temperature = 0", reference_temperature, 0.0);
    BAD_IFACE("reference_temperature = -298", reference_temperature, -298.0);
#undef BAD_IFACE
    uint8_t badpx[6] = {1, 1, 1, 1, 4, 1};
    EXPECT_BAD(ZSTR_EINVAL, "pixel 4 has unknown type 4",
               zstr_model_set_interface(m, ZSTR_WE, &p, badpx, ep_));
    badpx[4] = 1;
    badpx[0] = 200;
    EXPECT_BAD(ZSTR_EINVAL, "pixel 0 has unknown type 200",
               zstr_model_set_interface(m, ZSTR_WE, &p, badpx, ep_));
    /* SEI pixels need a resistive SEI (sei_resistance is 0 in the defaults) */
    uint8_t sei[6] = {1, 3, 3, 1, 1, 1};
    EXPECT_BAD(ZSTR_EINVAL, "2 SEI pixels",
               zstr_model_set_interface(m, ZSTR_WE, &p, sei, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "sei_resistance",
               zstr_model_set_interface(m, ZSTR_WE, &p, sei, ep_));
    ck_assert_ptr_null(zstr_model_interface_pixels(m, ZSTR_WE)); /* nothing installed */
    ck_assert_ptr_null(zstr_model_interface_pixels(m, ZSTR_CE));

    EXPECT_BAD(ZSTR_EINVAL, "model is NULL", zstr_model_clear_interface(NULL, ZSTR_WE, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "electrode 5", zstr_model_clear_interface(m, 5, ep_));
    EXPECT_BAD(ZSTR_EINVAL, "electrode -1", zstr_model_clear_interface(m, -1, ep_));
    zstr_model_free(m);
}
END_TEST

Suite *suite_model(void)
{
    Suite *s = suite_create("model");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_strerror);
    tcase_add_test(tc, test_version);
    tcase_add_test(tc, test_create_and_grid);
    tcase_add_test(tc, test_phases);
    tcase_add_test(tc, test_phase_set_from_get);
    tcase_add_test(tc, test_phase_limit);
    tcase_add_test(tc, test_temperature);
    tcase_add_test(tc, test_fill_and_labels);
    tcase_add_test(tc, test_grains);
    tcase_add_test(tc, test_interface_params_default);
    tcase_add_test(tc, test_interface);
    tcase_add_test(tc, test_layers);
    suite_add_tcase(s, tc);
    TCase *bad = tcase_create("bad_input");
    tcase_add_test(bad, test_bad_create);
    tcase_add_test(bad, test_bad_phases);
    tcase_add_test(bad, test_bad_model_setters);
    tcase_add_test(bad, test_bad_interface);
    suite_add_tcase(s, bad);
    return s;
}
