/*
 * tests/unit/test_mem.c — the allocation chokepoint (src/core/mem.c): recycling of large
 * freed blocks, and that recycled memory keeps mem_calloc's promise of zeros. (The
 * fault-injection hook and the tensor-byte budget are exercised by every core module's
 * tests.) See LICENSE (GPL-3.0-or-later).
 */
#include "test.h"

#include "core/mem.h"

#if defined(__SANITIZE_ADDRESS__)
#define RECYCLES 0 /* AddressSanitizer builds free every block, to catch uses after free */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RECYCLES 0
#endif
#endif
#ifndef RECYCLES
#define RECYCLES 1
#endif

#define MiB ((size_t)1 << 20)

static void *must_alloc(size_t size) {
    Error err;
    err_clear(&err);
    void *p = mem_alloc(size, &err);
    assert_non_null(p);
    return p;
}

/* A freed block of 4 MiB or more comes back for the next allocation of its size. */
static void test_large_block_is_reused(void **state) {
    (void)state;
    mem_release_recycled();
    void *first = must_alloc(8 * MiB);
    memset(first, 0x5a, 8 * MiB);
    mem_free(first);
    assert_true(RECYCLES ? mem_recycled_bytes() >= 8 * MiB : mem_recycled_bytes() == 0);
    void *second = must_alloc(8 * MiB);
    if (RECYCLES) {
        assert_ptr_equal(second, first);
        assert_int_equal(mem_recycled_bytes(), 0);
    }
    mem_free(second);
    mem_release_recycled();
    assert_int_equal(mem_recycled_bytes(), 0);
}

/* mem_calloc of a recycled (dirty) block returns zeros. */
static void test_calloc_clears_a_recycled_block(void **state) {
    (void)state;
    mem_release_recycled();
    unsigned char *dirty = must_alloc(6 * MiB);
    memset(dirty, 0xff, 6 * MiB);
    mem_free(dirty);
    Error err;
    err_clear(&err);
    unsigned char *clean = mem_calloc(6, MiB, &err);
    assert_non_null(clean);
    if (RECYCLES) assert_ptr_equal(clean, dirty);
    for (size_t i = 0; i < 6 * MiB; i++)
        if (clean[i] != 0) fail_msg("byte %zu of the calloc'ed block is %d", i, clean[i]);
    mem_free(clean);
    mem_release_recycled();
}

/* Small blocks are never held; a held block is not handed out for a request much smaller
 * than itself (nor for a bigger one), and stays held. */
static void test_only_fitting_large_blocks(void **state) {
    (void)state;
    mem_release_recycled();
    mem_free(must_alloc(MiB));
    assert_int_equal(mem_recycled_bytes(), 0);
    void *big = must_alloc(32 * MiB);
    mem_free(big);
    size_t held = mem_recycled_bytes();
    void *small = must_alloc(8 * MiB);
    void *bigger = must_alloc(64 * MiB);
    assert_true(small != big && bigger != big);
    assert_int_equal(mem_recycled_bytes(), held);
    void *fits = must_alloc(30 * MiB); /* within a quarter of the held 32 MiB */
    if (RECYCLES) assert_ptr_equal(fits, big);
    mem_free(fits);
    mem_free(small);
    mem_free(bigger);
    mem_release_recycled();
}

/* At most 4 blocks and 256 MiB are held; the rest go back to the system. (The default
 * tensor limit, 4 GiB, leaves room for them.) */
static void test_recycling_is_bounded(void **state) {
    (void)state;
    mem_release_recycled();
    void *blocks[6];
    for (int i = 0; i < 6; i++) blocks[i] = must_alloc(5 * MiB);
    for (int i = 0; i < 6; i++) mem_free(blocks[i]);
    size_t held = mem_recycled_bytes();
    if (RECYCLES) assert_true(held >= 4 * 5 * MiB && held < 5 * 5 * MiB);
    mem_release_recycled();
    void *huge1 = must_alloc(200 * MiB), *huge2 = must_alloc(200 * MiB);
    mem_free(huge1);
    mem_free(huge2);
    held = mem_recycled_bytes();
    if (RECYCLES) assert_true(held >= 200 * MiB && held < 256 * MiB);
    else assert_int_equal(held, 0);
    mem_release_recycled();
    assert_int_equal(mem_recycled_bytes(), 0);
}

/* Held blocks and live tensors together stay within the tensor limit
 * (EMBEDLAB_MAX_TENSOR_BYTES): a block that would exceed it goes back to the system. */
static void test_recycling_respects_the_tensor_limit(void **state) {
    (void)state;
    mem_release_recycled();
    size_t old_limit = mem_tensor_limit();
    Error err;
    err_clear(&err);
    mem_set_tensor_limit(12 * MiB);
    assert_int_equal(mem_tensor_reserve(6 * MiB, &err), ERR_OK); /* a live 6 MiB tensor */
    mem_free(must_alloc(8 * MiB));                                 /* 6 + 8 > 12 */
    assert_int_equal(mem_recycled_bytes(), 0);
    mem_free(must_alloc(5 * MiB)); /* 6 + 5 <= 12 */
    assert_true(RECYCLES ? mem_recycled_bytes() >= 5 * MiB : mem_recycled_bytes() == 0);
    mem_tensor_release(6 * MiB);
    mem_set_tensor_limit(old_limit);
    mem_release_recycled();
}

/* The fault-injection hook also fails an allocation that a held block could serve. */
static void test_injected_failure_beats_recycling(void **state) {
    (void)state;
    mem_free(must_alloc(8 * MiB));
    Error err;
    err_clear(&err);
    mem_fail_after(0);
    assert_null(mem_alloc(8 * MiB, &err));
    assert_int_equal(err.code, ERR_MEMORY);
    mem_release_recycled();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_large_block_is_reused),
        cmocka_unit_test(test_calloc_clears_a_recycled_block),
        cmocka_unit_test(test_only_fitting_large_blocks),
        cmocka_unit_test(test_recycling_is_bounded),
        cmocka_unit_test(test_recycling_respects_the_tensor_limit),
        cmocka_unit_test(test_injected_failure_beats_recycling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
