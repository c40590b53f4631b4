/*
 * src/core/hist.c — torch.histc counts and their text/SVG drawings.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "core/hist.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ---- counts ---- */

/* C++'s `ostream << double` (6 significant digits, %g style), as torch's messages. */
static void cpp_double(double v, char *out, size_t size) { snprintf(out, size, "%g", v); }

/* aminmax over t (NaN, with the sign bit set as ATen's vector NaN, if any value is NaN). */
static void data_range(const Tensor *t, double *lo, double *hi) {
    int64_t n = tensor_numel(t);
    double mn = INFINITY, mx = -INFINITY;
    for (int64_t i = 0; i < n; i++) {
        double v = tensor_get(t, i);
        if (isnan(v)) {
            mn = mx = -NAN;
            break;
        }
        if (v < mn) mn = v;
        if (v > mx) mx = v;
    }
    *lo = mn;
    *hi = mx;
}

/* torch.linspace(lo, hi, steps) in float64, as ATen's CPU kernel computes it: elements
 * in the first half from lo, the rest from hi (fused multiply-adds in the AVX2 build); the
 * vectorised loop fills 2 x 4 elements at a time from a base (lanes base + k * step), the
 * last steps % 8 elements one by one. */
static Tensor *linspace(double lo, double hi, int64_t steps, Error *err) {
    int64_t shape[1] = {steps};
    Tensor *t = tensor_zeros(DTYPE_FLOAT64, 1, shape, err);
    if (!t) return NULL;
    double *p = (double *)t->storage->data;
    double step = steps > 1 ? (hi - lo) / (double)(steps - 1) : 0.0;
    int64_t half = steps / 2, vec_end = steps - steps % 8;
    for (int64_t i = 0; i < steps; i++) {
        int64_t at = i < vec_end ? i - i % 4 : i; /* the element the value is computed from */
        double base = at < half ? fma(step, (double)at, lo) : fma(-step, (double)(steps - at - 1), hi);
        int64_t k = i - at;
        p[i] = k == 0 ? base : k == 1 ? base + step : base + (double)k * step;
    }
    return t;
}

int hist_counts(const Tensor *t, int64_t bins, double min, double max, Tensor **counts,
                Tensor **edges, Error *err) {
    *counts = NULL;
    if (edges) *edges = NULL;
    if (bins <= 0)
        return err_set(err, ERR_RUNTIME, "torch.histogram(): bins must be > 0, but got %lld for dimension 0",
                       (long long)bins);
    double lo = min, hi = max;
    if (lo == hi && tensor_numel(t) > 0) data_range(t, &lo, &hi);
    if (lo == hi) {
        lo -= 1;
        hi += 1;
    }
    if (isinf(lo) || isinf(hi) || isnan(lo) || isnan(hi)) {
        char a[32], b[32];
        cpp_double(lo, a, sizeof a);
        cpp_double(hi, b, sizeof b);
        return err_set(err, ERR_RUNTIME, "torch.histc: range of [%s, %s] is not finite", a, b);
    }
    if (!(lo < hi)) return err_set(err, ERR_RUNTIME, "torch.histc: max must be larger than min");
    if (t->dtype == DTYPE_BOOL)
        return err_set(err, ERR_RUNTIME, "\"linspace_cpu\" not implemented for 'Bool'");
    if (dtype_is_integral(t->dtype))
        return err_set(err, ERR_RUNTIME, "\"histogram_cpu\" not implemented for '%s'",
                       dtype_scalar_name(t->dtype));
    int64_t shape[1] = {bins};
    Tensor *c = tensor_zeros(t->dtype, 1, shape, err);
    if (!c) return err->code;
    int64_t n = tensor_numel(t);
    if (t->dtype == DTYPE_FLOAT32) {
        /* histogramdd's linear interpolation in float (the edges are linspace's ends).
         * torch 1.13 does not skip NaN: its bin index converts to INT64_MIN, and the
         * wrapped-around address is bin 0. */
        float l = (float)lo, r = (float)hi, nb = (float)bins;
        float *h = (float *)c->storage->data;
        for (int64_t i = 0; i < n; i++) {
            float v = (float)tensor_get(t, i);
            if (v < l || r < v) continue;
            int64_t pos = isnan(v) ? 0 : (int64_t)((v - l) * nb / (r - l));
            if (pos == bins) pos--;
            h[pos] += 1.0f;
        }
    } else {
        double *h = (double *)c->storage->data;
        for (int64_t i = 0; i < n; i++) {
            double v = tensor_get(t, i);
            if (v < lo || hi < v) continue;
            int64_t pos = isnan(v) ? 0 : (int64_t)((v - lo) * (double)bins / (hi - lo));
            if (pos == bins) pos--;
            h[pos] += 1.0;
        }
    }
    if (edges) {
        *edges = linspace(lo, hi, bins + 1, err);
        if (!*edges) {
            tensor_release(c);
            return err->code;
        }
    }
    *counts = c;
    return ERR_OK;
}

