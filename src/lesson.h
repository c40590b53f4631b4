/*
 * src/lesson.h — lessons: the Jupytext "percent" lesson format, exercise checking on the
 * student's session state, saved progress, and the players (interactive through the
 * magics, non-interactive --play / --check-lesson, notebook export). See LESSONS.md in the
 * design notes and lessons/README.md. See LICENSE (GPL-3.0-or-later).
 *
 * Ownership: lesson_parse/lesson_load return an owned Lesson (free with lesson_free);
 * every string inside belongs to it. Functions taking a Session run code in it through
 * session_run (no magics, no execution count) and report through the sink given.
 *
 * Steps: a lesson is a sequence of steps, shown one at a time with an indicator [k/n]:
 * a demo step is a markdown cell and the code cell that follows it (either may be
 * missing); an exercise step is one exercise cell.
 */
#ifndef EMBEDLAB_LESSON_H
#define EMBEDLAB_LESSON_H

#include <stdbool.h>
#include <stddef.h>

#include "session.h"

typedef struct LessonExplain {
    char *cond;    /* a Python expression */
    char *message; /* shown when cond is false */
} LessonExplain;

typedef struct LessonStep {
    bool exercise;
    int line;           /* 1-based line of the step's first cell marker */
    char *prose;        /* markdown text (comment markers removed), "" when none */
    char *code;         /* demo code, NULL when none (and for exercises) */
    bool raises;        /* the demo ends in an error on purpose (tag "raises") */
    /* exercises */
    char *id;
    char *success;      /* optional confirmation shown on success (`success:`) */
    char **hints;
    int hint_count;
    char **checks;
    int check_count;
    LessonExplain *explains;
    int explain_count;
    char *solution;     /* one or more lines of code */
} LessonStep;

typedef struct Lesson {
    char *name;         /* the file name without directory and .py: "02-padding" */
    char *path;         /* where it was read from ("" when parsed from memory) */
    char *title;
    char *summary;
    LessonStep *steps;
    int step_count;
    int exercise_count;
} Lesson;

/* Parses lesson text (len bytes). NULL on a malformed lesson, with "name:LINE: message"
 * in err (err_size bytes). */
Lesson *lesson_parse(const char *name, const char *text, size_t len, char *err,
                     size_t err_size);
/* Reads and parses a file. */
Lesson *lesson_load(const char *path, char *err, size_t err_size);
void lesson_free(Lesson *l);

/* The lessons directory: $EMBEDLAB_LESSONS, else lessons/ next to the executable's
 * build directory (a checkout), else the installed share/embedlab/lessons. Static
 * storage; NULL when none is found. */
const char *lesson_dir(void);
/* The lesson files' names (without .py), sorted; *count set. Owned array of owned
 * strings: free with lesson_names_free. NULL with *count 0 when there are none. */
char **lesson_names(int *count);
void lesson_names_free(char **names, int count);
/* Finds a lesson by name: "02-padding", "padding" or "2"; loads it. NULL with a message
 * in err when there is none or it does not parse. */
Lesson *lesson_find(const char *name, char *err, size_t err_size);

/* Evaluates check expression `expr` in the session: 1 true, 0 false or raised. */
int lesson_eval_check(Session *s, const char *expr);
/* Index of the first false check of an exercise, or -1 when every check is true. */
int lesson_first_failing_check(Session *s, const LessonStep *ex);
/* The message of the first false explain: condition, or NULL. */
const char *lesson_first_failing_explain(Session *s, const LessonStep *ex);

/* ---- saved progress ($XDG_STATE_HOME/embedlab/progress.json) ---- */

/* The progress file path (static storage; NULL when no home is known). */
const char *lesson_progress_path(void);
/* The saved step (0-based) of a lesson, and whether it was finished. 0 when unknown. */
int lesson_progress_get(const char *lesson, bool *finished, int *solved);
/* Saves the step, finished flag and the solved/skipped exercise count atomically
 * (temporary file + rename). 0 on success. */
int lesson_progress_set(const char *lesson, int step, bool finished, int solved);

/* ---- players ---- */

enum { LESSON_PLAY = 0, LESSON_CHECK = 1 };

/* Plays a lesson non-interactively: prose, demos (echoed, run statement by statement),
 * each exercise's solution, then its checks. LESSON_CHECK also requires every check to
 * be false before its solution runs and every demo to run as its tags say. Writes the
 * transcript and any failures through sink; returns the number of failures. */
int lesson_play(Session *s, const Lesson *l, int mode, const SessionSink *sink);

/* Writes the lesson as a notebook (nbformat 4.5, kernelspec embedlab); with solutions
 * the exercise cells hold them. 0 on success, else a message in err. */
int lesson_to_ipynb(const Lesson *l, const char *out_path, bool solutions, char *err,
                    size_t err_size);

/* %lessons: every lesson with its title and saved progress. Returns a SessionStatus. */
int lesson_list(const SessionSink *sink);

/* ---- the interactive player (driven by the magics, see magic.c) ---- */

typedef struct LessonRun LessonRun;

/* Starts (or resumes at the saved step) the lesson in the session; the state is rebuilt
 * by replaying earlier steps silently. NULL with a message through sink on error. */
LessonRun *lesson_run_start(Session *s, const char *name, const SessionSink *sink);
void lesson_run_free(LessonRun *r);
/* Handles one input while a lesson runs: a control word (Enter/next, hint, skip,
 * solution, back, restart, bye), or code, which runs in the session and is then
 * checked. *done is set when the student left the lesson (bye) or finished it. Returns
 * a SessionStatus. */
int lesson_run_input(LessonRun *r, const char *code, size_t len, const SessionSink *sink,
                     bool *done);
/* "[3/12] " — the step indicator for the prompt (static per run). */
const char *lesson_run_indicator(const LessonRun *r);
/* %check ID: checks an exercise (searched in every lesson) in the session: ✓, or the
 * first failing explain: message and the next hint. Returns a SessionStatus. */
int lesson_check_magic(Session *s, const char *id, int *hint_counter,
                       const SessionSink *sink);

#endif
