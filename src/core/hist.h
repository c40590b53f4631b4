/*
 * src/core/hist.h — histograms of tensor values: torch.histc's counts, and drawings of
 * them for terminals (Unicode bars) and notebooks (a small SVG). See LICENSE
 * (GPL-3.0-or-later).
 *
 * hist_counts follows torch.histc of PyTorch 1.13 exactly (bins, range rules, errors,
 * the float arithmetic that assigns a value to a bin). The renderers are embedlab's own:
 * deterministic text for the same counts and edges (no locale, no time, no randomness).
 * Ownership as in tensor.h; renderers APPEND to the caller's StrBuf.
 */
#ifndef EMBEDLAB_HIST_H
#define EMBEDLAB_HIST_H

#include <stdint.h>

#include "core/err.h"
#include "core/strbuf.h"
#include "core/tensor.h"

/* torch.histc(t, bins, min, max): *counts is a new 1-D tensor of `bins` counts with t's
 * dtype. min == max means the data's range (min - 1 .. max + 1 when that range is a single
 * value or the tensor is empty). Values outside the range are not counted; the last bin
 * includes its right edge; a NaN is counted in the first bin (what torch 1.13's kernel
 * ends up doing). *edges (when edges is not NULL) is a new float64
 * tensor of the bins + 1 edges, torch.linspace(lo, hi, bins + 1). Errors (RuntimeError),
 * in torch's order: "torch.histogram(): bins must be > 0, but got 0 for dimension 0",
 * "torch.histc: range of [1, inf] is not finite", "torch.histc: max must be larger than
 * min", "\"linspace_cpu\" not implemented for 'Bool'", "\"histogram_cpu\" not implemented
 * for 'Long'". */
int hist_counts(const Tensor *t, int64_t bins, double min, double max, Tensor **counts,
                Tensor **edges, Error *err);

/* One line per bin, e.g.
 *     [-2.04, -1.36)  █████████▋                               181
 * the range with both edges right-aligned in a common width (the last bin closed: "]"), a
 * bar of at most `width` cells (full blocks plus one of ▏▎▍▌▋▊▉ for the remaining eighths,
 * scaled to the largest count; at least ▏ for a non-empty bin), then the count. width < 1 is taken as 1. counts: 1-D, any dtype;
 * edges: counts + 1 values. ValueError on mismatched sizes; MemoryError. */
int hist_render_text(const Tensor *counts, const Tensor *edges, int width, StrBuf *sb,
                     Error *err);

/* A self-contained 480 x 240 SVG (no scripts, no external references): one bar per bin,
 * x and y axes with labels (the outer and middle edges; 0 and the largest count). Same
 * arguments and errors as hist_render_text. */
int hist_render_svg(const Tensor *counts, const Tensor *edges, StrBuf *sb, Error *err);

#endif
