/*
 * src/lang/set.c — Python's set, with CPython 3.11's hash table (setobject.c): the same
 * probing (9 linear probes, then perturbation), fill limit (3/5) and growth, so a set
 * iterates — and prints — in the order CPython's does for values whose hashes match
 * Python's (ints, floats, bools, tuples of them). See LICENSE (GPL-3.0-or-later).
 */
#include "lang/set.h"

#include <string.h>

#include "core/mem.h"
#include "lang/builtins.h"
#include "lang/exceptions.h"
#include "lang/ops.h"

#define SET_MINSIZE 8
#define LINEAR_PROBES 9
#define PERTURB_SHIFT 5

typedef struct SetEntry {
    Value *key; /* NULL: never used; &dummy_key: deleted */
    int64_t hash;
} SetEntry;

typedef struct SetValue {
    Value base;
    SetEntry *table;
    size_t mask;  /* table size - 1 */
    int64_t fill; /* active + dummy entries */
    int64_t used; /* active entries */
} SetValue;

static Value dummy_key; /* marks deleted slots */

#define ACTIVE(e) ((e)->key != NULL && (e)->key != &dummy_key)

static SetValue *as_set(Value *v) { return (SetValue *)v; }

bool val_is_set(const Value *v) { return v && val_is(v, &type_set); }

int64_t set_size(Value *set) { return as_set(set)->used; }

static void set_clear_entries(SetValue *s) {
    SetEntry *table = s->table;
    size_t n = s->table ? s->mask + 1 : 0;
    s->table = NULL;
    s->mask = 0;
    s->fill = s->used = 0;
    for (size_t i = 0; i < n; i++)
        if (ACTIVE(&table[i])) val_release(table[i].key);
    mem_free(table);
}

static void destroy_set(Value *self) { set_clear_entries(as_set(self)); }

static int ensure_table(Interp *I, SetValue *s) {
    if (s->table) return 0;
    s->table = mem_calloc(SET_MINSIZE, sizeof *s->table, &I->error);
    if (!s->table) return -1;
    s->mask = SET_MINSIZE - 1;
    return 0;
}

/* set_insert_clean: the key is known to be absent and the table has no dummies. */
static void insert_clean(SetEntry *table, size_t mask, Value *key, int64_t hash) {
    size_t perturb = (size_t)hash;
    size_t i = (size_t)hash & mask;
    for (;;) {
        SetEntry *entry = &table[i];
        if (entry->key == NULL) goto found;
        if (i + LINEAR_PROBES <= mask) {
            for (int j = 0; j < LINEAR_PROBES; j++) {
                entry++;
                if (entry->key == NULL) goto found;
            }
        }
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + 1 + perturb) & mask;
        continue;
    found:
        entry->key = key;
        entry->hash = hash;
        return;
    }
}

static int table_resize(Interp *I, SetValue *s, int64_t minused) {
    size_t newsize = SET_MINSIZE;
    while (newsize <= (size_t)minused) newsize <<= 1;
    SetEntry *fresh = mem_calloc(newsize, sizeof *fresh, &I->error);
    if (!fresh) return -1;
    SetEntry *old = s->table;
    size_t oldsize = old ? s->mask + 1 : 0;
    for (size_t i = 0; i < oldsize; i++)
        if (ACTIVE(&old[i])) insert_clean(fresh, newsize - 1, old[i].key, old[i].hash);
    mem_free(old);
    s->table = fresh;
    s->mask = newsize - 1;
    s->fill = s->used;
    return 0;
}

/* Finds key: its active entry, or NULL when absent. -1 via *failed on a comparison error. */
static SetEntry *lookup(Interp *I, SetValue *s, Value *key, int64_t hash, bool *failed) {
    *failed = false;
    if (!s->table) return NULL;
    size_t mask = s->mask, perturb = (size_t)hash, i = (size_t)hash & mask;
    for (;;) {
        SetEntry *entry = &s->table[i];
        int probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
        do {
            if (entry->key == NULL) return NULL;
            if (entry->hash == hash && entry->key != &dummy_key) {
                if (entry->key == key) return entry;
                int eq = val_equal(I, entry->key, key);
                if (eq < 0) {
                    *failed = true;
                    return NULL;
                }
                if (eq) return entry;
            }
            entry++;
        } while (probes--);
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + 1 + perturb) & mask;
    }
}

