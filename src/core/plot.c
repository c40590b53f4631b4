/*
 * src/core/plot.c — scatter plots and heatmaps as Unicode text and SVG. See plot.h.
 * See LICENSE (GPL-3.0-or-later).
 */
#include "core/plot.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

/* ---- UTF-8 helpers ---- */

/* Decodes one code point at s (invalid bytes decode as '?', one byte each). */
static uint32_t decode(const char *s, size_t *used) {
    const unsigned char *p = (const unsigned char *)s;
    uint32_t c = p[0];
    int n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) {
        *used = 1;
        return '?';
    }
    uint32_t cp = n == 0 ? c : c & (0x3f >> n);
    for (int k = 1; k <= n; k++) {
        if ((p[k] & 0xc0) != 0x80) {
            *used = 1;
            return '?';
        }
        cp = (cp << 6) | (p[k] & 0x3f);
    }
    *used = (size_t)n + 1;
    return cp;
}

static void encode(StrBuf *sb, uint32_t cp) {
    char b[4];
    if (cp < 0x80) {
        sb_appendc(sb, (char)cp);
        return;
    }
    int n;
    if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    sb_appendn(sb, b, (size_t)n);
}

int64_t plot_text_width(const char *s) {
    int64_t n = 0;
    while (*s) {
        size_t used;
        decode(s, &used);
        s += used;
        n++;
    }
    return n;
}

/* At most `max` code points of s into cps; returns the count. */
static int to_codepoints(const char *s, uint32_t *cps, int max) {
    int n = 0;
    while (s && *s && n < max) {
        size_t used;
        uint32_t cp = decode(s, &used);
        cps[n++] = cp < 0x20 ? '?' : cp;
        s += used;
    }
    return n;
}

/* Appends s padded (or cut) to exactly `width` cells. */
static void append_padded(StrBuf *sb, const char *s, int width) {
    uint32_t cps[64];
    int n = to_codepoints(s ? s : "", cps, width < 64 ? width : 64);
    for (int i = 0; i < n; i++) encode(sb, cps[i]);
    sb_repeat(sb, ' ', (size_t)(width - n));
}

static void xml_escaped(StrBuf *sb, const char *s) {
    for (; s && *s; s++) {
        switch (*s) {
        case '&': sb_append(sb, "&amp;"); break;
        case '<': sb_append(sb, "&lt;"); break;
        case '>': sb_append(sb, "&gt;"); break;
        case '"': sb_append(sb, "&quot;"); break;
        case '\'': sb_append(sb, "&#39;"); break;
        default:
            if ((unsigned char)*s < 0x20) sb_appendc(sb, '?');
            else sb_appendc(sb, *s);
        }
    }
}

/* ---- scatter ---- */

enum { CELL_FREE, CELL_POINT, CELL_LABEL, CELL_GAP };

typedef struct Grid {
    int w, h;
    uint32_t *cp;
    unsigned char *use;
} Grid;

static bool range_free(const Grid *g, int row, int from, int to) {
    if (from < 0 || to >= g->w) return false;
    for (int c = from; c <= to; c++)
        if (g->use[row * g->w + c] != CELL_FREE && g->use[row * g->w + c] != CELL_GAP) return false;
    return true;
}

static bool range_clear(const Grid *g, int row, int from, int to) {
    for (int c = from; c <= to; c++) {
        if (c < 0 || c >= g->w) continue;
        if (g->use[row * g->w + c] != CELL_FREE) return false;
    }
    return true;
}

static void put_label(Grid *g, int row, int start, const uint32_t *cps, int n) {
    for (int i = 0; i < n; i++) {
        g->cp[row * g->w + start + i] = cps[i];
        g->use[row * g->w + start + i] = CELL_LABEL;
    }
    int before = start - 1, after = start + n;
    if (before >= 0 && g->use[row * g->w + before] == CELL_FREE) g->use[row * g->w + before] = CELL_GAP;
    if (after < g->w && g->use[row * g->w + after] == CELL_FREE) g->use[row * g->w + after] = CELL_GAP;
}