/* ---- drawing ---- */

static int check_shapes(const Tensor *counts, const Tensor *edges, Error *err) {
    if (counts->ndim != 1 || edges->ndim != 1 || edges->shape[0] != counts->shape[0] + 1)
        return err_set(err, ERR_VALUE, "hist: expected 1-D counts and counts + 1 edges");
    return ERR_OK;
}

/* Decimals that tell adjacent edges apart: about two significant digits of the bin width
 * (more than 8 means a very narrow range: format_edge then switches to %g). */
static int edge_decimals(const Tensor *edges) {
    int64_t n = edges->shape[0];
    double width = n > 1 ? fabs(tensor_get(edges, 1) - tensor_get(edges, 0)) : 1.0;
    if (!(width > 0) || !isfinite(width)) return 2;
    int d = (int)ceil(-log10(width)) + 1;
    return d < 0 ? 0 : d > 9 ? 9 : d;
}

static void format_edge(double v, int decimals, char *out, size_t size) {
    if (decimals > 8 || fabs(v) >= 1e7) snprintf(out, size, "%.4g", v);
    else snprintf(out, size, "%.*f", decimals, v);
    if (out[0] == '-' && strspn(out + 1, "0.") == strlen(out + 1))
        memmove(out, out + 1, strlen(out)); /* "-0.00" reads as 0 */
}

static void format_count(double v, char *out, size_t size) {
    if (v == floor(v) && fabs(v) < 9e15) snprintf(out, size, "%lld", (long long)v);
    else snprintf(out, size, "%g", v);
}

static double max_count(const Tensor *counts) {
    double m = 0;
    for (int64_t i = 0; i < counts->shape[0]; i++) {
        double v = tensor_get(counts, i);
        if (v > m) m = v;
    }
    return m;
}

int hist_render_text(const Tensor *counts, const Tensor *edges, int width, StrBuf *sb,
                     Error *err) {
    if (check_shapes(counts, edges, err) != ERR_OK) return ERR_VALUE;
    static const char *const eighths[8] = {"", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b",
                                           "\u258a", "\u2589"};
    if (width < 1) width = 1;
    size_t start = sb->len;
    int64_t bins = counts->shape[0];
    int decimals = edge_decimals(edges);
    double top = max_count(counts);
    /* common widths: edges right-aligned, then the count column */
    size_t edge_w = 0, count_w = 0;
    char a[48], num[48];
    for (int64_t i = 0; i <= bins; i++) {
        format_edge(tensor_get(edges, i), decimals, a, sizeof a);
        if (strlen(a) > edge_w) edge_w = strlen(a);
        if (i < bins) {
            format_count(tensor_get(counts, i), num, sizeof num);
            if (strlen(num) > count_w) count_w = strlen(num);
        }
    }
    for (int64_t i = 0; i < bins; i++) {
        char b[48];
        format_edge(tensor_get(edges, i), decimals, a, sizeof a);
        format_edge(tensor_get(edges, i + 1), decimals, b, sizeof b);
        sb_appendc(sb, '[');
        sb_repeat(sb, ' ', edge_w - strlen(a));
        sb_append(sb, a);
        sb_append(sb, ", ");
        sb_repeat(sb, ' ', edge_w - strlen(b));
        sb_append(sb, b);
        sb_append(sb, i == bins - 1 ? "]  " : ")  ");
        double v = tensor_get(counts, i);
        long units = top > 0 && v > 0 ? lround(v / top * width * 8) : 0;
        if (v > 0 && units == 0) units = 1; /* a non-empty bin always shows */
        long full = units / 8, rest = units % 8;
        for (long k = 0; k < full; k++) sb_append(sb, "\u2588");
        sb_append(sb, eighths[rest]);
        sb_repeat(sb, ' ', (size_t)(width - full - (rest ? 1 : 0)) + 1);
        format_count(v, num, sizeof num);
        sb_repeat(sb, ' ', count_w - strlen(num));
        sb_append(sb, num);
        sb_appendc(sb, '\n');
    }
    if (sb_check(sb, err) != ERR_OK) {
        sb_truncate(sb, start);
        return ERR_MEMORY;
    }
    return ERR_OK;
}