/* set_add_entry: adds key (retained) unless an equal key is present. */
static int add_entry(Interp *I, SetValue *s, Value *key, int64_t hash) {
    if (ensure_table(I, s)) return -1;
    size_t mask = s->mask, perturb = (size_t)hash, i = (size_t)hash & mask;
    SetEntry *freeslot = NULL, *entry;
    for (;;) {
        entry = &s->table[i];
        int probes = i + LINEAR_PROBES <= mask ? LINEAR_PROBES : 0;
        do {
            if (entry->key == NULL) goto found_unused_or_dummy;
            if (entry->hash == hash && entry->key != &dummy_key) {
                if (entry->key == key) return 0;
                int eq = val_equal(I, entry->key, key);
                if (eq < 0) return -1;
                if (eq) return 0;
            } else if (entry->key == &dummy_key && !freeslot) {
                freeslot = entry;
            }
            entry++;
        } while (probes--);
        perturb >>= PERTURB_SHIFT;
        i = (i * 5 + 1 + perturb) & mask;
    }
found_unused_or_dummy:
    if (freeslot) {
        s->used++;
        freeslot->key = val_retain(key);
        freeslot->hash = hash;
        return 0;
    }
    s->fill++;
    s->used++;
    entry->key = val_retain(key);
    entry->hash = hash;
    if ((size_t)s->fill * 5 < mask * 3) return 0;
    return table_resize(I, s, s->used > 50000 ? s->used * 2 : s->used * 4);
}

int set_add(Interp *I, Value *set, Value *key) {
    int64_t hash = val_hash(I, key);
    if (hash == -1 && interp_has_error(I)) return -1;
    return add_entry(I, as_set(set), key, hash);
}

int set_contains(Interp *I, Value *set, Value *key) {
    int64_t hash = val_hash(I, key);
    if (hash == -1 && interp_has_error(I)) return -1;
    bool failed;
    SetEntry *e = lookup(I, as_set(set), key, hash, &failed);
    return failed ? -1 : e != NULL;
}

/* 1 removed, 0 absent, -1 error. */
static int discard(Interp *I, SetValue *s, Value *key) {
    int64_t hash = val_hash(I, key);
    if (hash == -1 && interp_has_error(I)) return -1;
    bool failed;
    SetEntry *e = lookup(I, s, key, hash, &failed);
    if (failed) return -1;
    if (!e) return 0;
    Value *old = e->key;
    e->key = &dummy_key;
    e->hash = -1;
    s->used--;
    val_release(old);
    return 1;
}

Value *set_new(Interp *I) { return val_alloc(I, &type_set, sizeof(SetValue)); }

/* set_merge: adds every key of another set, as CPython does (one resize up front; an
 * empty target copies the other's layout). */
static int merge(Interp *I, SetValue *s, SetValue *other) {
    if (other == s || other->used == 0) return 0;
    if (ensure_table(I, s)) return -1;
    if ((size_t)(s->fill + other->used) * 5 >= s->mask * 3 &&
        table_resize(I, s, (s->used + other->used) * 2))
        return -1;
    if (s->fill == 0 && s->mask == other->mask && other->fill == other->used) {
        for (size_t i = 0; i <= other->mask; i++) {
            if (!ACTIVE(&other->table[i])) continue;
            s->table[i].key = val_retain(other->table[i].key);
            s->table[i].hash = other->table[i].hash;
        }
        s->fill = s->used = other->used;
        return 0;
    }
    if (s->fill == 0) {
        for (size_t i = 0; i <= other->mask; i++) {
            if (!ACTIVE(&other->table[i])) continue;
            insert_clean(s->table, s->mask, val_retain(other->table[i].key), other->table[i].hash);
        }
        s->fill = s->used = other->used;
        return 0;
    }
    for (size_t i = 0; i <= other->mask; i++)
        if (ACTIVE(&other->table[i]) &&
            add_entry(I, s, other->table[i].key, other->table[i].hash))
            return -1;
    return 0;
}

int set_update(Interp *I, Value *set, Value *iterable) {
    if (val_is_set(iterable)) return merge(I, as_set(set), as_set(iterable));
    Value *it = op_iter(I, iterable);
    if (!it) return -1;
    int rc = 0;
    for (;;) {
        Value *x = op_next(I, it);
        if (!x) {
            rc = interp_has_error(I) ? -1 : 0;
            break;
        }
        rc = set_add(I, set, x);
        val_release(x);
        if (rc) break;
    }
    val_release(it);
    return rc;
}

static Value *set_copy(Interp *I, Value *set) {
    Value *r = set_new(I);
    if (r && merge(I, as_set(r), as_set(set))) {
        val_release(r);
        return NULL;
    }
    return r;
}

