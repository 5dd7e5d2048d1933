/*
 * model.c — the zstr_model object: grid, phase table, labels, grains,
 * temperature and the two electrode interfaces.
 *
 * The model is passive data with checked setters.  Everything that depends on
 * several parts at once (a label naming a phase not yet added, a GB thicker than
 * a voxel) is checked again by zs_model_validate() when a plan is made, so the
 * setters may be called in any order.
 */
#include "zs_internal.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZS_MAX_VOXELS ((int64_t)1 << 40)

static int finite_pos(double x) { return isfinite(x) && x > 0.0; }
static int finite_nonneg(double x) { return isfinite(x) && x >= 0.0; }

int zs_model_create_layers(int64_t nx, int64_t ny, int64_t nz, double hx, double hy, double hz,
                           int64_t z_lo, int64_t z_hi, const char *fn, zstr_model **out,
                           zstr_error *err)
{
    zs_error_clear(err);
    if (out == NULL)
        return zs_error(err, ZSTR_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (nx < 1 || ny < 1 || nz < 1)
        return zs_error(err, ZSTR_EINVAL, "%s: grid %lld x %lld x %lld: every size must be >= 1",
                        fn, (long long)nx, (long long)ny, (long long)nz);
    if (!finite_pos(hx) || !finite_pos(hy) || !finite_pos(hz))
        return zs_error(err, ZSTR_EINVAL,
                        "%s: voxel edges %g, %g, %g m: each must be finite and > 0", fn, hx, hy,
                        hz);
    if (nx > ZS_MAX_VOXELS / ny || nx * ny > ZS_MAX_VOXELS / nz)
        return zs_error(err, ZSTR_ERANGE, "%s: grid %lld x %lld x %lld exceeds 2^40 voxels", fn,
                        (long long)nx, (long long)ny, (long long)nz);
    if (z_lo < 0 || z_hi > nz || z_lo >= z_hi)
        return zs_error(err, ZSTR_EINVAL, "%s: layers %lld..%lld are not within 0..%lld", fn,
                        (long long)z_lo, (long long)z_hi, (long long)nz);
    zstr_model *m = calloc(1, sizeof *m);
    if (m == NULL)
        return zs_error(err, ZSTR_ENOMEM, "%s: out of memory", fn);
    m->n[0] = nx;
    m->n[1] = ny;
    m->n[2] = nz;
    m->h[0] = hx;
    m->h[1] = hy;
    m->h[2] = hz;
    m->nvox = nx * ny * nz;
    m->z_lo = z_lo;
    m->z_hi = z_hi;
    m->nheld = nx * ny * (z_hi - z_lo);
    m->temperature = 298.15;
    m->gb_phase = -1;
    m->labels = zs_calloc_array((size_t)m->nheld, sizeof *m->labels);
    if (m->labels == NULL) {
        free(m);
        return zs_error(err, ZSTR_ENOMEM, "%s: out of memory for %lld voxel labels", fn,
                        (long long)(nx * ny * (z_hi - z_lo)));
    }
    *out = m;
    return ZSTR_OK;
}

int zstr_model_create(int64_t nx, int64_t ny, int64_t nz, double hx, double hy, double hz,
                      zstr_model **out, zstr_error *err)
{
    return zs_model_create_layers(nx, ny, nz, hx, hy, hz, 0, nz, "zstr_model_create", out, err);
}

int zs_model_whole(const zstr_model *m, const char *fn, zstr_error *err)
{
    if (m->z_lo == 0 && m->z_hi == m->n[2])
        return ZSTR_OK;
    return zs_error(err, ZSTR_EINVAL,
                    "%s: the model holds only layers %lld..%lld of %lld (one process's part, "
                    "from zstr_mpi_model_create); this needs the whole model",
                    fn, (long long)m->z_lo, (long long)m->z_hi - 1, (long long)m->n[2]);
}

int zs_model_place_layers(zstr_model *m, int64_t nz, int64_t z_lo, zstr_error *err)
{
    const int64_t held = m->z_hi - m->z_lo;
    if (m->z_lo != 0 || m->z_hi != m->n[2] || z_lo < 0 || z_lo + held > nz ||
        m->n[0] * m->n[1] > ZS_MAX_VOXELS / nz)
        return zs_error(err, ZSTR_EINVAL,
                        "layers %lld..%lld do not fit a grid of %lld layers as a part",
                        (long long)z_lo, (long long)(z_lo + held - 1), (long long)nz);
    m->n[2] = nz;
    m->nvox = m->n[0] * m->n[1] * nz;
    m->z_lo = z_lo;
    m->z_hi = z_lo + held;
    zs_model_touch(m);
    return ZSTR_OK;
}

void zs_model_touch(zstr_model *m)
{
    free(m->counts);
    m->counts = NULL;
}

void zs_model_count_layers(const zstr_model *m, int64_t z0, int64_t z1, zs_counts *c,
                           int32_t *max_grain)
{
    memset(c, 0, sizeof *c);
    const int64_t L = m->n[0] * m->n[1], b = (z0 - m->z_lo) * L, e = (z1 - m->z_lo) * L;
    int32_t mx = -1;
    for (int64_t i = b; i < e; i++) {
        int32_t l = m->labels[i];
        if (l >= 0 && l < ZS_MAX_PHASES)
            c->phase[l]++;
        else
            c->undefined++;
        if (m->grains != NULL) {
            if (m->grains[i] < 0)
                c->no_grain++;
            else if (m->grains[i] > mx)
                mx = m->grains[i];
        }
    }
    *max_grain = mx;
}

void zstr_model_get_layers(const zstr_model *m, int64_t *z_begin, int64_t *z_end)
{
    if (z_begin != NULL)
        *z_begin = m ? m->z_lo : 0;
    if (z_end != NULL)
        *z_end = m ? m->z_hi : 0;
}

void zstr_model_free(zstr_model *m)
{
    if (m == NULL)
        return;
    free(m->labels);
    free(m->grains);
    free(m->counts);
    free(m->iface[0].pixels);
    free(m->iface[1].pixels);
    free(m);
}

void zstr_model_get_grid(const zstr_model *m, int64_t n[3], double h[3])
{
    for (int i = 0; i < 3; i++) {
        if (n != NULL)
            n[i] = m ? m->n[i] : 0;
        if (h != NULL)
            h[i] = m ? m->h[i] : 0.0;
    }
}

static int check_phase_params(const zstr_phase_params *p, const char *fn, zstr_error *err)
{
    if (p == NULL)
        return zs_error(err, ZSTR_EINVAL, "%s: params is NULL", fn);
    if (!finite_nonneg(p->conductivity))
        return zs_error(err, ZSTR_EINVAL, "%s: conductivity %g S/m must be finite and >= 0",
                        fn, p->conductivity);
    if (!finite_pos(p->permittivity))
        return zs_error(err, ZSTR_EINVAL,
                        "%s: relative permittivity %g must be finite and > 0", fn,
                        p->permittivity);
    if (!finite_nonneg(p->activation_energy))
        return zs_error(err, ZSTR_EINVAL,
                        "%s: activation energy %g eV must be finite and >= 0", fn,
                        p->activation_energy);
    if (!finite_pos(p->reference_temperature))
        return zs_error(err, ZSTR_EINVAL,
                        "%s: reference temperature %g K must be finite and > 0", fn,
                        p->reference_temperature);
    return ZSTR_OK;
}

static void store_phase(zs_phase *dst, const zstr_phase_params *p, int id)
{
    /* via a copy: p->name may point into dst->name (get, change, set back) */
    char name[ZS_NAME_MAX];
    if (p->name != NULL)
        snprintf(name, sizeof name, "%s", p->name);
    else
        snprintf(name, sizeof name, "phase%d", id);
    memcpy(dst->name, name, sizeof name);
    dst->conductivity = p->conductivity;
    dst->permittivity = p->permittivity;
    dst->activation_energy = p->activation_energy;
    dst->reference_temperature = p->reference_temperature;
}

int zstr_model_add_phase(zstr_model *m, const zstr_phase_params *p, int *id, zstr_error *err)
{
    zs_error_clear(err);
    if (m == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_model_add_phase: model is NULL");
    int rc = check_phase_params(p, "zstr_model_add_phase", err);
    if (rc != ZSTR_OK)
        return rc;
    if (m->nphases >= ZS_MAX_PHASES)
        return zs_error(err, ZSTR_ERANGE, "zstr_model_add_phase: at most %d phases",
                        ZS_MAX_PHASES);
    store_phase(&m->phases[m->nphases], p, m->nphases);
    if (id != NULL)
        *id = m->nphases;
    m->nphases++;
    return ZSTR_OK;
}

int zstr_model_set_phase(zstr_model *m, int id, const zstr_phase_params *p, zstr_error *err)
{
    zs_error_clear(err);
    if (m == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_model_set_phase: model is NULL");
    if (id < 0 || id >= m->nphases)
        return zs_error(err, ZSTR_EINVAL, "zstr_model_set_phase: no phase %d (have %d)", id,
                        m->nphases);
    int rc = check_phase_params(p, "zstr_model_set_phase", err);
    if (rc != ZSTR_OK)
        return rc;
    store_phase(&m->phases[id], p, id);
    return ZSTR_OK;
}

int zstr_model_phase_count(const zstr_model *m) { return m ? m->nphases : 0; }

int zstr_model_get_phase(const zstr_model *m, int id, zstr_phase_params *p, zstr_error *err)
{
    zs_error_clear(err);
    if (m == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_model_get_phase: model is NULL");
    if (p == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_model_get_phase: params is NULL");
    if (id < 0 || id >= m->nphases)
        return zs_error(err, ZSTR_EINVAL, "zstr_model_get_phase: no phase %d (have %d)", id,
                        m->nphases);
    const zs_phase *s = &m->phases[id];
    p->name = s->name;
    p->conductivity = s->conductivity;
    p->permittivity = s->permittivity;
    p->activation_energy = s->activation_energy;
    p->reference_temperature = s->reference_temperature;
    return ZSTR_OK;
}

int zstr_model_set_temperature(zstr_model *m, double t, zstr_error *err)
{
    zs_error_clear(err);
    if (m == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_model_set_temperature: model is NULL");
    if (!finite_pos(t))
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_model_set_temperature: temperature %g K must be finite and > 0",
                        t);
    m->temperature = t;
    return ZSTR_OK;
}

double zstr_model_get_temperature(const zstr_model *m) { return m ? m->temperature : 0.0; }

int zstr_model_fill(zstr_model *m, int phase, zstr_error *err)
{
    zs_error_clear(err);
    if (m == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_model_fill: model is NULL");
    if (phase < 0 || phase >= ZS_MAX_PHASES)
        return zs_error(err, ZSTR_EINVAL, "zstr_model_fill: phase %d out of range 0..%d",
                        phase, ZS_MAX_PHASES - 1);
    for (int64_t i = 0; i < m->nheld; i++)
        m->labels[i] = phase;
    zs_model_touch(m);
    return ZSTR_OK;
}

int zstr_model_set_labels(zstr_model *m, const int32_t *labels, zstr_error *err)
{
    zs_error_clear(err);
    if (m == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_model_set_labels: model is NULL");
    if (labels == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_model_set_labels: labels is NULL");
    const int64_t base = m->z_lo * m->n[0] * m->n[1];
    for (int64_t i = 0; i < m->nheld; i++) {
        if (labels[i] < 0 || labels[i] >= ZS_MAX_PHASES)
            return zs_error(err, ZSTR_EINVAL,
                            "zstr_model_set_labels: voxel %lld has phase %d, outside 0..%d",
                            (long long)(base + i), (int)labels[i], ZS_MAX_PHASES - 1);
    }
    memcpy(m->labels, labels, (size_t)m->nheld * sizeof *labels);
    zs_model_touch(m);
    return ZSTR_OK;
}

const int32_t *zstr_model_labels(const zstr_model *m) { return m ? m->labels : NULL; }

static int check_gb(const zstr_model *m, int phase, double thickness, const char *fn,
                    zstr_error *err)
{
    if (phase < 0 || phase >= ZS_MAX_PHASES)
        return zs_error(err, ZSTR_EINVAL, "%s: boundary phase %d out of range 0..%d", fn,
                        phase, ZS_MAX_PHASES - 1);
    double hmin = fmin(m->h[0], fmin(m->h[1], m->h[2]));
    if (!finite_nonneg(thickness) || thickness >= hmin)
        return zs_error(err, ZSTR_EINVAL,
                        "%s: boundary thickness %g m must be >= 0 and smaller than the "
                        "smallest voxel edge %g m",
                        fn, thickness, hmin);
    return ZSTR_OK;
}

int zstr_model_set_grains(zstr_model *m, const int32_t *grain_ids, int boundary_phase,
                          double boundary_thickness, zstr_error *err)
{
    zs_error_clear(err);
    if (m == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_model_set_grains: model is NULL");
    if (grain_ids == NULL) {
        free(m->grains);
        m->grains = NULL;
        zs_model_touch(m);
        m->gb_phase = -1;
        m->gb_thickness = 0.0;
        return ZSTR_OK;
    }
    int rc = check_gb(m, boundary_phase, boundary_thickness, "zstr_model_set_grains", err);
    if (rc != ZSTR_OK)
        return rc;
    int32_t *copy = zs_malloc_array((size_t)m->nheld, sizeof *copy);
    if (copy == NULL)
        return zs_error(err, ZSTR_ENOMEM, "zstr_model_set_grains: out of memory");
    memcpy(copy, grain_ids, (size_t)m->nheld * sizeof *copy);
    free(m->grains);
    m->grains = copy;
    zs_model_touch(m);
    m->gb_phase = boundary_phase;
    m->gb_thickness = boundary_thickness;
    return ZSTR_OK;
}

const int32_t *zstr_model_grain_ids(const zstr_model *m) { return m ? m->grains : NULL; }

int zstr_model_get_grain_boundary(const zstr_model *m, int *phase, double *thickness)
{
    if (m == NULL)
        return ZSTR_EINVAL;
    if (m->grains == NULL)
        return ZSTR_ESTATE;
    if (phase != NULL)
        *phase = m->gb_phase;
    if (thickness != NULL)
        *thickness = m->gb_thickness;
    return ZSTR_OK;
}

void zstr_interface_params_default(zstr_interface_params *p)
{
    if (p == NULL)
        return;
    memset(p, 0, sizeof *p);
    p->reference_temperature = 298.15;
}

int zs_interface_check(const zstr_interface_params *p, const uint8_t *pixels, int64_t npix,
                       const char *fn, zstr_error *err)
{
    if (p == NULL)
        return zs_error(err, ZSTR_EINVAL, "%s: params is NULL", fn);
    struct {
        const char *name;
        double v;
        int positive;
    } f[] = {
        {"contact_resistance", p->contact_resistance, 0},
        {"contact_capacitance", p->contact_capacitance, 0},
        {"contact_activation_energy", p->contact_activation_energy, 0},
        {"pore_capacitance", p->pore_capacitance, 0},
        {"sei_resistance", p->sei_resistance, 0},
        {"sei_capacitance", p->sei_capacitance, 0},
        {"sei_activation_energy", p->sei_activation_energy, 0},
        {"reference_temperature", p->reference_temperature, 1},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (!(f[i].positive ? finite_pos(f[i].v) : finite_nonneg(f[i].v)))
            return zs_error(err, ZSTR_EINVAL, "%s: %s = %g must be finite and %s", fn,
                            f[i].name, f[i].v, f[i].positive ? "> 0" : ">= 0");
    }
    if (pixels == NULL)
        return ZSTR_OK;
    int64_t nsei = 0;
    for (int64_t i = 0; i < npix; i++) {
        if (pixels[i] > ZSTR_PIXEL_SEI)
            return zs_error(err, ZSTR_EINVAL, "%s: pixel %lld has unknown type %d", fn,
                            (long long)i, (int)pixels[i]);
        nsei += pixels[i] == ZSTR_PIXEL_SEI;
    }
    if (nsei > 0 && p->sei_resistance <= 0.0)
        return zs_error(err, ZSTR_EINVAL,
                        "%s: the map has %lld SEI pixels but sei_resistance is 0 (an SEI is "
                        "resistive; use contact pixels for an ideal contact)",
                        fn, (long long)nsei);
    return ZSTR_OK;
}

int zstr_model_set_interface(zstr_model *m, int electrode, const zstr_interface_params *p,
                             const uint8_t *pixels, zstr_error *err)
{
    static const char fn[] = "zstr_model_set_interface";
    zs_error_clear(err);
    if (m == NULL)
        return zs_error(err, ZSTR_EINVAL, "%s: model is NULL", fn);
    if (electrode != ZSTR_WE && electrode != ZSTR_CE)
        return zs_error(err, ZSTR_EINVAL, "%s: electrode %d is neither ZSTR_WE nor ZSTR_CE",
                        fn, electrode);
    int64_t npix = m->n[0] * m->n[1];
    int rc = zs_interface_check(p, pixels, npix, fn, err);
    if (rc != ZSTR_OK)
        return rc;
    uint8_t *copy = zs_malloc_array((size_t)npix, 1);
    if (copy == NULL)
        return zs_error(err, ZSTR_ENOMEM, "%s: out of memory", fn);
    if (pixels != NULL)
        memcpy(copy, pixels, (size_t)npix);
    else
        memset(copy, ZSTR_PIXEL_CONTACT, (size_t)npix);
    zs_interface *f = &m->iface[electrode];
    free(f->pixels);
    f->pixels = copy;
    f->params = *p;
    f->present = 1;
    return ZSTR_OK;
}

int zstr_model_clear_interface(zstr_model *m, int electrode, zstr_error *err)
{
    zs_error_clear(err);
    if (m == NULL)
        return zs_error(err, ZSTR_EINVAL, "zstr_model_clear_interface: model is NULL");
    if (electrode != ZSTR_WE && electrode != ZSTR_CE)
        return zs_error(err, ZSTR_EINVAL,
                        "zstr_model_clear_interface: electrode %d is neither ZSTR_WE nor "
                        "ZSTR_CE",
                        electrode);
    zs_interface *f = &m->iface[electrode];
    free(f->pixels);
    memset(f, 0, sizeof *f);
    return ZSTR_OK;
}

int zstr_model_get_interface(const zstr_model *m, int electrode, zstr_interface_params *p)
{
    if (m == NULL || p == NULL || (electrode != ZSTR_WE && electrode != ZSTR_CE))
        return ZSTR_EINVAL;
    if (!m->iface[electrode].present)
        return ZSTR_ESTATE;
    *p = m->iface[electrode].params;
    return ZSTR_OK;
}

const uint8_t *zstr_model_interface_pixels(const zstr_model *m, int electrode)
{
    if (m == NULL || (electrode != ZSTR_WE && electrode != ZSTR_CE))
        return NULL;
    return m->iface[electrode].present ? m->iface[electrode].pixels : NULL;
}

double zstr_model_contact_fraction(const zstr_model *m, int electrode)
{
    const uint8_t *px = zstr_model_interface_pixels(m, electrode);
    if (px == NULL)
        return m != NULL && (electrode == ZSTR_WE || electrode == ZSTR_CE) ? 1.0 : 0.0;
    double f = 0.0;
    zstr_map_contact_fraction(m->n[0], m->n[1], px, &f, NULL);
    return f;
}

/* At the model temperature every conductive material must keep a normal,
 * finite conductance: an Arrhenius factor that underflows (a temperature given
 * in °C read as K, say) would otherwise turn a conductor into an insulator or a
 * denormal that no solver resolves.  Checked on the element scale: the
 * conductivity times the largest and smallest face-area-over-length ratio. */
static int check_scaled(double v, double lo, double hi)
{
    return isfinite(v * hi) && v * lo >= DBL_MIN && isfinite(v) && v >= DBL_MIN;
}

static int check_temperature_range(const zstr_model *m, zstr_error *err)
{
    const double t = m->temperature;
    const double *h = m->h;
    double amin = fmin(h[0] * h[1], fmin(h[0] * h[2], h[1] * h[2]));
    double amax = fmax(h[0] * h[1], fmax(h[0] * h[2], h[1] * h[2]));
    double lmin = 0.5 * fmin(h[0], fmin(h[1], h[2])), lmax = fmax(h[0], fmax(h[1], h[2]));
    if (m->grains != NULL && m->gb_thickness > 0.0)
        lmin = fmin(lmin, m->gb_thickness);
    uint8_t used[ZS_MAX_PHASES];
    memset(used, 0, sizeof used);
    for (int64_t i = 0; i < m->nheld; i++)
        used[m->labels[i]] = 1;
    if (m->grains != NULL)
        used[m->gb_phase] = 1;
    for (int k = 0; k < m->nphases; k++) {
        const zs_phase *ph = &m->phases[k];
        if (!used[k] || ph->conductivity == 0.0)
            continue;
        double s = ph->conductivity *
                   zs_arrhenius(ph->activation_energy, ph->reference_temperature, t);
        if (!check_scaled(s, amin / lmax, amax / lmin))
            return zs_error(err, ZSTR_ERANGE,
                            "phase '%s': conductivity %g S/m at %g K becomes %g S/m at the "
                            "model temperature %g K, which %s double precision on this grid "
                            "(is the temperature in kelvin?)",
                            ph->name, ph->conductivity, ph->reference_temperature, s, t,
                            isfinite(s * amax / lmin) ? "underflows" : "overflows");
    }
    static const char *const ename[2] = {"working", "counter"};
    for (int e = 0; e < 2; e++) {
        const zs_interface *f = &m->iface[e];
        if (!f->present)
            continue;
        const zstr_interface_params *ip = &f->params;
        const struct {
            const char *name;
            double r, ea;
        } el[2] = {{"contact resistance R_pol", ip->contact_resistance,
                    ip->contact_activation_energy},
                   {"SEI resistance R_SEI", ip->sei_resistance, ip->sei_activation_energy}};
        for (int k = 0; k < 2; k++) {
            if (el[k].r <= 0.0)
                continue;
            double g = zs_arrhenius(el[k].ea, ip->reference_temperature, t) / el[k].r;
            if (!check_scaled(g, amin, amax))
                return zs_error(err, ZSTR_ERANGE,
                                "%s electrode: %s %g Ohm*m^2 at %g K becomes %g Ohm*m^2 at the "
                                "model temperature %g K, whose conductance %s double "
                                "precision (is the temperature in kelvin?)",
                                ename[e], el[k].name, el[k].r, ip->reference_temperature,
                                1.0 / g, t, isfinite(g * amax) ? "underflows" : "overflows");
        }
    }
    return ZSTR_OK;
}

int zs_model_validate(const zstr_model *m, zstr_error *err)
{
    if (m->nphases < 1)
        return zs_error(err, ZSTR_EINVAL, "model has no phase: add one with "
                                          "zstr_model_add_phase");
    const int64_t base = m->z_lo * m->n[0] * m->n[1];
    for (int64_t i = 0; i < m->nheld; i++) {
        if (m->labels[i] >= m->nphases)
            return zs_error(err, ZSTR_EINVAL, "voxel %lld has phase %d but only %d phases exist",
                            (long long)(base + i), (int)m->labels[i], m->nphases);
    }
    if (m->grains != NULL) {
        if (m->gb_phase >= m->nphases)
            return zs_error(err, ZSTR_EINVAL,
                            "grain-boundary phase %d does not exist (only %d phases)",
                            m->gb_phase, m->nphases);
        int rc = check_gb(m, m->gb_phase, m->gb_thickness, "model", err);
        if (rc != ZSTR_OK)
            return rc;
    }
    return check_temperature_range(m, err);
}
