/*
 * tests/unit/test_optim.c — the torch.optim update rules (src/core/optim.c): the
 * arithmetic of one step written out by hand in float32 (scalars rounded to float, fused
 * add), momentum buffers, Adam's bias correction, sparse gradients touching only their
 * rows, and the errors. Bit-exact trajectories against PyTorch are in
 * tests/golden/autograd_optim.test. See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include <math.h>

#include "core/optim.h"
#include "core/sparse.h"

static Tensor *f32(int ndim, const int64_t *shape, const double *v) {
    Error err;
    Tensor *t = tensor_from_doubles(DTYPE_FLOAT32, ndim, shape, v, &err);
    assert_non_null(t);
    return t;
}

static float at(const Tensor *t, int64_t i) { return (float)tensor_get(t, i); }

static void test_sgd_plain_and_weight_decay(void **state) {
    (void)state;
    int64_t s[] = {3};
    double pv[] = {1.0, -2.0, 0.3}, gv[] = {0.5, 0.25, -1.7};
    Tensor *p = f32(1, s, pv), *g = f32(1, s, gv);
    Tensor *buf = NULL;
    SgdOptions o = {.lr = 0.1};
    Error err;
    uint64_t version = p->storage->version;
    assert_int_equal(optim_sgd_step(p, g, &buf, &o, &err), ERR_OK);
    assert_null(buf); /* no momentum: no buffer */
    assert_true(p->storage->version > version);
    for (int i = 0; i < 3; i++)
        assert_true(at(p, i) == fmaf((float)gv[i], (float)-0.1, (float)pv[i]));
    /* weight decay: d_p = fma(p, wd, g) */
    Tensor *q = f32(1, s, pv);
    SgdOptions w = {.lr = 0.1, .weight_decay = 0.01};
    assert_int_equal(optim_sgd_step(q, g, &buf, &w, &err), ERR_OK);
    for (int i = 0; i < 3; i++) {
        float d = fmaf((float)pv[i], 0.01f, (float)gv[i]);
        assert_true(at(q, i) == fmaf(d, (float)-0.1, (float)pv[i]));
    }
    tensor_release(p);
    tensor_release(q);
    tensor_release(g);
}

static void test_sgd_momentum(void **state) {
    (void)state;
    int64_t s[] = {2};
    double pv[] = {1.0, 2.0}, gv[] = {0.5, -0.5};
    Tensor *p = f32(1, s, pv), *g = f32(1, s, gv);
    Tensor *buf = NULL;
    SgdOptions o = {.lr = 0.1, .momentum = 0.9, .dampening = 0.5};
    Error err;
    assert_int_equal(optim_sgd_step(p, g, &buf, &o, &err), ERR_OK);
    assert_non_null(buf);
    /* first step: buf = g (no dampening) */
    assert_true(at(buf, 0) == 0.5f && at(buf, 1) == -0.5f);
    Tensor *first = buf;
    assert_int_equal(optim_sgd_step(p, g, &buf, &o, &err), ERR_OK);
    assert_ptr_equal(buf, first); /* updated in place */
    float b0 = fmaf(0.5f, 0.5f, 0.5f * 0.9f);
    assert_true(at(buf, 0) == b0);
    /* nesterov: d_p = fma(buf, m, g) */
    SgdOptions n = {.lr = 0.1, .momentum = 0.9, .nesterov = true};
    Tensor *q = f32(1, s, pv), *nb = NULL;
    assert_int_equal(optim_sgd_step(q, g, &nb, &n, &err), ERR_OK);
    float d = fmaf(0.5f, 0.9f, 0.5f);
    assert_true(at(q, 0) == fmaf(d, (float)-0.1, 1.0f));
    tensor_release(nb);
    tensor_release(q);
    tensor_release(buf);
    tensor_release(p);
    tensor_release(g);
}

