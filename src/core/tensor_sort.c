/*
 * src/core/tensor_sort.c — sort and topk along a dim (declared in tensor_reduce.h).
 * See LICENSE (GPL-3.0-or-later).
 *
 * Lines are ordered by replaying the libstdc++ algorithms ATen 1.13 calls (std::sort for
 * sort, partial_sort / nth_element for topk), so equal values come out in torch's order.
 * NaN sorts above every number, as in torch: last ascending, first descending.
 */
#include "core/tensor_reduce.h"

#include <math.h>
#include <string.h>

#include "core/mem.h"

typedef struct SortItem {
    double v;   /* float values */
    int64_t iv; /* int/bool values */
    int64_t idx;
} SortItem;

/* True when a must come before b (strictly). */
static bool item_before(const SortItem *a, const SortItem *b, bool fl, bool descending) {
    if (fl) {
        bool an = isnan(a->v), bn = isnan(b->v);
        if (descending) return (an && !bn) || (!an && !bn && a->v > b->v);
        return (!an && bn) || (!an && !bn && a->v < b->v);
    }
    return descending ? a->iv > b->iv : a->iv < b->iv;
}

/* ---- libstdc++'s algorithms, replayed so that equal values end up in the same order as
 * in torch (std::sort is introsort: not stable) ---- */

typedef struct Cmp {
    bool fl, descending;
} Cmp;

static inline bool lt(const Cmp *c, const SortItem *a, const SortItem *b) {
    return item_before(a, b, c->fl, c->descending);
}

static inline void swap_items(SortItem *a, SortItem *b) {
    SortItem t = *a;
    *a = *b;
    *b = t;
}

static int64_t floor_log2(int64_t n) {
    int64_t k = 0;
    while (n >>= 1) k++;
    return k;
}

static void push_heap(SortItem *first, int64_t hole, int64_t top, SortItem value, const Cmp *c) {
    int64_t parent = (hole - 1) / 2;
    while (hole > top && lt(c, &first[parent], &value)) {
        first[hole] = first[parent];
        hole = parent;
        parent = (hole - 1) / 2;
    }
    first[hole] = value;
}

static void adjust_heap(SortItem *first, int64_t hole, int64_t len, SortItem value, const Cmp *c) {
    int64_t top = hole, child = hole;
    while (child < (len - 1) / 2) {
        child = 2 * (child + 1);
        if (lt(c, &first[child], &first[child - 1])) child--;
        first[hole] = first[child];
        hole = child;
    }
    if ((len & 1) == 0 && child == (len - 2) / 2) {
        child = 2 * (child + 1);
        first[hole] = first[child - 1];
        hole = child - 1;
    }
    push_heap(first, hole, top, value, c);
}

static void make_heap(SortItem *first, int64_t len, const Cmp *c) {
    if (len < 2) return;
    for (int64_t parent = (len - 2) / 2;; parent--) {
        adjust_heap(first, parent, len, first[parent], c);
        if (parent == 0) return;
    }
}

static void pop_heap(SortItem *first, int64_t len, SortItem *result, const Cmp *c) {
    SortItem value = *result;
    *result = *first;
    adjust_heap(first, 0, len, value, c);
}

static void heap_select(SortItem *first, int64_t middle, int64_t last, const Cmp *c) {
    make_heap(first, middle, c);
    for (int64_t i = middle; i < last; i++)
        if (lt(c, &first[i], &first[0])) pop_heap(first, middle, &first[i], c);
}

static void sort_heap(SortItem *first, int64_t len, const Cmp *c) {
    while (len > 1) {
        len--;
        pop_heap(first, len, &first[len], c);
    }
}

static void partial_sort(SortItem *first, int64_t middle, int64_t last, const Cmp *c) {
    heap_select(first, middle, last, c);
    sort_heap(first, middle, c);
}

static void move_median_to_first(SortItem *result, SortItem *a, SortItem *b, SortItem *cc,
                                 const Cmp *c) {
    if (lt(c, a, b)) {
        if (lt(c, b, cc)) swap_items(result, b);
        else if (lt(c, a, cc)) swap_items(result, cc);
        else swap_items(result, a);
    } else if (lt(c, a, cc)) {
        swap_items(result, a);
    } else if (lt(c, b, cc)) {
        swap_items(result, cc);
    } else {
        swap_items(result, b);
    }
}

