/*
 * bench/vectors_bench.c — word-vector loading speed and memory (see bench/vectors_bench.sh).
 * See LICENSE (GPL-3.0-or-later).
 *
 *   vectors_bench gen FILE [WORDS [DIM]]   write a GloVe-format file (default 400000 x 300)
 *                                          of deterministic pseudo-random vectors, values
 *                                          with 5 significant digits as glove.6B's
 *   vectors_bench plain FILE [DIM]         the baseline: fgets + strtok + strtof into a
 *                                          growing float array (no word table)
 *   vectors_bench load FILE                embedlab's vec_load (core only)
 *
 * The timed modes print one line: "name<TAB>seconds<TAB>peak RSS MiB<TAB>rows<TAB>matrix MiB".
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/vectors.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double peak_mib(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux: KiB */
}

/* xorshift64* and Box-Muller: deterministic values without the core's generator. */
static uint64_t state = 88172645463325252ull;
static double uniform(void) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return (double)((state * 2685821657736338717ull) >> 11) * 0x1p-53;
}

static int gen(const char *path, long words, long dim) {
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    static const char letters[] = "etaoinshrdlcumwfgypbvkjxqz";
    char word[32];
    for (long i = 0; i < words; i++) {
        /* A pronounceable-ish unique word: letters from the index, 2..12 characters. */
        long n = i;
        int len = 0;
        do {
            word[len++] = letters[n % 26];
            n /= 26;
        } while (n > 0);
        /* Unique: the letters of the index, then (after a '-') 0..5 random letters. */
        int extra = (int)(uniform() * 6);
        if (extra) word[len++] = '-';
        for (int k = 0; k < extra; k++) word[len++] = letters[(int)(uniform() * 26)];
        word[len] = '\0';
        fputs(word, f);
        for (long k = 0; k < dim; k++) {
            double u1 = uniform(), u2 = uniform();
            double v = sqrt(-2.0 * log(u1 + 1e-300)) * cos(6.283185307179586 * u2) * 0.4;
            fprintf(f, " %.5g", v);
        }
        fputc('\n', f);
    }
    return fclose(f) ? 1 : 0;
}

static int plain(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return 1;
    }
    double t0 = now();
    static char line[1 << 16];
    size_t cap = 1 << 20, n = 0;
    float *data = malloc(cap * sizeof *data);
    long rows = 0, dim = 0;
    while (fgets(line, sizeof line, f)) {
        char *save;
        char *tok = strtok_r(line, " \n", &save); /* the word */
        if (!tok) continue;
        long d = 0;
        while ((tok = strtok_r(NULL, " \n", &save)) != NULL) {
            if (n == cap) {
                cap *= 2;
                data = realloc(data, cap * sizeof *data);
            }
            data[n++] = strtof(tok, NULL);
            d++;
        }
        dim = d;
        rows++;
    }
    double t = now() - t0;
    fclose(f);
    printf("plain fgets+strtof\t%.3f\t%.0f\t%ld\t%.0f\n", t, peak_mib(), rows,
           (double)rows * (double)dim * 4 / 1048576.0);
    free(data);
    return 0;
}

static int load(const char *path) {
    VecLoadOptions o;
    vec_load_options_init(&o);
    VecLoad r;
    Error err;
    double t0 = now();
    if (vec_load(path, &o, &r, &err)) {
        fprintf(stderr, "%s: %s\n", err_name(err.code), err.msg);
        return 1;
    }
    double t = now() - t0;
    printf("embedlab vec_load\t%.3f\t%.0f\t%lld\t%.0f\n", t, peak_mib(), (long long)r.count,
           (double)r.count * (double)r.dim * 4 / 1048576.0);
    vec_load_free(&r);
    return 0;
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "gen") == 0)
        return gen(argv[2], argc > 3 ? atol(argv[3]) : 400000, argc > 4 ? atol(argv[4]) : 300);
    if (argc >= 3 && strcmp(argv[1], "plain") == 0) return plain(argv[2]);
    if (argc >= 3 && strcmp(argv[1], "load") == 0) return load(argv[2]);
    fprintf(stderr, "usage: vectors_bench gen FILE [WORDS [DIM]] | plain FILE | load FILE\n");
    return 2;
}
