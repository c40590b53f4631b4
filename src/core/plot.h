/*
 * src/core/plot.h — small drawings for the embedlab helpers: a labelled scatter plot (word
 * maps after PCA) and a heatmap (similarity matrices), each as Unicode text for terminals
 * and as a self-contained SVG for notebooks. See LICENSE (GPL-3.0-or-later).
 *
 * Deterministic output for the same input (no locale, time or randomness); labels are
 * UTF-8 and are escaped in SVG. Renderers APPEND to the caller's StrBuf and fail only with
 * MemoryError or ValueError for bad arguments.
 */
#ifndef EMBEDLAB_PLOT_H
#define EMBEDLAB_PLOT_H

#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "core/tensor.h"

typedef struct PlotScatter {
    const double *x, *y;          /* n coordinates */
    const char *const *labels;    /* n labels (NULL entries or NULL array: none) */
    int64_t n;
    const char *title;            /* may be NULL */
    const char *xlabel, *ylabel;  /* may be NULL */
} PlotScatter;

/* A frame of `width` x `height` cells (clamped to 20..200 x 5..100) with a ● per point
 * and its label to the right of it (or to the left at the right edge) where it fits
 * without touching another point or label; labels that do not fit are listed below the
 * frame ("not labelled: ..."). Axis labels and ranges are printed under the frame. */
int plot_scatter_text(const PlotScatter *p, int width, int height, StrBuf *sb, Error *err);
/* A 560 x 420 SVG: axes through the frame, one circle and one text per point (with a
 * <title> tooltip giving the coordinates). */
int plot_scatter_svg(const PlotScatter *p, StrBuf *sb, Error *err);

typedef struct PlotHeatmap {
    const Tensor *matrix;         /* 2-D, any numeric dtype */
    const char *const *row_labels; /* rows entries or NULL */
    const char *const *col_labels; /* cols entries or NULL (then numbered) */
    const char *title;            /* may be NULL */
    double vmin, vmax;            /* the colour range; vmin == vmax: the data's range */
} PlotHeatmap;

/* One line per row: the label, then two cells per value shaded with " ░▒▓█" from vmin to
 * vmax; column labels are written vertically above; a scale line follows. */
int plot_heatmap_text(const PlotHeatmap *h, StrBuf *sb, Error *err);
/* An SVG grid of coloured cells (a diverging blue-white-red scale when the range spans 0,
 * else white to blue) with labels, values printed in cells when there are at most 12
 * columns, and a colour bar. */
int plot_heatmap_svg(const PlotHeatmap *h, StrBuf *sb, Error *err);

/* The number of terminal cells of a UTF-8 string (one per code point). */
int64_t plot_text_width(const char *s);

#endif
