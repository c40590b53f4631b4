/*
 * fuzz/fuzz_conn.c — libFuzzer harness: arbitrary bytes as a Jupyter connection file,
 * parsed by conn_parse (the text is not NUL-terminated, so reads past `len` show up under
 * ASan), then every endpoint formatted. Any crash, leak or sanitizer report is a bug;
 * errors are fine. See LICENSE (GPL-3.0-or-later).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* An exact-size copy: the parser must not rely on a terminator. */
    char *text = malloc(size ? size : 1);
    if (!text) return 0;
    if (size) memcpy(text, data, size);
    Conn c;
    Error err;
    err_clear(&err);
    if (conn_parse(text, size, "fuzz.json", &c, &err) == ERR_OK) {
        char endpoint[128];
        for (int ch = 0; ch < CONN_CHANNEL_COUNT; ch++) {
            if (conn_endpoint(&c, (ConnChannel)ch, endpoint, sizeof endpoint) == 0 &&
                strlen(endpoint) >= sizeof endpoint)
                abort(); /* conn_endpoint promised a terminated string that fits */
            (void)conn_channel_name((ConnChannel)ch);
        }
        if (c.ports[CONN_SHELL] < 1 || c.ports[CONN_SHELL] > 65535) abort();
        conn_free(&c);
    }
    free(text);
    return 0;
}