/* ---- iteration ---- */

typedef struct SetIter {
    Value base;
    Value *set;   /* owned; NULL when exhausted */
    size_t pos;
    int64_t used; /* the set's size when iteration began (-1 after a change) */
} SetIter;

static void destroy_setiter(Value *v) {
    SetIter *it = (SetIter *)v;
    Value *s = it->set;
    it->set = NULL;
    val_release(s);
}

static Value *iter_self(Interp *I, Value *v) {
    (void)I;
    return val_retain(v);
}

static Value *next_setiter(Interp *I, Value *v) {
    SetIter *it = (SetIter *)v;
    if (!it->set) return NULL;
    SetValue *s = as_set(it->set);
    if (it->used != s->used) { /* CPython's check: the size, not the content */
        interp_error(I, ERR_RUNTIME, "Set changed size during iteration");
        it->used = -1;
        return NULL;
    }
    while (s->table && it->pos <= s->mask && !ACTIVE(&s->table[it->pos])) it->pos++;
    if (!s->table || it->pos > s->mask) {
        destroy_setiter(v);
        return NULL;
    }
    return val_retain(s->table[it->pos++].key);
}

static const ValueType type_set_iterator = {.name = "set_iterator",
                                            .destroy = destroy_setiter,
                                            .clear = destroy_setiter,
                                            .iter = iter_self,
                                            .next = next_setiter};

static Value *iter_set(Interp *I, Value *self) {
    SetIter *it = (SetIter *)val_alloc(I, &type_set_iterator, sizeof *it);
    if (!it) return NULL;
    it->set = val_retain(self);
    it->used = as_set(self)->used;
    return (Value *)it;
}

/* ---- slots ---- */

static int repr_set(Interp *I, Value *self, StrBuf *out) {
    SetValue *s = as_set(self);
    if (s->used == 0) {
        sb_append(out, "set()");
        return 0;
    }
    sb_appendc(out, '{');
    bool first = true;
    for (size_t i = 0; i <= s->mask; i++) {
        if (!ACTIVE(&s->table[i])) continue;
        if (!first) sb_append(out, ", ");
        first = false;
        Value *key = val_retain(s->table[i].key);
        int rc = val_repr(I, key, out);
        val_release(key);
        if (rc) return -1;
    }
    sb_appendc(out, '}');
    return 0;
}

static int64_t length_set(Interp *I, Value *self) {
    (void)I;
    return as_set(self)->used;
}

static int truth_set(Interp *I, Value *self) {
    (void)I;
    return as_set(self)->used != 0;
}

static int contains_set(Interp *I, Value *self, Value *item) { return set_contains(I, self, item); }

/* Is every key of a in b? */
static int is_subset(Interp *I, Value *a, Value *b) {
    SetValue *s = as_set(a);
    if (s->used > as_set(b)->used) return 0;
    for (size_t i = 0; s->table && i <= s->mask; i++) {
        if (!ACTIVE(&s->table[i])) continue;
        bool failed;
        SetEntry *e = lookup(I, as_set(b), s->table[i].key, s->table[i].hash, &failed);
        if (failed) return -1;
        if (!e) return 0;
    }
    return 1;
}

static Value *intersection(Interp *I, Value *a, Value *b) {
    Value *result = set_new(I);
    if (!result) return NULL;
    if (as_set(b)->used > as_set(a)->used) {
        Value *t = a;
        a = b;
        b = t;
    }
    SetValue *other = as_set(b);
    for (size_t i = 0; other->table && i <= other->mask; i++) {
        if (!ACTIVE(&other->table[i])) continue;
        bool failed;
        SetEntry *e = lookup(I, as_set(a), other->table[i].key, other->table[i].hash, &failed);
        if (failed || (e && add_entry(I, as_set(result), other->table[i].key, other->table[i].hash))) {
            val_release(result);
            return NULL;
        }
    }
    return result;
}

static Value *difference(Interp *I, Value *a, Value *b) {
    Value *result = set_new(I);
    if (!result) return NULL;
    SetValue *s = as_set(a);
    for (size_t i = 0; s->table && i <= s->mask; i++) {
        if (!ACTIVE(&s->table[i])) continue;
        bool failed;
        SetEntry *e = lookup(I, as_set(b), s->table[i].key, s->table[i].hash, &failed);
        if (failed || (!e && add_entry(I, as_set(result), s->table[i].key, s->table[i].hash))) {
            val_release(result);
            return NULL;
        }
    }
    return result;
}

