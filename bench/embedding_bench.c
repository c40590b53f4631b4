/*
 * bench/embedding_bench.c — times the embedding core's hot paths on one thread: the
 * forward lookup of a 50 000 x 300 float32 table with 32 x 100 and 512 x 128 indices,
 * EmbeddingBag sum, mean and max over 4096 bags of 20 (2-D input), and the memcpy limit
 * for the 512 x 128 gather (the same bytes copied by one memcpy; C side only). bench/embedding_bench.py
 * runs the same workloads in PyTorch 1.13; bench/run.sh prints both side by side.
 * See LICENSE (GPL-3.0-or-later).
 *
 * Output: one line per case, "name<TAB>rows<TAB>ns_per_row<TAB>checksum", where rows is
 * the number of table rows read per call and the time is the median over the repeats.
 * The checksum (sum of the output, in double) lets run.sh confirm both sides computed the
 * same thing.
 *
 *   embedding_bench [REPEATS]     (default 31)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/embedding.h"
#include "core/embedding_bag.h"
#include "core/mem.h"
#include "core/rng.h"
#include "core/tensor.h"

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void die(const char *what, const Error *err) {
    fprintf(stderr, "embedding_bench: %s: %s: %s\n", what, err_name(err->code), err->msg);
    exit(1);
}

static double checksum(const Tensor *t) {
    const float *p = (const float *)t->storage->data + t->offset;
    int64_t n = tensor_numel(t);
    double s = 0.0;
    for (int64_t i = 0; i < n; i++) s += p[i];
    return s;
}

typedef enum { CASE_LOOKUP, CASE_BAG_SUM, CASE_BAG_MEAN, CASE_BAG_MAX } CaseKind;

static void run_case(const char *name, CaseKind kind, Tensor *weight, const Tensor *idx,
                     int repeats) {
    Error err;
    err_clear(&err);
    double *times = malloc(sizeof *times * (size_t)repeats);
    if (!times) exit(1);
    double sum = 0.0;
    BagOptions opt = BAG_OPTIONS_INIT;
    opt.mode = kind == CASE_BAG_SUM ? "sum" : kind == CASE_BAG_MAX ? "max" : "mean";
    for (int r = -2; r < repeats; r++) { /* two warm-up calls */
        double t0 = now_ns();
        Tensor *out = kind == CASE_LOOKUP ? emb_forward(weight, idx, false, 0, false, 0, 2, &err)
                                          : bag_forward(weight, idx, &opt, NULL, &err);
        double t1 = now_ns();
        if (!out) die(name, &err);
        if (r == 0) sum = checksum(out);
        tensor_release(out);
        if (r >= 0) times[r] = t1 - t0;
    }
    qsort(times, (size_t)repeats, sizeof *times, cmp_double);
    int64_t rows = tensor_numel(idx);
    printf("%s\t%lld\t%.2f\t%.6e\n", name, (long long)rows, times[repeats / 2] / (double)rows, sum);
    free(times);
}

/* The machine's limit for a gather: one memcpy of as many bytes as lookup_512x128 writes
 * (rows x 300 floats, read from the table), into a buffer from the same allocator as the
 * lookup's output (mem_alloc: huge pages, and after the warm-up calls the block the
 * previous call freed, as for the lookup).
 * Same output line format; the checksum is that of the copied bytes. */
static void memcpy_limit(const char *name, const Tensor *weight, int64_t rows, int repeats) {
    int64_t d = weight->shape[1];
    int64_t table_rows = weight->shape[0];
    size_t row_bytes = (size_t)d * sizeof(float);
    double *times = malloc(sizeof *times * (size_t)repeats);
    if (!times) exit(1);
    double sum = 0.0;
    const char *src = (const char *)weight->storage->data;
    for (int r = -2; r < repeats; r++) {
        double t0 = now_ns();
        float *out = mem_alloc((size_t)rows * row_bytes, NULL);
        if (!out) exit(1);
        /* whole table passes, as contiguous as memory allows */
        for (int64_t done = 0; done < rows; done += table_rows) {
            int64_t n = rows - done < table_rows ? rows - done : table_rows;
            memcpy((char *)out + (size_t)done * row_bytes, src, (size_t)n * row_bytes);
        }
        double t1 = now_ns();
        if (r == 0)
            for (int64_t i = 0; i < rows * d; i++) sum += out[i];
        mem_free(out);
        if (r >= 0) times[r] = t1 - t0;
    }
    qsort(times, (size_t)repeats, sizeof *times, cmp_double);
    printf("%s\t%lld\t%.2f\t%.6e\n", name, (long long)rows, times[repeats / 2] / (double)rows, sum);
    free(times);
}

static Tensor *randint(Generator *g, int ndim, const int64_t *shape, int64_t high) {
    Error err;
    err_clear(&err);
    Tensor *t = tensor_zeros(DTYPE_INT64, ndim, shape, &err);
    if (!t || rng_random_from_to(g, t, 0, high, &err) != ERR_OK) die("randint", &err);
    return t;
}

int main(int argc, char **argv) {
    int repeats = argc > 1 ? atoi(argv[1]) : 31;
    if (repeats < 1) repeats = 1;
    Error err;
    err_clear(&err);
    /* the same tensors as embedding_bench.py: torch.manual_seed(0); randn(50000, 300);
     * then randint(0, 50000, ...) for each index tensor in this order */
    Generator g;
    rng_init(&g, 0);
    int64_t wshape[2] = {50000, 300};
    Tensor *weight = tensor_zeros(DTYPE_FLOAT32, 2, wshape, &err);
    if (!weight || rng_normal_(&g, weight, 0.0, 1.0, &err) != ERR_OK) die("weight", &err);
    int64_t s1[2] = {32, 100}, s2[2] = {512, 128}, s3[2] = {4096, 20};
    Tensor *i1 = randint(&g, 2, s1, 50000);
    Tensor *i2 = randint(&g, 2, s2, 50000);
    Tensor *i3 = randint(&g, 2, s3, 50000);
    run_case("lookup_32x100", CASE_LOOKUP, weight, i1, repeats);
    run_case("lookup_512x128", CASE_LOOKUP, weight, i2, repeats);
    run_case("bag_sum_4096x20", CASE_BAG_SUM, weight, i3, repeats);
    run_case("bag_mean_4096x20", CASE_BAG_MEAN, weight, i3, repeats);
    run_case("bag_max_4096x20", CASE_BAG_MAX, weight, i3, repeats);
    memcpy_limit("memcpy_512x128", weight, tensor_numel(i2), repeats);
    tensor_release(i1);
    tensor_release(i2);
    tensor_release(i3);
    tensor_release(weight);
    return 0;
}