static int64_t unguarded_partition(SortItem *v, int64_t first, int64_t last, const SortItem *pivot,
                                   const Cmp *c) {
    for (;;) {
        while (lt(c, &v[first], pivot)) first++;
        last--;
        while (lt(c, pivot, &v[last])) last--;
        if (!(first < last)) return first;
        swap_items(&v[first], &v[last]);
        first++;
    }
}

static int64_t partition_pivot(SortItem *v, int64_t first, int64_t last, const Cmp *c) {
    int64_t mid = first + (last - first) / 2;
    move_median_to_first(&v[first], &v[first + 1], &v[mid], &v[last - 1], c);
    return unguarded_partition(v, first + 1, last, &v[first], c);
}

static void unguarded_linear_insert(SortItem *v, int64_t last, const Cmp *c) {
    SortItem val = v[last];
    int64_t next = last - 1;
    while (lt(c, &val, &v[next])) {
        v[last] = v[next];
        last = next;
        next--;
    }
    v[last] = val;
}

static void insertion_sort(SortItem *v, int64_t first, int64_t last, const Cmp *c) {
    if (first == last) return;
    for (int64_t i = first + 1; i < last; i++) {
        if (lt(c, &v[i], &v[first])) {
            SortItem val = v[i];
            memmove(&v[first + 1], &v[first], sizeof(SortItem) * (size_t)(i - first));
            v[first] = val;
        } else {
            unguarded_linear_insert(v, i, c);
        }
    }
}

enum { SORT_THRESHOLD = 16 };

static void introsort_loop(SortItem *v, int64_t first, int64_t last, int64_t depth, const Cmp *c) {
    while (last - first > SORT_THRESHOLD) {
        if (depth == 0) {
            partial_sort(v + first, last - first, last - first, c);
            return;
        }
        depth--;
        int64_t cut = partition_pivot(v, first, last, c);
        introsort_loop(v, cut, last, depth, c);
        last = cut;
    }
}

/* std::sort(v, v + n, comp). */
static void std_sort(SortItem *v, int64_t n, const Cmp *c) {
    if (n <= 1) return;
    introsort_loop(v, 0, n, floor_log2(n) * 2, c);
    if (n > SORT_THRESHOLD) {
        insertion_sort(v, 0, SORT_THRESHOLD, c);
        for (int64_t i = SORT_THRESHOLD; i < n; i++) unguarded_linear_insert(v, i, c);
    } else {
        insertion_sort(v, 0, n, c);
    }
}

/* std::nth_element(v, v + nth, v + n, comp). */
static void std_nth_element(SortItem *v, int64_t nth, int64_t n, const Cmp *c) {
    if (n == 0 || nth == n) return;
    int64_t first = 0, last = n, depth = floor_log2(n) * 2;
    while (last - first > 3) {
        if (depth == 0) {
            heap_select(v + first, nth + 1 - first, last - first, c);
            swap_items(&v[first], &v[nth]);
            return;
        }
        depth--;
        int64_t cut = partition_pivot(v, first, last, c);
        if (cut <= nth) first = cut;
        else last = cut;
    }
    insertion_sort(v, first, last, c);
}

/* Sorts every line of t along dim and writes the first `keep` items of each into values
 * and indices (whose dim has size keep). */
/* How a line is ordered: all of it with std::sort (torch.sort), or ATen's topk_impl_loop
 * (partial_sort when k * 64 <= n, else nth_element then, if sorted, std::sort of the first
 * k - 1). */
typedef struct LineOrder {
    bool descending;
    bool topk, sorted;
} LineOrder;

static void order_line(SortItem *items, int64_t n, int64_t k, const LineOrder *lo, bool fl) {
    Cmp c = {fl, lo->descending};
    if (!lo->topk) {
        std_sort(items, n, &c);
    } else if (k * 64 <= n) {
        partial_sort(items, k, n, &c);
    } else if (k > 0) {
        std_nth_element(items, k - 1, n, &c);
        if (lo->sorted) std_sort(items, k - 1, &c);
    }
}