static Value *symmetric_difference(Interp *I, Value *a, Value *b) {
    Value *result = set_copy(I, a);
    if (!result) return NULL;
    SetValue *other = as_set(b);
    for (size_t i = 0; other->table && i <= other->mask; i++) {
        if (!ACTIVE(&other->table[i])) continue;
        int rc = discard(I, as_set(result), other->table[i].key);
        if (rc == 0) rc = add_entry(I, as_set(result), other->table[i].key, other->table[i].hash);
        if (rc < 0) {
            val_release(result);
            return NULL;
        }
    }
    return result;
}

static Value *binary_set(Interp *I, PyOp op, Value *a, Value *b, bool reflected) {
    (void)reflected;
    bool inplace = op >= PYOP_COUNT;
    if (inplace) op = (PyOp)(op - PYOP_COUNT);
    if (!val_is_set(a) || !val_is_set(b)) return val_not_implemented(I);
    Value *r;
    switch (op) {
    case PYOP_OR:
        r = set_copy(I, a);
        if (r && merge(I, as_set(r), as_set(b))) {
            val_release(r);
            r = NULL;
        }
        return r;
    case PYOP_AND: return intersection(I, a, b);
    case PYOP_SUB: return difference(I, a, b);
    case PYOP_XOR: return symmetric_difference(I, a, b);
    default: return val_not_implemented(I);
    }
}

static Value *compare_set(Interp *I, PyCmp op, Value *a, Value *b) {
    if (!val_is_set(b)) return val_not_implemented(I);
    int64_t na = as_set(a)->used, nb = as_set(b)->used;
    int r;
    switch (op) {
    case PYCMP_EQ:
    case PYCMP_NE:
        r = na == nb ? is_subset(I, a, b) : 0;
        if (r < 0) return NULL;
        return val_bool(I, op == PYCMP_EQ ? r : !r);
    case PYCMP_LE: r = is_subset(I, a, b); break;
    case PYCMP_GE: r = is_subset(I, b, a); break;
    case PYCMP_LT: r = na < nb ? is_subset(I, a, b) : 0; break;
    case PYCMP_GT: r = na > nb ? is_subset(I, b, a) : 0; break;
    default: return val_not_implemented(I);
    }
    return r < 0 ? NULL : val_bool(I, r);
}

/* ---- methods ---- */

/* The argument as a set: itself, or a new set of its items (new reference). */
static Value *as_set_arg(Interp *I, Value *v) {
    if (val_is_set(v)) return val_retain(v);
    Value *s = set_new(I);
    if (s && set_update(I, s, v)) {
        val_release(s);
        return NULL;
    }
    return s;
}

static Value *m_add(Interp *I, Value *self, Value **argv) {
    return set_add(I, self, argv[0]) ? NULL : val_none(I);
}

static Value *m_discard(Interp *I, Value *self, Value **argv) {
    return discard(I, as_set(self), argv[0]) < 0 ? NULL : val_none(I);
}

static Value *m_remove(Interp *I, Value *self, Value **argv) {
    int rc = discard(I, as_set(self), argv[0]);
    if (rc < 0) return NULL;
    if (rc == 0) {
        exc_raise_key(I, argv[0]);
        return NULL;
    }
    return val_none(I);
}

static Value *m_pop(Interp *I, Value *self, Value **argv) {
    (void)argv;
    SetValue *s = as_set(self);
    if (s->used == 0) {
        interp_error(I, ERR_KEY, "'pop from an empty set'");
        return NULL;
    }
    /* CPython pops the first active slot after a moving finger; from a fresh set it is
     * the first in iteration order. */
    for (size_t i = 0; i <= s->mask; i++) {
        if (!ACTIVE(&s->table[i])) continue;
        Value *key = s->table[i].key;
        s->table[i].key = &dummy_key;
        s->table[i].hash = -1;
        s->used--;
        return key;
    }
    return NULL;
}

static Value *m_clear(Interp *I, Value *self, Value **argv) {
    (void)argv;
    set_clear_entries(as_set(self));
    return val_none(I);
}

static Value *m_copy(Interp *I, Value *self, Value **argv) {
    (void)argv;
    return set_copy(I, self);
}

static Value *m_update(Interp *I, Value *self, Value **argv) {
    ListValue *others = (ListValue *)argv[0];
    for (int64_t i = 0; i < others->count; i++)
        if (set_update(I, self, others->items[i])) return NULL;
    return val_none(I);
}

static Value *m_union(Interp *I, Value *self, Value **argv) {
    Value *r = set_copy(I, self);
    if (r && !m_update(I, r, argv)) {
        val_release(r);
        return NULL;
    }
    return r;
}

