/*
 * test_vtk.c — VTK XML ImageData files of the fields (cli/vtk.c).
 *
 * The files are read back here with no VTK: a DataArray is found by its Name,
 * its base64 text decoded by a decoder of this file (written apart from the
 * writer's encoder: it decodes group by group and accepts padding inside the
 * text, so it reads one stream or several concatenated ones), the UInt64
 * little-endian byte count checked against the payload, and every value
 * compared bit for bit with the array written.  The fields come from a small
 * cell solved through the public API (grains, a square spot with pores
 * around it), so the files hold what zstr_fields() gives; synthetic fields
 * with NaN, ±inf, −0 and sizes of every remainder mod 3 exercise the
 * encoder's padding and buffering.  Failures (bad paths, missing arrays, bad
 * sizes) must return -1, say which path, and leave no file.
 *
 * Every file lives in a fresh mkdtemp directory; the fixture that removes
 * them is unchecked, so it runs even when a forked test fails.
 */
#include "zs_test.h"

#include "../cli/vtk.h"

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------------- */
/* Scratch directories                                                       */
/* ------------------------------------------------------------------------- */

static char top_dir[64];

static void vtk_setup(void)
{
    snprintf(top_dir, sizeof top_dir, "/tmp/zstr_test_vtk_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(top_dir));
}

static void vtk_teardown(void) { zs_scratch_remove(top_dir); }

/* ------------------------------------------------------------------------- */
/* Reading a .vti back                                                       */
/* ------------------------------------------------------------------------- */

static int count_str(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The value of attribute `name` in the tag that starts at tag (before its
 * '>'), copied into out; returns 0 when the tag has no such attribute. */
static int tag_attr(const char *tag, const char *name, char *out, size_t size)
{
    const char *end = strchr(tag, '>');
    ck_assert_ptr_nonnull(end);
    char key[64];
    snprintf(key, sizeof key, " %s=\"", name);
    const char *p = strstr(tag, key);
    if (p == NULL || p > end)
        return 0;
    p += strlen(key);
    const char *q = strchr(p, '"');
    ck_assert(q != NULL && q < end && (size_t)(q - p) < size);
    memcpy(out, p, (size_t)(q - p));
    out[q - p] = '\0';
    return 1;
}

/* The opening tag of the DataArray named name (exactly one), or NULL. */
static const char *find_array(const char *doc, const char *name)
{
    char key[96];
    snprintf(key, sizeof key, "Name=\"%s\"", name);
    const char *p = strstr(doc, key);
    if (p == NULL)
        return NULL;
    ck_assert_msg(strstr(p + 1, key) == NULL, "two arrays named %s", name);
    const char *tag = p;
    while (tag > doc && strncmp(tag, "<DataArray ", 11) != 0)
        tag--;
    ck_assert_msg(strncmp(tag, "<DataArray ", 11) == 0, "%s is not a DataArray", name);
    return tag;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* Decode base64 text of n characters (blanks skipped) into out (room for
 * 3·n/4 bytes); returns the byte count.  Each group of 4 gives 1 to 3 bytes
 * by its padding, so concatenated streams decode too. */
static size_t b64_decode(const char *text, size_t n, unsigned char *out)
{
    char g[4];
    int k = 0;
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        ck_assert_msg(c == '=' || b64_value(c) >= 0, "'%c' is no base64 character", c);
        g[k++] = c;
        if (k < 4)
            continue;
        k = 0;
        ck_assert(g[0] != '=' && g[1] != '=' && !(g[2] == '=' && g[3] != '='));
        unsigned v = ((unsigned)b64_value(g[0]) << 18) | ((unsigned)b64_value(g[1]) << 12);
        out[len++] = (unsigned char)(v >> 16);
        if (g[2] != '=') {
            v |= (unsigned)b64_value(g[2]) << 6;
            out[len++] = (unsigned char)(v >> 8);
        }
        if (g[3] != '=') {
            v |= (unsigned)b64_value(g[3]);
            out[len++] = (unsigned char)v;
        }
    }
    ck_assert_msg(k == 0, "base64 text of %zu characters ends inside a group", n);
    return len;
}

static uint64_t le_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* One array read back: its attributes and its data bytes (after the header). */
typedef struct varray {
    char type[16];
    int ncomp;
    int64_t ntuples; /* NumberOfTuples, or -1 when absent */
    size_t nbytes;
    unsigned char *bytes; /* malloc'ed, base of the decoded stream */
    const unsigned char *data;
} varray;

static varray get_array(const char *doc, const char *name)
{
    varray a = {.ncomp = 1, .ntuples = -1};
    const char *tag = find_array(doc, name);
    ck_assert_msg(tag != NULL, "no array %s", name);
    char v[64];
    ck_assert(tag_attr(tag, "type", a.type, sizeof a.type));
    ck_assert(tag_attr(tag, "format", v, sizeof v));
    ck_assert_str_eq(v, "binary");
    if (tag_attr(tag, "NumberOfComponents", v, sizeof v))
        a.ncomp = atoi(v);
    if (tag_attr(tag, "NumberOfTuples", v, sizeof v))
        a.ntuples = atoll(v);
    const char *text = strchr(tag, '>') + 1;
    const char *end = strstr(text, "</DataArray>");
    ck_assert_ptr_nonnull(end);
    size_t n = (size_t)(end - text);
    a.bytes = malloc(n / 4 * 3 + 3);
    ck_assert_ptr_nonnull(a.bytes);
    size_t len = b64_decode(text, n, a.bytes);
    ck_assert_uint_ge(len, 8);
    a.nbytes = len - 8;
    ck_assert_msg(le_u64(a.bytes) == a.nbytes, "%s: header says %llu bytes, %zu follow", name,
                  (unsigned long long)le_u64(a.bytes), a.nbytes);
    a.data = a.bytes + 8;
    return a;
}

static double f64_at(const varray *a, size_t j)
{
    uint64_t u = le_u64(a->data + 8 * j);
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static int32_t i32_at(const varray *a, size_t j)
{
    const unsigned char *p = a->data + 4 * j;
    uint32_t u =
        (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
    int32_t x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* The Float64 array `name` holds exactly n values, value j equal in every bit
 * to src[stride·j + offset]. */
static void check_f64(const char *doc, const char *name, int ncomp, const double *src, size_t n,
                      size_t stride, size_t offset)
{
    varray a = get_array(doc, name);
    ck_assert_str_eq(a.type, "Float64");
    ck_assert_int_eq(a.ncomp, ncomp);
    ck_assert_uint_eq(a.nbytes, 8 * n);
    for (size_t j = 0; j < n; j++) {
        double want = src[stride * j + offset], got = f64_at(&a, j);
        ck_assert_msg(same_bits(got, want), "%s[%zu] = %.17g, written %.17g", name, j, got, want);
    }
    free(a.bytes);
}

static void check_i32(const char *doc, const char *name, const int32_t *src, size_t n)
{
    varray a = get_array(doc, name);
    ck_assert_str_eq(a.type, "Int32");
    ck_assert_int_eq(a.ncomp, 1);
    ck_assert_uint_eq(a.nbytes, 4 * n);
    for (size_t j = 0; j < n; j++)
        ck_assert_msg(i32_at(&a, j) == src[j], "%s[%zu] = %d, written %d", name, j,
                      (int)i32_at(&a, j), (int)src[j]);
    free(a.bytes);
}

/* potential_abs / we_current_abs: hypot of the pair, bit for bit (the same
 * libm function); current_density_abs: the norm of the complex 3-vector to
 * 4 ulp (the writer's sum may be contracted into FMAs by another compiler
 * setting; with the project's -std=c11 it is bit-exact in practice). */
static void check_abs(const char *doc, const char *name, const double *src, size_t n, int three)
{
    varray a = get_array(doc, name);
    ck_assert_str_eq(a.type, "Float64");
    ck_assert_int_eq(a.ncomp, 1);
    ck_assert_uint_eq(a.nbytes, 8 * n);
    for (size_t j = 0; j < n; j++) {
        double got = f64_at(&a, j);
        if (!three) {
            double want = hypot(src[2 * j], src[2 * j + 1]);
            ck_assert_msg(same_bits(got, want), "%s[%zu] = %.17g, |z| = %.17g", name, j, got, want);
        } else {
            double s = 0;
            for (int d = 0; d < 6; d++)
                s += src[6 * j + d] * src[6 * j + d];
            double want = sqrt(s);
            ck_assert_msg(fabs(got - want) <= 4 * 2.2204460492503131e-16 * want,
                          "%s[%zu] = %.17g, |J| = %.17g", name, j, got, want);
        }
    }
    free(a.bytes);
}

/* The XML frame every file must have. */
/* Spacing must be the voxel edges in metres, like every other quantity of
 * the file (A/m², V): each of its three numbers reads back as h[d] exactly
 * (the writer prints the shortest round-tripping decimal), fully consumed, so
 * a decimal comma or a scaled unit fails. */
static void check_frame(const char *doc, const char *extent, const double h[3])
{
    ck_assert_msg(strncmp(doc, "<?xml version=\"1.0\"?>\n", 22) == 0, "no XML declaration");
    ck_assert_ptr_nonnull(strstr(doc, "<VTKFile type=\"ImageData\" version=\"1.0\" "
                                      "byte_order=\"LittleEndian\" header_type=\"UInt64\">"));
    const char *im = strstr(doc, "<ImageData ");
    ck_assert_ptr_nonnull(im);
    char v[128];
    ck_assert(tag_attr(im, "WholeExtent", v, sizeof v));
    ck_assert_str_eq(v, extent);
    ck_assert(tag_attr(im, "Origin", v, sizeof v));
    ck_assert_str_eq(v, "0 0 0");
    ck_assert(tag_attr(im, "Spacing", v, sizeof v));
    const char *p = v;
    for (int d = 0; d < 3; d++) {
        char *end;
        double x = strtod(p, &end);
        ck_assert_msg(end > p && (*end == ' ' || (*end == '\0' && d == 2)), "Spacing '%s'", v);
        ck_assert_msg(x == h[d], "Spacing '%s': edge %d is %.17g m, expected %.17g m", v, d, x,
                      h[d]);
        p = end;
    }
    const char *piece = strstr(doc, "<Piece ");
    ck_assert_ptr_nonnull(piece);
    ck_assert(tag_attr(piece, "Extent", v, sizeof v));
    ck_assert_str_eq(v, extent);
    ck_assert_int_eq(count_str(doc, "<Piece "), 1);
    ck_assert_int_eq(count_str(doc, "<CellData"), 1);
    ck_assert_int_eq(count_str(doc, "</CellData>"), 1);
    ck_assert_int_eq(count_str(doc, "<FieldData>"), 1);
    ck_assert_int_eq(count_str(doc, "<DataArray "), count_str(doc, "</DataArray>"));
    /* the comment says the units, and holds no "--" (invalid in XML) */
    const char *c0 = strstr(doc, "<!--"), *c1 = strstr(doc, "-->");
    ck_assert(c0 != NULL && c1 != NULL && c0 < c1 && c1 < strstr(doc, "<VTKFile"));
    ck_assert_ptr_nonnull(strstr(doc, "Lengths (Origin, Spacing) in metres"));
    const char *dd = strstr(c0 + 4, "--");
    ck_assert(dd == c1);
    size_t len = strlen(doc);
    ck_assert(len > 11 && strcmp(doc + len - 11, "</VTKFile>\n") == 0);
}

static void check_field_data(const char *doc, const zv_fields *f)
{
    varray a = get_array(doc, "frequency");
    ck_assert_str_eq(a.type, "Float64");
    ck_assert_int_eq(a.ntuples, 1);
    ck_assert_uint_eq(a.nbytes, 8);
    ck_assert(same_bits(f64_at(&a, 0), f->frequency));
    free(a.bytes);
    a = get_array(doc, "voxel_size_m");
    ck_assert_int_eq(a.ncomp, 3);
    ck_assert_int_eq(a.ntuples, 1);
    ck_assert_uint_eq(a.nbytes, 24);
    for (int d = 0; d < 3; d++)
        ck_assert(same_bits(f64_at(&a, (size_t)d), f->h[d]));
    free(a.bytes);
    const char *fd = strstr(doc, "<FieldData>"), *fe = strstr(doc, "</FieldData>");
    ck_assert(fd < find_array(doc, "frequency") && find_array(doc, "voxel_size_m") < fe);
}

/* ------------------------------------------------------------------------- */
/* A solved cell                                                             */
/* ------------------------------------------------------------------------- */

enum { NX = 4, NY = 3, NZ = 5, NVOX = NX * NY * NZ, NPIX = NX * NY };

typedef struct solved {
    double pot[2 * NVOX], cd[6 * NVOX], wec[2 * NPIX];
    int32_t labels[NVOX], grains[NVOX];
    uint8_t pixels[NPIX];
    zv_fields f;
} solved;

/* 4 × 3 × 5 voxels of 2 × 1.5 × 1 µm, two grains (x < 2, x >= 2) joined by a
 * GB layer, the top two layers in a second phase, a square spot of 25 % with
 * pores around it on the WE (finite R_pol, C_DL, C_pore), at 10 kHz. */
static void solve_cell(solved *s)
{
    const double hx = 2e-6, hy = 1.5e-6, hz = 1e-6;
    zstr_model *m = NULL;
    zstr_plan *p = NULL;
    zstr_workspace *ws = NULL;
    zstr_error e;
    ZS_CK_OK(zstr_model_create(NX, NY, NZ, hx, hy, hz, &m, &e), &e);
    zstr_phase_params a = {"bulk", 0.05, 30, 0, 298.15}, b = {"gb", 0.002, 40, 0, 298.15},
                      c = {"top", 0.02, 20, 0, 298.15};
    ZS_CK_OK(zstr_model_add_phase(m, &a, NULL, &e), &e);
    ZS_CK_OK(zstr_model_add_phase(m, &b, NULL, &e), &e);
    ZS_CK_OK(zstr_model_add_phase(m, &c, NULL, &e), &e);
    for (int i = 0; i < NVOX; i++) {
        s->labels[i] = i / NPIX >= NZ - 2 ? 2 : 0;
        s->grains[i] = i % NX < 2 ? 0 : 1;
    }
    ZS_CK_OK(zstr_model_set_labels(m, s->labels, &e), &e);
    ZS_CK_OK(zstr_model_set_grains(m, s->grains, 1, 0.1e-6, &e), &e);
    double realised = 0;
    ZS_CK_OK(zstr_map_square(NX, NY, hx, hy, 0.25, ZSTR_PIXEL_PORE, s->pixels, &realised, &e), &e);
    ck_assert(realised > 0 && realised < 1);
    zstr_interface_params ip;
    zstr_interface_params_default(&ip);
    ip.contact_resistance = 1e-4;
    ip.contact_capacitance = 0.1;
    ip.pore_capacitance = 0.05;
    ZS_CK_OK(zstr_model_set_interface(m, ZSTR_WE, &ip, s->pixels, &e), &e);
    ZS_CK_OK(zstr_plan_create(m, NULL, &p, &e), &e);
    ZS_CK_OK(zstr_workspace_create(p, &ws, &e), &e);
    double z[2];
    ZS_CK_OK(zstr_execute(p, ws, 1e4, z, &e), &e);
    ZS_CK_OK(zstr_fields(p, ws, s->pot, s->cd, s->wec, &e), &e);

    zv_fields f = {.frequency = 1e4};
    zstr_model_get_grid(m, f.n, f.h);
    f.potential = s->pot;
    f.current_density = s->cd;
    f.we_current = s->wec;
    f.labels = s->labels;
    f.grains = s->grains;
    f.we_pixels = s->pixels;
    s->f = f;
    zstr_workspace_free(ws);
    zstr_plan_free(p);
    zstr_model_free(m);
}

/* ------------------------------------------------------------------------- */
/* Tests                                                                     */
/* ------------------------------------------------------------------------- */

START_TEST(test_volume)
{
    static solved s;
    solve_cell(&s);
    char dir[128], path[192], msg[512] = "";
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/cell.vti", dir);
    ck_assert_msg(zv_write_volume(path, &s.f, msg, sizeof msg) == 0, "%s", msg);
    ck_assert_int_eq(zs_scratch_count(dir), 1); /* no temporary left */
    char *doc = zs_read_file(path);
    check_frame(doc, "0 4 0 3 0 5", s.f.h);
    check_field_data(doc, &s.f);
    ck_assert_int_eq(count_str(doc, "<DataArray "), 2 + 8);
    check_i32(doc, "phase", s.labels, NVOX);
    check_i32(doc, "grain", s.grains, NVOX);
    check_f64(doc, "potential_re", 1, s.pot, NVOX, 2, 0);
    check_f64(doc, "potential_im", 1, s.pot, NVOX, 2, 1);
    check_abs(doc, "potential_abs", s.pot, NVOX, 0);
    check_f64(doc, "current_density_re", 3, s.cd, 3 * NVOX, 2, 0);
    check_f64(doc, "current_density_im", 3, s.cd, 3 * NVOX, 2, 1);
    check_abs(doc, "current_density_abs", s.cd, NVOX, 1);

    /* the data is the physics, not just bits: every z-layer of read-back J_z
     * carries the 1 A (relative 1e-9, as test_fields' conservation) */
    varray jr = get_array(doc, "current_density_re");
    for (int z = 0; z < NZ; z++) {
        double sum = 0;
        for (int k = 0; k < NPIX; k++)
            sum += f64_at(&jr, (size_t)(3 * (z * NPIX + k) + 2)) * s.f.h[0] * s.f.h[1];
        ck_assert_msg(fabs(sum + 1.0) < 1e-9, "layer %d carries %.17g A", z, sum);
    }
    free(jr.bytes);
    free(doc);
}
END_TEST

START_TEST(test_interface)
{
    static solved s;
    solve_cell(&s);
    char dir[128], path[192], msg[512] = "";
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/we.vti", dir);
    ck_assert_msg(zv_write_interface(path, &s.f, msg, sizeof msg) == 0, "%s", msg);
    ck_assert_int_eq(zs_scratch_count(dir), 1);
    char *doc = zs_read_file(path);
    check_frame(doc, "0 4 0 3 5 5", s.f.h); /* the plane z = Lz */
    check_field_data(doc, &s.f);
    ck_assert_int_eq(count_str(doc, "<DataArray "), 2 + 4);
    varray a = get_array(doc, "pixel_type");
    ck_assert_str_eq(a.type, "UInt8");
    ck_assert_uint_eq(a.nbytes, NPIX);
    ck_assert(memcmp(a.data, s.pixels, NPIX) == 0);
    free(a.bytes);
    check_f64(doc, "we_current_re", 1, s.wec, NPIX, 2, 0);
    check_f64(doc, "we_current_im", 1, s.wec, NPIX, 2, 1);
    check_abs(doc, "we_current_abs", s.wec, NPIX, 0);
    /* the WE pixels take the whole 1 A */
    double sum = 0;
    for (int k = 0; k < NPIX; k++)
        sum += s.wec[2 * k] * s.f.h[0] * s.f.h[1];
    ck_assert_msg(fabs(sum - 1.0) < 1e-9, "WE current %.17g A", sum);
    free(doc);
}
END_TEST

/* Optional arrays: no grains → no grain array; no pixel map (the library's
 * ideal electrode) → every pixel a contact.  Writing again replaces the file
 * and keeps its mode. */
START_TEST(test_optional_and_replace)
{
    static solved s;
    solve_cell(&s);
    s.f.grains = NULL;
    s.f.we_pixels = NULL;
    char dir[128], vol[192], we[192], msg[512] = "";
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(vol, sizeof vol, "%s/v.vti", dir);
    snprintf(we, sizeof we, "%s/w.vti", dir);
    FILE *fp = fopen(vol, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("old", fp);
    fclose(fp);
    ck_assert_int_eq(chmod(vol, 0640), 0);
    ck_assert_msg(zv_write_volume(vol, &s.f, msg, sizeof msg) == 0, "%s", msg);
    ck_assert_msg(zv_write_interface(we, &s.f, msg, sizeof msg) == 0, "%s", msg);
    ck_assert_int_eq(zs_scratch_count(dir), 2);
    struct stat st;
    ck_assert_int_eq(stat(vol, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0640);
    char *doc = zs_read_file(vol);
    ck_assert_ptr_null(find_array(doc, "grain"));
    ck_assert_int_eq(count_str(doc, "<DataArray "), 2 + 7);
    check_i32(doc, "phase", s.labels, NVOX);
    free(doc);
    doc = zs_read_file(we);
    varray a = get_array(doc, "pixel_type");
    ck_assert_uint_eq(a.nbytes, NPIX);
    for (int k = 0; k < NPIX; k++)
        ck_assert_int_eq(a.data[k], ZSTR_PIXEL_CONTACT);
    free(a.bytes);
    free(doc);
}
END_TEST

/* Synthetic fields: NaN, ±inf, −0, subnormals and the largest doubles are
 * written exactly; grids with nx·ny ≡ 0, 1, 2 (mod 3) end the UInt8 stream
 * with every padding; the largest grid's text overflows the encoder's buffer
 * many times.  Spacing is h in metres, exactly. */
START_TEST(test_synthetic_exact)
{
    static const int64_t grids[][3] = {{1, 1, 1}, {2, 1, 1}, {3, 1, 2}, {7, 5, 3}, {37, 29, 11}};
    static const double special[] = {
        NAN, INFINITY, -INFINITY, -0.0, 4.9e-324, -2.2e-308, 1.7976931348623157e308,
        0.1, 1.0 / 3.0};
    const size_t nspecial = sizeof special / sizeof special[0];
    for (size_t g = 0; g < sizeof grids / sizeof grids[0]; g++) {
        const int64_t nx = grids[g][0], ny = grids[g][1], nz = grids[g][2];
        const size_t npix = (size_t)(nx * ny), nvox = npix * (size_t)nz;
        double *pot = malloc(2 * nvox * sizeof *pot), *cd = malloc(6 * nvox * sizeof *cd);
        double *wec = malloc(2 * npix * sizeof *wec);
        int32_t *lab = malloc(nvox * sizeof *lab);
        uint8_t *pix = malloc(npix);
        ck_assert(pot && cd && wec && lab && pix);
        uint64_t x = 0x9e3779b97f4a7c15u + g;
        for (size_t i = 0; i < 6 * nvox; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64: any bit pattern */
            double v;
            memcpy(&v, &x, sizeof v);
            if (i % 5 == 0)
                v = special[(i / 5) % nspecial];
            cd[i] = v;
            if (i < 2 * nvox)
                pot[i] = -v;
            if (i < 2 * npix)
                wec[i] = v * 0.5;
            if (i < nvox)
                lab[i] = (int32_t)(x >> 33) - (1 << 30);
            if (i < npix)
                pix[i] = (uint8_t)(x % 4);
        }
        zv_fields f = {.n = {nx, ny, nz},
                       .h = {1.5e-6, 1e-6, 2.5e-7},
                       .frequency = 0.0,
                       .potential = pot,
                       .current_density = cd,
                       .we_current = wec,
                       .labels = lab,
                       .grains = lab,
                       .we_pixels = pix};
        char dir[128], path[192], msg[512] = "", ext[96];
        zs_scratch_new(top_dir, dir, sizeof dir);
        snprintf(path, sizeof path, "%s/v.vti", dir);
        ck_assert_msg(zv_write_volume(path, &f, msg, sizeof msg) == 0, "%s", msg);
        char *doc = zs_read_file(path);
        snprintf(ext, sizeof ext, "0 %lld 0 %lld 0 %lld", (long long)nx, (long long)ny,
                 (long long)nz);
        check_frame(doc, ext, f.h);
        check_field_data(doc, &f);
        check_i32(doc, "phase", lab, nvox);
        check_i32(doc, "grain", lab, nvox);
        check_f64(doc, "potential_re", 1, pot, nvox, 2, 0);
        check_f64(doc, "potential_im", 1, pot, nvox, 2, 1);
        check_f64(doc, "current_density_re", 3, cd, 3 * nvox, 2, 0);
        check_f64(doc, "current_density_im", 3, cd, 3 * nvox, 2, 1);
        free(doc);
        snprintf(path, sizeof path, "%s/w.vti", dir);
        ck_assert_msg(zv_write_interface(path, &f, msg, sizeof msg) == 0, "%s", msg);
        doc = zs_read_file(path);
        snprintf(ext, sizeof ext, "0 %lld 0 %lld %lld %lld", (long long)nx, (long long)ny,
                 (long long)nz, (long long)nz);
        check_frame(doc, ext, f.h);
        varray a = get_array(doc, "pixel_type");
        ck_assert_uint_eq(a.nbytes, npix);
        ck_assert(memcmp(a.data, pix, npix) == 0);
        free(a.bytes);
        check_f64(doc, "we_current_re", 1, wec, npix, 2, 0);
        check_f64(doc, "we_current_im", 1, wec, npix, 2, 1);
        free(doc);
        ck_assert_int_eq(zs_scratch_count(dir), 2);
        free(pot), free(cd), free(wec), free(lab), free(pix);
    }
}
END_TEST

/* Paths that cannot be written: -1, a message naming the path, no file (and
 * no temporary) left. */
START_TEST(test_bad_path)
{
    static solved s;
    solve_cell(&s);
    char dir[128], path[256], msg[512];
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/no-such-dir/cell.vti", dir);
    msg[0] = '\0';
    ck_assert_int_eq(zv_write_volume(path, &s.f, msg, sizeof msg), -1);
    ck_assert_msg(strstr(msg, path) != NULL && strstr(msg, "No such file") != NULL, "%s", msg);
    ck_assert_int_eq(zv_write_interface(path, &s.f, msg, sizeof msg), -1);
    ck_assert_int_eq(zs_scratch_count(dir), 0);
    /* the target is a directory: the rename fails after the whole file was
     * written, and the temporary must go */
    snprintf(path, sizeof path, "%s/adir", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    msg[0] = '\0';
    ck_assert_int_eq(zv_write_volume(path, &s.f, msg, sizeof msg), -1);
    ck_assert_msg(strstr(msg, path) != NULL && strstr(msg, "rename") != NULL, "%s", msg);
    ck_assert_int_eq(zv_write_interface(path, &s.f, NULL, 0), -1); /* msg is optional */
    ck_assert_int_eq(zs_scratch_count(dir), 1);
    ck_assert_int_eq(zs_scratch_count(path), 0);
}
END_TEST

/* Bad inputs are refused before any file is made. */
START_TEST(test_bad_input)
{
    static solved s;
    solve_cell(&s);
    char dir[128], path[192], msg[512];
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/x.vti", dir);
    zv_fields f;
#define EXPECT_FAIL(call, needle)                                                                  \
    do {                                                                                           \
        msg[0] = '\0';                                                                             \
        ck_assert_int_eq((call), -1);                                                              \
        ck_assert_msg(strstr(msg, needle) != NULL, "'%s' lacks '%s'", msg, needle);                \
        ck_assert_int_eq(zs_scratch_count(dir), 0);                                                   \
    } while (0)
    f = s.f, f.potential = NULL;
    EXPECT_FAIL(zv_write_volume(path, &f, msg, sizeof msg), "potential");
    f = s.f, f.current_density = NULL;
    EXPECT_FAIL(zv_write_volume(path, &f, msg, sizeof msg), "current_density");
    f = s.f, f.labels = NULL;
    EXPECT_FAIL(zv_write_volume(path, &f, msg, sizeof msg), "labels");
    f = s.f, f.we_current = NULL;
    EXPECT_FAIL(zv_write_interface(path, &f, msg, sizeof msg), "we_current");
    f = s.f, f.n[1] = 0;
    EXPECT_FAIL(zv_write_volume(path, &f, msg, sizeof msg), "grid 4 x 0 x 5");
    f = s.f, f.n[2] = -3;
    EXPECT_FAIL(zv_write_interface(path, &f, msg, sizeof msg), "grid");
    f = s.f, f.n[0] = (int64_t)1 << 31;
    EXPECT_FAIL(zv_write_volume(path, &f, msg, sizeof msg), "grid");
    f = s.f, f.n[0] = f.n[1] = f.n[2] = (int64_t)1 << 14; /* 2^42 voxels */
    EXPECT_FAIL(zv_write_volume(path, &f, msg, sizeof msg), "2^40");
    f = s.f, f.h[2] = 0.0;
    EXPECT_FAIL(zv_write_volume(path, &f, msg, sizeof msg), "h[2]");
    f = s.f, f.h[0] = NAN;
    EXPECT_FAIL(zv_write_interface(path, &f, msg, sizeof msg), "h[0]");
    f = s.f, f.frequency = -1.0;
    EXPECT_FAIL(zv_write_volume(path, &f, msg, sizeof msg), "frequency");
    f = s.f, f.frequency = INFINITY;
    EXPECT_FAIL(zv_write_interface(path, &f, msg, sizeof msg), "frequency");
    uint8_t bad[NPIX];
    memcpy(bad, s.pixels, NPIX);
    bad[NPIX - 1] = 4;
    f = s.f, f.we_pixels = bad;
    EXPECT_FAIL(zv_write_interface(path, &f, msg, sizeof msg), "we_pixels[11] = 4");
    EXPECT_FAIL(zv_write_volume(path, NULL, msg, sizeof msg), "NULL");
    EXPECT_FAIL(zv_write_volume(NULL, &s.f, msg, sizeof msg), "path");
    EXPECT_FAIL(zv_write_interface("", &s.f, msg, sizeof msg), "path");
#undef EXPECT_FAIL
    ck_assert_int_eq(zv_write_volume(NULL, NULL, NULL, 0), -1);
    /* a tiny message buffer is truncated, not overrun */
    char small[8];
    memset(small, 'x', sizeof small);
    ck_assert_int_eq(zv_write_volume(path, NULL, small, 5), -1);
    ck_assert_int_eq(small[4], '\0');
    ck_assert_int_eq(small[5], 'x');
}
END_TEST

/* Attribute numbers whatever the process locale.  Comma-decimal locales are
 * optional on a build machine: without one there is nothing to provoke and
 * the test asserts only the C-locale output (as test_io's). */
START_TEST(test_locale_independent)
{
    static const char *const names[] = {"de_DE.UTF-8", "de_DE.utf8",  "de_DE",      "fr_FR.UTF-8",
                                        "fr_FR.utf8",  "nl_NL.UTF-8", "ru_RU.UTF-8"};
    static solved s;
    solve_cell(&s);
    const char *found = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && found == NULL; i++)
        if (setlocale(LC_ALL, names[i]) != NULL && strcmp(localeconv()->decimal_point, ",") == 0)
            found = names[i];
    char dir[128], path[192], msg[512] = "";
    zs_scratch_new(top_dir, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/v.vti", dir);
    int rc = zv_write_volume(path, &s.f, msg, sizeof msg);
    int unchanged = found == NULL || strcmp(localeconv()->decimal_point, ",") == 0;
    locale_t thread = uselocale((locale_t)0);
    setlocale(LC_ALL, "C"); /* before any assertion: later tests need "C" */
    ck_assert_msg(rc == 0, "%s", msg);
    ck_assert_msg(unchanged, "the writer changed the process locale");
    ck_assert_msg(thread == LC_GLOBAL_LOCALE, "the thread locale was not restored");
    char *doc = zs_read_file(path);
    check_frame(doc, "0 4 0 3 0 5", s.f.h);
    ck_assert_ptr_nonnull(strstr(doc, "at f = 1e+04 Hz"));
    free(doc);
}
END_TEST

Suite *suite_vtk(void)
{
    Suite *s = suite_create("vtk");
    TCase *tc = tcase_create("vtk");
    tcase_set_timeout(tc, 60);
    tcase_add_unchecked_fixture(tc, vtk_setup, vtk_teardown);
    tcase_add_test(tc, test_volume);
    tcase_add_test(tc, test_interface);
    tcase_add_test(tc, test_optional_and_replace);
    tcase_add_test(tc, test_synthetic_exact);
    tcase_add_test(tc, test_bad_path);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_locale_independent);
    suite_add_tcase(s, tc);
    return s;
}
