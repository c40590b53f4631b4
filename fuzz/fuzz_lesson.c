/*
 * fuzz/fuzz_lesson.c — libFuzzer harness for the lesson format (src/lesson.c): the parser
 * and the notebook export. See LICENSE (GPL-3.0-or-later).
 *
 * Input: a lesson file. Checks beyond "no crash, no leak": a lesson that parses has a
 * title, at least one step, and every exercise an id, a check, a hint and a non-empty
 * solution (what lesson.h promises the players); one that does not parse says where
 * ("NAME:LINE: message" or "NAME: ..."). A parsed lesson is exported as a notebook (to
 * /dev/null). A violated check aborts, so libFuzzer records the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512] = "";
    Lesson *l = lesson_parse("01-fuzz", (const char *)data, size, err, sizeof err);
    if (!l) {
        if (strncmp(err, "01-fuzz:", 8) != 0) abort();
        return 0;
    }
    if (!l->title || !l->summary || l->step_count < 1) abort();
    int exercises = 0;
    for (int i = 0; i < l->step_count; i++) {
        const LessonStep *st = &l->steps[i];
        if (!st->prose || st->line < 1) abort();
        if (!st->exercise) continue;
        exercises++;
        if (!st->id || !st->id[0] || st->check_count < 1 || st->hint_count < 1 ||
            !st->solution || !st->solution[0])
            abort();
        for (int k = 0; k < st->explain_count; k++)
            if (!st->explains[k].cond || !st->explains[k].message) abort();
    }
    if (exercises != l->exercise_count) abort();
    if (lesson_to_ipynb(l, "/dev/null", size & 1, err, sizeof err) != 0) abort();
    lesson_free(l);
    return 0;
}