static void data_range(const double *v, int64_t n, double *lo, double *hi) {
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) continue;
        if (v[i] < *lo) *lo = v[i];
        if (v[i] > *hi) *hi = v[i];
    }
    if (*lo > *hi) *lo = -1, *hi = 1;
    if (*lo == *hi) *lo -= 1, *hi += 1;
}

int plot_scatter_text(const PlotScatter *p, int width, int height, StrBuf *sb, Error *err) {
    int w = width < 20 ? 20 : width > 200 ? 200 : width;
    int h = height < 5 ? 5 : height > 100 ? 100 : height;
    Grid g = {w, h, mem_calloc((size_t)(w * h), sizeof(uint32_t), err),
              mem_calloc((size_t)(w * h), 1, err)};
    if (!g.cp || !g.use) {
        mem_free(g.cp);
        mem_free(g.use);
        return ERR_MEMORY;
    }
    double x0, x1, y0, y1;
    data_range(p->x, p->n, &x0, &x1);
    data_range(p->y, p->n, &y0, &y1);
    int *col = mem_alloc((size_t)(p->n > 0 ? p->n : 1) * sizeof *col, err);
    int *row = mem_alloc((size_t)(p->n > 0 ? p->n : 1) * sizeof *row, err);
    if (!col || !row) {
        mem_free(g.cp), mem_free(g.use), mem_free(col), mem_free(row);
        return ERR_MEMORY;
    }
    for (int64_t i = 0; i < p->n; i++) {
        if (!isfinite(p->x[i]) || !isfinite(p->y[i])) {
            col[i] = row[i] = -1;
            continue;
        }
        col[i] = (int)lround((p->x[i] - x0) / (x1 - x0) * (w - 1));
        row[i] = (int)lround((y1 - p->y[i]) / (y1 - y0) * (h - 1));
        g.cp[row[i] * w + col[i]] = 0x25cf; /* ● */
        g.use[row[i] * w + col[i]] = CELL_POINT;
    }
    StrBuf missing = SB_INIT;
    for (int64_t i = 0; i < p->n; i++) {
        const char *label = p->labels ? p->labels[i] : NULL;
        if (!label || !*label) continue;
        uint32_t cps[24];
        int n = to_codepoints(label, cps, 24);
        bool placed = false;
        if (col[i] >= 0) {
            int r = row[i], c = col[i];
            /* Right of the point: "● word", a free cell after it. */
            if (range_free(&g, r, c + 2, c + 1 + n) && range_clear(&g, r, c + 1, c + 1) &&
                range_clear(&g, r, c + 2 + n, c + 2 + n)) {
                put_label(&g, r, c + 2, cps, n);
                placed = true;
            } else if (range_free(&g, r, c - 1 - n, c - 2) && range_clear(&g, r, c - 1, c - 1) &&
                       range_clear(&g, r, c - 2 - n, c - 2 - n)) {
                put_label(&g, r, c - 1 - n, cps, n);
                placed = true;
            }
        }
        if (!placed) {
            sb_append(&missing, missing.len ? ", " : "");
            sb_append(&missing, label);
        }
    }
    if (p->title && *p->title) {
        sb_append(sb, p->title);
        sb_appendc(sb, '\n');
    }
    sb_append(sb, "┌");
    for (int c = 0; c < w; c++) sb_append(sb, "─");
    sb_append(sb, "┐\n");
    for (int r = 0; r < h; r++) {
        sb_append(sb, "│");
        for (int c = 0; c < w; c++) {
            uint32_t cp = g.cp[r * w + c];
            encode(sb, cp ? cp : ' ');
        }
        sb_append(sb, "│\n");
    }
    sb_append(sb, "└");
    for (int c = 0; c < w; c++) sb_append(sb, "─");
    sb_append(sb, "┘\n");
    sb_appendf(sb, "x: %s from %.3g to %.3g; y: %s from %.3g to %.3g", p->xlabel ? p->xlabel : "x",
               x0, x1, p->ylabel ? p->ylabel : "y", y0, y1);
    if (missing.len) sb_appendf(sb, "\nnot labelled (no room): %s", sb_str(&missing));
    sb_free(&missing);
    mem_free(g.cp), mem_free(g.use), mem_free(col), mem_free(row);
    return sb_check(sb, err);
}

