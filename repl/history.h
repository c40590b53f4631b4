/*
 * repl/history.h — the REPL's persistent history file. See LICENSE (GPL-3.0-or-later).
 *
 * File format: a header line "# embedlab history 1", then one entry per line with
 * backslash, newline and carriage return escaped as "\\", "\n" and "\r", so multi-line
 * entries (a `for` block, a pasted cell) stay one entry across restarts. A file without
 * the header (a plain readline history) is read one raw line per entry.
 *
 * Writes are safe against crashes and concurrent REPLs: under an exclusive fcntl lock on
 * "PATH.lock", the current file is read, this session's new entries are appended (an entry
 * equal to the one before it is dropped), the result is capped to the newest `max`
 * entries, written to "PATH.tmp.PID" with mode 0600, flushed and renamed over PATH.
 * Readers therefore always see a complete old or new file.
 *
 * Ownership: strings and arrays returned are malloc'ed; free lists with hist_list_free.
 */
#ifndef EMBEDLAB_REPL_HISTORY_H
#define EMBEDLAB_REPL_HISTORY_H

#include <stddef.h>

#define HIST_DEFAULT_SIZE 1000
#define HIST_HEADER "# embedlab history 1"

typedef struct HistList {
    char **items;
    int count, cap;
} HistList;

/* The history file's path: "$XDG_STATE_HOME/embedlab/history" when xdg_state_home is an
 * absolute path, else "$HOME/.local/state/embedlab/history"; NULL when home is NULL or
 * empty too (no persistent history). */
char *hist_path(const char *xdg_state_home, const char *home);

/* The cap from EMBEDLAB_HISTSIZE's value: NULL, empty or not a non-negative integer →
 * HIST_DEFAULT_SIZE; 0 disables the history file; capped at 1000000. */
int hist_size(const char *value);

/* One entry as one line of the file (no newline), and back. */
char *hist_encode(const char *entry);
char *hist_decode(const char *line, size_t len);

/* Appends a copy of entry; -1 on allocation failure. */
int hist_list_add(HistList *l, const char *entry);
void hist_list_free(HistList *l);

/* Reads the newest `max` entries of the file at path into *out (emptied first). A missing
 * file is 0 entries. Returns 0, or -1 with errno set. */
int hist_load(const char *path, int max, HistList *out);

/* Adds entries to the file at path as described above, creating its directory (mode
 * 0700) when missing. max <= 0 writes nothing. Returns 0, or -1 with errno set (EAGAIN
 * when another process held the lock for more than two seconds). */
int hist_append(const char *path, const char *const *entries, int count, int max);

#endif