/* Folds a binary operation over the arguments: self op a op b ... */
static Value *fold(Interp *I, Value *self, ListValue *others,
                   Value *(*op)(Interp *I, Value *a, Value *b)) {
    Value *acc = val_retain(self);
    for (int64_t i = 0; acc && i < others->count; i++) {
        Value *other = as_set_arg(I, others->items[i]);
        Value *next = other ? op(I, acc, other) : NULL;
        val_release(other);
        val_release(acc);
        acc = next;
    }
    if (acc == self) { /* no arguments: a copy */
        val_release(acc);
        return set_copy(I, self);
    }
    return acc;
}

static Value *m_intersection(Interp *I, Value *self, Value **argv) {
    return fold(I, self, (ListValue *)argv[0], intersection);
}

static Value *m_difference(Interp *I, Value *self, Value **argv) {
    return fold(I, self, (ListValue *)argv[0], difference);
}

static Value *m_symmetric_difference(Interp *I, Value *self, Value **argv) {
    Value *other = as_set_arg(I, argv[0]);
    Value *r = other ? symmetric_difference(I, self, other) : NULL;
    val_release(other);
    return r;
}

static Value *m_issubset(Interp *I, Value *self, Value **argv) {
    Value *other = as_set_arg(I, argv[0]);
    int r = other ? is_subset(I, self, other) : -1;
    val_release(other);
    return r < 0 ? NULL : val_bool(I, r);
}

static Value *m_issuperset(Interp *I, Value *self, Value **argv) {
    Value *other = as_set_arg(I, argv[0]);
    int r = other ? is_subset(I, other, self) : -1;
    val_release(other);
    return r < 0 ? NULL : val_bool(I, r);
}

static Value *m_isdisjoint(Interp *I, Value *self, Value **argv) {
    Value *other = as_set_arg(I, argv[0]);
    Value *common = other ? intersection(I, self, other) : NULL;
    val_release(other);
    if (!common) return NULL;
    bool disjoint = as_set(common)->used == 0;
    val_release(common);
    return val_bool(I, disjoint);
}

static const BuiltinSpec set_methods[] = {
    {"add", m_add, "(elem, /)", "Add an element to a set."},
    {"discard", m_discard, "(elem, /)", "Remove an element from a set if it is a member."},
    {"remove", m_remove, "(elem, /)", "Remove an element from a set; it must be a member."},
    {"pop", m_pop, "()", "Remove and return an arbitrary set element."},
    {"clear", m_clear, "()", "Remove all elements from this set."},
    {"copy", m_copy, "()", "Return a shallow copy of a set."},
    {"update", m_update, "(*others)", "Update a set with the union of itself and others."},
    {"union", m_union, "(*others)", "Return the union of sets as a new set."},
    {"intersection", m_intersection, "(*others)",
     "Return the intersection of two sets as a new set."},
    {"difference", m_difference, "(*others)", "Return the difference of two or more sets."},
    {"symmetric_difference", m_symmetric_difference, "(other, /)",
     "Return the symmetric difference of two sets as a new set."},
    {"issubset", m_issubset, "(other, /)", "Report whether another set contains this set."},
    {"issuperset", m_issuperset, "(other, /)", "Report whether this set contains another set."},
    {"isdisjoint", m_isdisjoint, "(other, /)",
     "Return True if two sets have a null intersection."},
    {NULL, NULL, NULL, NULL},
};

static void clear_set(Value *self) { set_clear_entries(as_set(self)); }

const ValueType type_set = {.name = "set",
                            .destroy = destroy_set,
                            .clear = clear_set,
                            .repr = repr_set,
                            .truth = truth_set,
                            .length = length_set,
                            .contains = contains_set,
                            .iter = iter_set,
                            .binary = binary_set,
                            .compare = compare_set,
                            .methods = set_methods,
                            .init_signature = "(iterable=(), /)",
                            .doc = "Build an unordered collection of unique elements."};

Value *set_construct(Interp *I, CallArgs *args) {
    if (args->nkw) {
        interp_error(I, ERR_TYPE, "set() takes no keyword arguments");
        return NULL;
    }
    if (args->nargs > 1) {
        interp_error(I, ERR_TYPE, "set expected at most 1 argument, got %lld",
                     (long long)args->nargs);
        return NULL;
    }
    Value *s = set_new(I);
    if (s && args->nargs == 1 && set_update(I, s, args->args[0])) {
        val_release(s);
        return NULL;
    }
    return s;
}
