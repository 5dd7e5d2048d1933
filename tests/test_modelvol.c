/*
 * test_modelvol.c — <volume> in model files (cli/modelfile.c's volume part).
 *
 * Truths: the 6 × 5 × 4 volume of tests/data/bad_volumes has label
 * (x + 2y + 3z) mod 4 by construction (make-bad-volumes.c), so every model
 * voxel's phase follows from that formula, the <label> table and the axis
 * rotation of zstr_volume.h written out here by hand; raw, TIFF and HDF5
 * copies must give the same model; a generated volume must equal the
 * library's synthesis called directly with the same parameters; the WE map
 * from the top layer must mark exactly the top voxels that are pore.
 */
#include "zs_test.h"

#include "modelfile.h"
#include "zstr_volume.h"

#include <string.h>

static zm_file *load_ok(const char *path)
{
    zm_file *f = NULL;
    zstr_error e;
    ZS_CK_OK(zm_load(path, &f, &e), &e);
    return f;
}

/* phase ids of the file models: lps 0, li2s 1, pore 2 (the undefined pore is
 * added after the defined phases) */
static int phase_of_label(int label)
{
    static const int table[4] = {0, 2, 0, 1};
    return table[label];
}

/* Raw, TIFF and HDF5 give the same model, as the formula says: axis y turns
 * volume (x, y, z) into model (z, x, y), i.e. model (x', y', z') is volume
 * (y', z', x'); the WE's pore pixels are the pore voxels of the top layer. */
START_TEST(test_formats_give_the_formula)
{
    static const char *const files[3] = {"data/models/volume-raw.xml",
                                         "data/models/volume-tiff.xml",
                                         "data/models/volume-hdf5.xml"};
    for (int k = 0; k < 3; k++) {
        zm_file *f = load_ok(files[k]);
        ck_assert_int_eq(zm_phase_count(f), 3);
        ck_assert_str_eq(zm_phase_name(f, 2), "pore");
        zstr_model *m = NULL;
        zstr_error e;
        ZS_CK_OK(zm_build(f, &m, NULL, NULL, &e), &e);
        int64_t n[3];
        double h[3];
        zstr_model_get_grid(m, n, h);
        ck_assert_int_eq(n[0], 4); /* volume z */
        ck_assert_int_eq(n[1], 6); /* volume x */
        ck_assert_int_eq(n[2], 5); /* volume y: the transport axis */
        ck_assert(h[0] == 20e-9 && h[1] == 20e-9 && h[2] == 20e-9);
        const int32_t *lab = zstr_model_labels(m);
        const uint8_t *we = zstr_model_interface_pixels(m, ZSTR_WE);
        ck_assert_ptr_nonnull(we);
        for (int64_t zm = 0; zm < n[2]; zm++)
            for (int64_t ym = 0; ym < n[1]; ym++)
                for (int64_t xm = 0; xm < n[0]; xm++) {
                    int64_t x = ym, y = zm, z = xm;
                    int want = phase_of_label((int)((x + 2 * y + 3 * z) % 4));
                    ck_assert_int_eq(lab[xm + n[0] * (ym + n[1] * zm)], want);
                    if (zm == n[2] - 1)
                        ck_assert_int_eq(we[xm + n[0] * ym],
                                         want == 2 ? ZSTR_PIXEL_PORE : ZSTR_PIXEL_CONTACT);
                }
        /* the volume for the metrics: phase ids in the volume's own axes */
        zstr_volume *v = NULL;
        int axis = -1;
        ZS_CK_OK(zm_build_volume(f, &v, &axis, &e), &e);
        ck_assert_int_eq(axis, 1);
        zstr_volume_get_grid(v, n, NULL);
        ck_assert(n[0] == 6 && n[1] == 5 && n[2] == 4);
        const uint16_t *l = zstr_volume_labels(v);
        for (int64_t i = 0; i < 120; i++) {
            int64_t x = i % 6, y = i / 6 % 5, z = i / 30;
            ck_assert_int_eq(l[i], phase_of_label((int)((x + 2 * y + 3 * z) % 4)));
        }
        zstr_volume_free(v);
        zstr_model_free(m);
        zm_free(f);
    }
}
END_TEST

/* A grain volume: labels 0, 2, 3 are grains of lps (phase 0), 1 is pore. */
START_TEST(test_grain_volume)
{
    zm_file *f = load_ok("data/models/volume-grains.xml");
    zstr_model *m = NULL;
    zstr_error e;
    ZS_CK_OK(zm_build(f, &m, NULL, NULL, &e), &e);
    const int32_t *lab = zstr_model_labels(m), *g = zstr_model_grain_ids(m);
    ck_assert_ptr_nonnull(g);
    int64_t n[3];
    zstr_model_get_grid(m, n, NULL); /* axis z: the volume's own axes */
    ck_assert(n[0] == 6 && n[1] == 5 && n[2] == 4);
    for (int64_t i = 0; i < 120; i++) {
        int64_t x = i % 6, y = i / 6 % 5, z = i / 30;
        int label = (int)((x + 2 * y + 3 * z) % 4);
        ck_assert_int_eq(lab[i], label == 1 ? 2 : 0);
        ck_assert_int_eq(g[i], label);
    }
    zstr_model_free(m);
    zm_free(f);
}
END_TEST