static void test_adam_first_steps(void **state) {
    (void)state;
    int64_t s[] = {2};
    double pv[] = {1.0, -1.0}, gv[] = {0.2, -3.0};
    Tensor *p = f32(1, s, pv), *g = f32(1, s, gv);
    Error err;
    Tensor *m = optim_zeros_like(p, &err), *v = optim_zeros_like(p, &err);
    AdamOptions o = {.lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
    assert_int_equal(optim_adam_step(p, g, m, v, NULL, 1.0, &o, &err), ERR_OK);
    /* after bias correction the first step moves each weight by about lr, against the
     * gradient's sign */
    assert_true(fabs(at(p, 0) - 0.99) < 1e-6);
    assert_true(fabs(at(p, 1) - -0.99) < 1e-6);
    assert_true(at(m, 0) == fmaf(0.2f, (float)(1 - 0.9), 0.0f));
    assert_true(fabs(at(v, 1) - 0.009) < 1e-7);
    /* amsgrad keeps the running maximum */
    Tensor *mx = optim_zeros_like(p, &err);
    AdamOptions a = o;
    a.amsgrad = true;
    assert_int_equal(optim_adam_step(p, g, m, v, mx, 2.0, &a, &err), ERR_OK);
    assert_true(at(mx, 1) == at(v, 1));
    Tensor *all[] = {p, g, m, v, mx};
    for (int i = 0; i < 5; i++) tensor_release(all[i]);
}

/* A sparse gradient for rows `rows` of a [4, 2] weight, values 1.0 (duplicates allowed). */
static Tensor *sparse_grad(int n, const int64_t *rows) {
    Error err;
    int64_t is[] = {1, n}, vs[] = {n, 2};
    Tensor *idx = tensor_from_int64s(DTYPE_INT64, 2, is, rows, &err);
    Tensor *val = tensor_ones(DTYPE_FLOAT32, 2, vs, &err);
    int64_t shape[] = {4, 2};
    Tensor *sp = sparse_coo_new(idx, val, 2, shape, false, &err);
    assert_non_null(sp);
    tensor_release(idx);
    tensor_release(val);
    return sp;
}

static void test_sparse_gradients(void **state) {
    (void)state;
    int64_t s[] = {4, 2};
    double pv[] = {1, 2, 3, 4, 5, 6, 7, 8};
    int64_t rows[] = {1, 3, 1};
    Tensor *g = sparse_grad(3, rows);
    Error err;
    /* SGD: rows 0 and 2 untouched; row 1 got two updates */
    Tensor *p = f32(2, s, pv), *buf = NULL;
    SgdOptions o = {.lr = 0.5, .momentum = 0.9};
    assert_int_equal(optim_sgd_step(p, g, &buf, &o, &err), ERR_OK);
    assert_true(sparse_is(buf));
    assert_true(at(p, 0) == 1.0f && at(p, 5) == 6.0f);
    assert_true(at(p, 2) == 2.0f && at(p, 6) == 6.5f);
    tensor_release(buf);
    buf = NULL;
    SgdOptions wd = {.lr = 0.5, .weight_decay = 0.1};
    assert_int_not_equal(optim_sgd_step(p, g, &buf, &wd, &err), ERR_OK);
    assert_string_equal(err.msg, "add(sparse, dense) is not supported. Use add(dense, sparse) instead.");
    /* SparseAdam: only rows 1 and 3 move, in the parameter and both moments */
    Tensor *q = f32(2, s, pv);
    Tensor *m = optim_zeros_like(q, &err), *v = optim_zeros_like(q, &err);
    AdamOptions a = {.lr = 0.01, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8};
    assert_int_equal(optim_sparse_adam_step(q, g, m, v, 1, &a, &err), ERR_OK);
    for (int j = 0; j < 2; j++) {
        assert_true(at(q, 0 + j) == (float)pv[j] && at(m, 0 + j) == 0.0f);
        assert_true(at(q, 4 + j) == (float)pv[4 + j] && at(v, 4 + j) == 0.0f);
        assert_true(at(q, 2 + j) < (float)pv[2 + j] && at(m, 2 + j) > 0.0f);
    }
    /* layouts are checked */
    assert_int_not_equal(optim_adam_step(q, g, m, v, NULL, 1.0, &a, &err), ERR_OK);
    assert_string_equal(err.msg, "Adam does not support sparse gradients, please consider "
                                 "SparseAdam instead");
    Tensor *dense = optim_zeros_like(q, &err);
    assert_int_not_equal(optim_sparse_adam_step(q, dense, m, v, 1, &a, &err), ERR_OK);
    assert_string_equal(err.msg, "SparseAdam does not support dense gradients, please consider "
                                 "Adam instead");
    Tensor *all[] = {g, p, q, m, v, dense};
    for (int i = 0; i < 6; i++) tensor_release(all[i]);
}

static void test_shape_mismatch(void **state) {
    (void)state;
    int64_t s2[] = {2}, s3[] = {3};
    double v[] = {1, 2, 3};
    Tensor *p = f32(1, s2, v), *g = f32(1, s3, v), *buf = NULL;
    SgdOptions o = {.lr = 0.1};
    Error err;
    assert_int_equal(optim_sgd_step(p, g, &buf, &o, &err), ERR_RUNTIME);
    assert_true(at(p, 0) == 1.0f); /* untouched */
    tensor_release(p);
    tensor_release(g);
}

/* Non-contiguous parameters are updated through a copy written back. */
static void test_non_contiguous_param(void **state) {
    (void)state;
    int64_t s[] = {2, 2};
    double v[] = {1, 2, 3, 4}, gv[] = {1, 1, 1, 1};
    Error err;
    Tensor *base = f32(2, s, v);
    Tensor *t = tensor_t(base, &err);
    Tensor *g = f32(2, s, gv), *buf = NULL;
    SgdOptions o = {.lr = 1.0};
    assert_int_equal(optim_sgd_step(t, g, &buf, &o, &err), ERR_OK);
    for (int i = 0; i < 4; i++) assert_true(at(base, i) == (float)v[i] - 1.0f);
    tensor_release(t);
    tensor_release(base);
    tensor_release(g);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sgd_plain_and_weight_decay),
        cmocka_unit_test(test_sgd_momentum),
        cmocka_unit_test(test_adam_first_steps),
        cmocka_unit_test(test_sparse_gradients),
        cmocka_unit_test(test_shape_mismatch),
        cmocka_unit_test(test_non_contiguous_param),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