static int sort_lines(const Tensor *t, int d, const LineOrder *lo, int64_t keep, Tensor *values,
                      Tensor *indices, Error *err) {
    int64_t size = t->ndim ? t->shape[d] : 1, stride = t->ndim ? t->stride[d] : 0;
    int64_t ostride = t->ndim ? values->stride[d] : 0;
    SortItem *items = mem_alloc(sizeof(SortItem) * (size_t)(size > 0 ? size : 1), err);
    if (!items) return ERR_MEMORY;
    bool fl = dtype_is_floating(t->dtype);
    int64_t outer[TENSOR_MAX_DIMS], istr[TENSOR_MAX_DIMS], vstr[TENSOR_MAX_DIMS],
        pos[TENSOR_MAX_DIMS] = {0};
    int no = 0;
    int64_t nlines = 1;
    for (int k = 0; k < t->ndim; k++)
        if (k != d) {
            outer[no] = t->shape[k];
            istr[no] = t->stride[k];
            vstr[no++] = values->stride[k];
            nlines *= t->shape[k];
        }
    if (size == 0) nlines = 0;
    int64_t ib = t->offset, ob = 0;
    for (int64_t line = 0; line < nlines; line++) {
        for (int64_t i = 0; i < size; i++) {
            int64_t off = ib + i * stride;
            items[i].idx = i;
            if (fl) items[i].v = tensor_load(t, off);
            else items[i].iv = tensor_load_int(t, off);
        }
        order_line(items, size, keep, lo, fl);
        for (int64_t i = 0; i < keep; i++) {
            int64_t o = ob + i * ostride;
            if (fl) tensor_store(values, o, items[i].v);
            else tensor_store_int(values, o, items[i].iv);
            tensor_store_int(indices, o, items[i].idx);
        }
        for (int k = no - 1; k >= 0; k--) {
            pos[k]++;
            ib += istr[k];
            ob += vstr[k];
            if (pos[k] < outer[k]) break;
            ib -= istr[k] * outer[k];
            ob -= vstr[k] * outer[k];
            pos[k] = 0;
        }
    }
    mem_free(items);
    return ERR_OK;
}

static int sort_common(const Tensor *t, int d, const LineOrder *lo, int64_t keep, Tensor **values,
                       Tensor **indices, Error *err) {
    int64_t shape[TENSOR_MAX_DIMS];
    memcpy(shape, t->shape, sizeof(int64_t) * (size_t)t->ndim);
    if (t->ndim) shape[d] = keep;
    Tensor *v = tensor_zeros(t->dtype, t->ndim, shape, err);
    if (!v) return ERR_MEMORY;
    Tensor *ix = tensor_zeros(DTYPE_INT64, t->ndim, shape, err);
    if (!ix) {
        tensor_release(v);
        return ERR_MEMORY;
    }
    if (sort_lines(t, d, lo, keep, v, ix, err) != ERR_OK) {
        tensor_release(v);
        tensor_release(ix);
        return ERR_MEMORY;
    }
    *values = v;
    *indices = ix;
    return ERR_OK;
}

int tensor_sort(const Tensor *t, int64_t dim, bool descending, Tensor **values,
                Tensor **indices, Error *err) {
    int d;
    if (tensor_wrap_dim(dim, t->ndim, &d, err) != ERR_OK) return ERR_INDEX;
    LineOrder lo = {descending, false, true};
    return sort_common(t, d, &lo, t->ndim ? t->shape[d] : 1, values, indices, err);
}

int tensor_topk(const Tensor *t, int64_t k, int64_t dim, bool largest, bool sorted,
                Tensor **values, Tensor **indices, Error *err) {
    int d;
    if (tensor_wrap_dim(dim, t->ndim, &d, err) != ERR_OK) return ERR_INDEX;
    int64_t size = t->ndim ? t->shape[d] : 1;
    if (k < 0 || k > size)
        return err_set(err, ERR_RUNTIME, "selected index k out of range");
    LineOrder lo = {largest, true, sorted};
    return sort_common(t, d, &lo, k, values, indices, err);
}