int hist_render_svg(const Tensor *counts, const Tensor *edges, StrBuf *sb, Error *err) {
    if (check_shapes(counts, edges, err) != ERR_OK) return ERR_VALUE;
    const double w = 480, h = 240, left = 56, right = 12, top_m = 12, bottom = 40;
    const double pw = w - left - right, ph = h - top_m - bottom;
    size_t start = sb->len;
    int64_t bins = counts->shape[0];
    double top = max_count(counts);
    int decimals = edge_decimals(edges);
    char a[48];
    sb_appendf(sb,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"11\">\n",
               w, h, w, h);
    sb_appendf(sb, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", w, h);
    sb_append(sb, "<g fill=\"#4c72b0\" stroke=\"white\" stroke-width=\"0.5\">\n");
    for (int64_t i = 0; i < bins; i++) {
        double v = tensor_get(counts, i);
        double bh = top > 0 && v > 0 ? v / top * ph : 0;
        double x = left + pw * (double)i / (double)bins, bw = pw / (double)bins;
        format_count(v, a, sizeof a);
        sb_appendf(sb, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"><title>%s</title></rect>\n",
                   x, top_m + ph - bh, bw, bh, a);
    }
    sb_append(sb, "</g>\n");
    /* axes */
    sb_appendf(sb, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"black\"/>\n", left,
               top_m + ph, left + pw, top_m + ph);
    sb_appendf(sb, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"black\"/>\n", left, top_m,
               left, top_m + ph);
    /* x labels: first, middle and last edges */
    int64_t ticks[3] = {0, bins / 2, bins};
    const char *anchor[3] = {"start", "middle", "end"};
    for (int k = 0; k < 3; k++) {
        if (k == 1 && (bins < 2)) continue;
        double x = left + pw * (double)ticks[k] / (double)bins;
        format_edge(tensor_get(edges, ticks[k]), decimals, a, sizeof a);
        sb_appendf(sb, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"black\"/>\n", x,
                   top_m + ph, x, top_m + ph + 4);
        sb_appendf(sb, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\">%s</text>\n", x, top_m + ph + 16,
                   anchor[k], a);
    }
    /* y labels: 0 and the largest count */
    format_count(top, a, sizeof a);
    sb_appendf(sb, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">0</text>\n", left - 6, top_m + ph + 4);
    sb_appendf(sb, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"end\">%s</text>\n", left - 6, top_m + 8, a);
    sb_appendf(sb, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"middle\">value</text>\n", left + pw / 2, h - 6);
    sb_appendf(sb,
               "<text x=\"14\" y=\"%.2f\" text-anchor=\"middle\" transform=\"rotate(-90 14 %.2f)\">"
               "count</text>\n",
               top_m + ph / 2, top_m + ph / 2);
    sb_append(sb, "</svg>\n");
    if (sb_check(sb, err) != ERR_OK) {
        sb_truncate(sb, start);
        return ERR_MEMORY;
    }
    return ERR_OK;
}