int plot_scatter_svg(const PlotScatter *p, StrBuf *sb, Error *err) {
    const double W = 560, H = 420, left = 56, right = 24, top = 36, bottom = 52;
    double x0, x1, y0, y1;
    data_range(p->x, p->n, &x0, &x1);
    data_range(p->y, p->n, &y0, &y1);
    double px = (x1 - x0) * 0.06, py = (y1 - y0) * 0.06;
    x0 -= px, x1 += px, y0 -= py, y1 += py;
    double pw = W - left - right, ph = H - top - bottom;
    sb_appendf(sb,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n",
               W, H, W, H);
    sb_appendf(sb, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", W, H);
    if (p->title && *p->title) {
        sb_appendf(sb, "<text x=\"%.1f\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">", W / 2);
        xml_escaped(sb, p->title);
        sb_append(sb, "</text>\n");
    }
    sb_appendf(sb,
               "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
               "stroke=\"#888\"/>\n",
               left, top, pw, ph);
    /* Zero lines when zero is inside the range. */
    if (x0 < 0 && x1 > 0) {
        double zx = left + (0 - x0) / (x1 - x0) * pw;
        sb_appendf(sb, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                   zx, top, zx, top + ph);
    }
    if (y0 < 0 && y1 > 0) {
        double zy = top + (y1 - 0) / (y1 - y0) * ph;
        sb_appendf(sb, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n",
                   left, zy, left + pw, zy);
    }
    sb_appendf(sb, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\">",
               left + pw / 2, H - 14);
    xml_escaped(sb, p->xlabel ? p->xlabel : "x");
    sb_append(sb, "</text>\n");
    sb_appendf(sb,
               "<text x=\"16\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\" "
               "transform=\"rotate(-90 16 %.1f)\">",
               top + ph / 2, top + ph / 2);
    xml_escaped(sb, p->ylabel ? p->ylabel : "y");
    sb_append(sb, "</text>\n");
    sb_appendf(sb, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#666\">%.3g</text>\n", left,
               top + ph + 14, x0 + px);
    sb_appendf(sb,
               "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#666\" "
               "text-anchor=\"end\">%.3g</text>\n",
               left + pw, top + ph + 14, x1 - px);
    sb_appendf(sb,
               "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#666\" "
               "text-anchor=\"end\">%.3g</text>\n",
               left - 4, top + ph, y0 + py);
    sb_appendf(sb,
               "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"#666\" "
               "text-anchor=\"end\">%.3g</text>\n",
               left - 4, top + 10, y1 - py);
    for (int64_t i = 0; i < p->n; i++) {
        if (!isfinite(p->x[i]) || !isfinite(p->y[i])) continue;
        double cx = left + (p->x[i] - x0) / (x1 - x0) * pw;
        double cy = top + (y1 - p->y[i]) / (y1 - y0) * ph;
        const char *label = p->labels ? p->labels[i] : NULL;
        sb_appendf(sb, "<g><circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"#1f77b4\"/>", cx, cy);
        if (label && *label) {
            sb_appendf(sb, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">", cx + 5, cy - 4);
            xml_escaped(sb, label);
            sb_append(sb, "</text>");
        }
        sb_append(sb, "<title>");
        xml_escaped(sb, label ? label : "");
        sb_appendf(sb, " (%.4g, %.4g)</title></g>\n", p->x[i], p->y[i]);
    }
    sb_append(sb, "</svg>");
    return sb_check(sb, err);
}

/* ---- heatmap ---- */

static int heat_range(const PlotHeatmap *h, double *lo, double *hi, Error *err) {
    const Tensor *m = h->matrix;
    if (m->ndim != 2)
        return err_set(err, ERR_VALUE, "heatmap needs a 2-D matrix, got %d dimensions", m->ndim);
    *lo = h->vmin;
    *hi = h->vmax;
    if (*lo == *hi) {
        *lo = INFINITY;
        *hi = -INFINITY;
        int64_t n = tensor_numel(m);
        for (int64_t i = 0; i < n; i++) {
            double v = tensor_get(m, i);
            if (!isfinite(v)) continue;
            if (v < *lo) *lo = v;
            if (v > *hi) *hi = v;
        }
        if (*lo > *hi) *lo = 0, *hi = 1;
        if (*lo == *hi) *lo -= 1, *hi += 1;
    }
    return ERR_OK;
}

static double cell(const Tensor *m, int64_t r, int64_t c) {
    int64_t idx[2] = {r, c};
    return tensor_load(m, tensor_index_offset(m, idx));
}

int plot_heatmap_text(const PlotHeatmap *h, StrBuf *sb, Error *err) {
    double lo, hi;
    if (heat_range(h, &lo, &hi, err)) return err->code;
    const Tensor *m = h->matrix;
    int64_t rows = m->shape[0], cols = m->shape[1];
    static const char *const shades[5] = {"  ", "░░", "▒▒", "▓▓", "██"};
    int lw = 0;
    for (int64_t r = 0; r < rows && h->row_labels; r++) {
        int64_t w = plot_text_width(h->row_labels[r] ? h->row_labels[r] : "");
        if (w > lw) lw = (int)w;
    }
    if (!h->row_labels) {
        char buf[24];
        lw = snprintf(buf, sizeof buf, "%lld", (long long)(rows > 0 ? rows - 1 : 0));
    }
    if (lw > 20) lw = 20;
    if (h->title && *h->title) {
        sb_append(sb, h->title);
        sb_appendc(sb, '\n');
    }
    /* Column labels, written downwards, one character per line (at most 10). */
    int ch = 0;
    char num[24];
    for (int64_t c = 0; c < cols; c++) {
        const char *label = h->col_labels ? h->col_labels[c] : NULL;
        if (!label) {
            snprintf(num, sizeof num, "%lld", (long long)c);
            label = num;
        }
        int64_t w = plot_text_width(label);
        if (w > ch) ch = (int)w;
    }
    if (ch > 10) ch = 10;
    for (int line = 0; line < ch; line++) {
        StrBuf l = SB_INIT;
        sb_repeat(&l, ' ', (size_t)lw + 1);
        for (int64_t c = 0; c < cols; c++) {
            const char *label = h->col_labels ? h->col_labels[c] : NULL;
            if (!label) {
                snprintf(num, sizeof num, "%lld", (long long)c);
                label = num;
            }
            uint32_t cps[10];
            int n = to_codepoints(label, cps, 10);
            encode(&l, line < n ? cps[line] : ' ');
            sb_appendc(&l, ' ');
        }
        while (l.len && sb_str(&l)[l.len - 1] == ' ') sb_truncate(&l, l.len - 1);
        sb_append(sb, sb_str(&l));
        sb_appendc(sb, '\n');
        if (sb_check(&l, err)) {
            sb_free(&l);
            return ERR_MEMORY;
        }
        sb_free(&l);
    }
    for (int64_t r = 0; r < rows; r++) {
        if (h->row_labels) {
            append_padded(sb, h->row_labels[r], lw);
        } else {
            snprintf(num, sizeof num, "%*lld", lw, (long long)r);
            sb_append(sb, num);
        }
        sb_appendc(sb, ' ');
        for (int64_t c = 0; c < cols; c++) {
            double v = cell(m, r, c);
            if (isnan(v)) {
                sb_append(sb, "··");
                continue;
            }
            double t = (v - lo) / (hi - lo);
            int k = t <= 0 ? 0 : t >= 1 ? 4 : (int)(t * 5);
            if (k > 4) k = 4;
            sb_append(sb, shades[k]);
        }
        sb_appendc(sb, '\n');
    }
    double step = (hi - lo) / 5;
    sb_appendf(sb, "scale: '  ' < %.2f ≤ ░ < %.2f ≤ ▒ < %.2f ≤ ▓ < %.2f ≤ █ (range %.2f to %.2f)",
               lo + step, lo + 2 * step, lo + 3 * step, lo + 4 * step, lo, hi);
    return sb_check(sb, err);
}

/* The fill colour of v on the heatmap's scale. */
static void heat_colour(double v, double lo, double hi, char out[8], bool *dark) {
    double r, g, b, t;
    if (isnan(v)) {
        snprintf(out, 8, "#cccccc");
        *dark = false;
        return;
    }
    if (lo < 0 && hi > 0) {
        /* Diverging: blue (#3b4cc0) for negative, white at 0, red (#b40426) for positive. */
        if (v < 0) {
            t = fmin(v / lo, 1.0);
            r = 255 + (0x3b - 255) * t, g = 255 + (0x4c - 255) * t, b = 255 + (0xc0 - 255) * t;
        } else {
            t = fmin(v / hi, 1.0);
            r = 255 + (0xb4 - 255) * t, g = 255 + (0x04 - 255) * t, b = 255 + (0x26 - 255) * t;
        }
    } else {
        t = fmin(fmax((v - lo) / (hi - lo), 0.0), 1.0);
        r = 255 + (0x08 - 255) * t, g = 255 + (0x51 - 255) * t, b = 255 + (0x9c - 255) * t;
    }
    *dark = t > 0.6;
    snprintf(out, 8, "#%02x%02x%02x", (unsigned)lround(r), (unsigned)lround(g), (unsigned)lround(b));
}

int plot_heatmap_svg(const PlotHeatmap *h, StrBuf *sb, Error *err) {
    double lo, hi;
    if (heat_range(h, &lo, &hi, err)) return err->code;
    const Tensor *m = h->matrix;
    int64_t rows = m->shape[0], cols = m->shape[1];
    double cs = cols <= 12 ? 40 : cols <= 30 ? 22 : 12;
    int64_t lw = 2, cw = 2;
    for (int64_t r = 0; r < rows && h->row_labels; r++) {
        int64_t w = plot_text_width(h->row_labels[r] ? h->row_labels[r] : "");
        if (w > lw) lw = w;
    }
    for (int64_t c = 0; c < cols && h->col_labels; c++) {
        int64_t w = plot_text_width(h->col_labels[c] ? h->col_labels[c] : "");
        if (w > cw) cw = w;
    }
    if (lw > 24) lw = 24;
    if (cw > 24) cw = 24;
    double left = 12 + 7.0 * (double)lw, top = (h->title && *h->title ? 34 : 10) + 5.5 * (double)cw;
    double W = left + cs * (double)cols + 20, H = top + cs * (double)rows + 40;
    sb_appendf(sb,
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n",
               W, H, W, H);
    sb_appendf(sb, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"white\"/>\n", W, H);
    if (h->title && *h->title) {
        sb_appendf(sb, "<text x=\"%.1f\" y=\"20\" font-size=\"14\" text-anchor=\"middle\">", W / 2);
        xml_escaped(sb, h->title);
        sb_append(sb, "</text>\n");
    }
    char num[32];
    for (int64_t c = 0; c < cols; c++) {
        const char *label = h->col_labels ? h->col_labels[c] : NULL;
        if (!label) {
            snprintf(num, sizeof num, "%lld", (long long)c);
            label = num;
        }
        double x = left + cs * ((double)c + 0.5), y = top - 6;
        sb_appendf(sb,
                   "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" transform=\"rotate(-60 %.1f "
                   "%.1f)\">",
                   x, y, x, y);
        xml_escaped(sb, label);
        sb_append(sb, "</text>\n");
    }
    for (int64_t r = 0; r < rows; r++) {
        const char *label = h->row_labels ? h->row_labels[r] : NULL;
        if (!label) {
            snprintf(num, sizeof num, "%lld", (long long)r);
            label = num;
        }
        sb_appendf(sb, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">",
                   left - 6, top + cs * ((double)r + 0.5) + 4);
        xml_escaped(sb, label);
        sb_append(sb, "</text>\n");
        for (int64_t c = 0; c < cols; c++) {
            double v = cell(m, r, c);
            char fill[8];
            bool dark;
            heat_colour(v, lo, hi, fill, &dark);
            double x = left + cs * (double)c, y = top + cs * (double)r;
            sb_appendf(sb,
                       "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                       "<title>%.4g</title></rect>\n",
                       x, y, cs, cs, fill, v);
            if (cols <= 12)
                sb_appendf(sb,
                           "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\" "
                           "fill=\"%s\">%.2f</text>\n",
                           x + cs / 2, y + cs / 2 + 3.5, dark ? "white" : "black", v);
        }
    }
    sb_appendf(sb, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" fill=\"#444\">colour range %.3g to %.3g</text>\n",
               left, top + cs * (double)rows + 24, lo, hi);
    sb_append(sb, "</svg>");
    return sb_check(sb, err);
}