/* A generated volume is the library's synthesis with the same parameters,
 * labels 0 -> the first phase, 1 -> pore, 2 -> li2s. */
START_TEST(test_generated_volume)
{
    zm_file *f = load_ok("data/models/volume-blobs.xml");
    zstr_volume *got = NULL, *want = NULL;
    zstr_error e;
    ZS_CK_OK(zm_build_volume(f, &got, NULL, &e), &e);
    const int64_t n[3] = {16, 16, 16};
    const double h[3] = {100e-9, 100e-9, 100e-9};
    ZS_CK_OK(zstr_volume_create(n, h, ZSTR_VOXEL_U8, 0.0, &want, &e), &e);
    zstr_synth_params p;
    zstr_synth_params_default(&p);
    p.porosity = 0.105;
    p.correlation_length = 200e-9;
    p.minority_fraction = 0.01;
    p.seed = 3;
    ZS_CK_OK(zstr_volume_synthesize(want, &p, NULL, &e), &e);
    const uint16_t *a = zstr_volume_labels(got), *b = zstr_volume_labels(want);
    static const int to_phase[3] = {0, 2, 1}; /* lps, pore (added last), li2s */
    int64_t pores = 0;
    for (int64_t i = 0; i < 4096; i++) {
        ck_assert_int_eq(a[i], to_phase[b[i]]);
        pores += a[i] == 2;
    }
    ck_assert_int_eq(pores, 430); /* round(0.105 * 4096): the porosity is exact */
    zstr_model *m = NULL;
    ZS_CK_OK(zm_build(f, &m, NULL, NULL, &e), &e);
    ck_assert_int_eq(zstr_model_phase_count(m), 3);
    zstr_phase_params pp;
    ZS_CK_OK(zstr_model_get_phase(m, 2, &pp, &e), &e);
    ck_assert_str_eq(pp.name, "pore");
    ck_assert(pp.conductivity == 0.0 && pp.permittivity == 1.0); /* the dielectric */
    zstr_model_free(m);
    zstr_volume_free(got);
    zstr_volume_free(want);
    zm_free(f);
}
END_TEST

/* Overrides reach the volume, and a label the table lacks is refused when the
 * voxels are read, naming the model file, the <volume>'s line and the voxel. */
START_TEST(test_set_and_unlisted_label)
{
    zm_file *f = load_ok("data/models/volume-raw.xml");
    zstr_error e;
    ZS_CK_OK(zm_set(f, "volume.crop", "0 0 0 6 5 2", &e), &e);
    zstr_volume *v = NULL;
    ZS_CK_OK(zm_build_volume(f, &v, NULL, &e), &e);
    int64_t n[3];
    zstr_volume_get_grid(v, n, NULL);
    ck_assert(n[0] == 6 && n[1] == 5 && n[2] == 2);
    zstr_volume_free(v);
    /* label 3 without a phase: "label 3" names itself in the file */
    ZS_CK_OK(zm_set(f, "label.3.phase", "lps", &e), &e);
    ck_assert_int_ne(zm_set(f, "volume.voxel-size", "-1 nm", &e), ZSTR_OK);
    ck_assert_ptr_nonnull(strstr(e.message, "voxel-size"));
    zm_free(f);
    const char *doc = "<zstr version=\"1\">\n<cell/>\n"
                      "<phase name=\"lps\" conductivity=\"1\" permittivity=\"1\"/>\n"
                      "<volume file=\"data/bad_volumes/good.raw\" dims=\"6 5 4\" type=\"uint8\" "
                      "voxel-size=\"1 um\">\n<label value=\"0\" phase=\"lps\"/>\n</volume>\n"
                      "<frequencies values=\"1\"/>\n</zstr>\n";
    ZS_CK_OK(zm_load_memory(doc, strlen(doc), "mem.xml", &f, &e), &e);
    zstr_model *m = (zstr_model *)&e;
    ck_assert_int_eq(zm_build(f, &m, NULL, NULL, &e), ZSTR_EINVAL);
    ck_assert_ptr_null(m);
    ck_assert_msg(strncmp(e.message, "mem.xml:4: <volume>", 19) == 0, "%s", e.message);
    ck_assert_ptr_nonnull(strstr(e.message, "label 1"));
    ck_assert_int_eq(zm_build_volume(f, &v, NULL, &e), ZSTR_EINVAL);
    ck_assert_ptr_null(v);
    ck_assert_ptr_nonnull(strstr(e.message, "label 1 at volume voxel (1, 0, 0)"));
    zm_free(f);
}
END_TEST

Suite *suite_modelvol(void)
{
    Suite *s = suite_create("modelvol");
    TCase *tc = tcase_create("volume");
    tcase_add_test(tc, test_formats_give_the_formula);
    tcase_add_test(tc, test_grain_volume);
    tcase_add_test(tc, test_generated_volume);
    tcase_add_test(tc, test_set_and_unlisted_label);
    suite_add_tcase(s, tc);
    return s;
}
