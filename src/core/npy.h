/*
 * src/core/npy.h — NumPy's .npy format (numpy.save / numpy.load of one array).
 * See LICENSE (GPL-3.0-or-later).
 *
 * Writing produces the same bytes as numpy 1.24's np.save for a C-ordered array of the
 * tensor's dtype (float32 '<f4', float64 '<f8', int64 '<i8', bool '|b1'): the magic, version
 * 1.0 (2.0 for headers over 64 KiB), the header dict with numpy's spare space, padding to
 * a 64-byte boundary, then the elements in row-major order. Writes are atomic (fileio.h).
 *
 * Reading accepts versions 1.0, 2.0 and 3.0, C or Fortran order, either byte order, and
 * the dtypes float16/32/64 (float16 widened to float32), int8/16/32/64, uint8/16/32/64
 * (as int64; a uint64 above 2^63-1 is an error) and bool. Ownership as in tensor.h.
 */
#ifndef EMBEDLAB_NPY_H
#define EMBEDLAB_NPY_H

#include "core/err.h"
#include "core/strbuf.h"
#include "core/tensor.h"

/* np.save(path, t.numpy()). Errors: OSError/FileNotFoundError, MemoryError. */
int npy_save(const char *path, const Tensor *t, Error *err);

/* The header bytes np.save writes for t (magic to the final newline), appended to sb. */
int npy_header(const Tensor *t, StrBuf *sb, Error *err);

/* np.load(path) as a new contiguous tensor. Errors (ValueError unless noted): the file
 * errors of fileio.h; "the magic string is not correct; expected b'\\x93NUMPY', got
 * b'...'"; "we only support format version (1,0), (2,0), and (3,0), not (4, 0)";
 * "Cannot parse header: ..."; "Object arrays cannot be loaded when allow_pickle=False";
 * TypeError "embedlab cannot load arrays of dtype '<c8'"; a short file: "cannot reshape
 * array of size 5 into shape (2, 3)" (what numpy says for it). */
Tensor *npy_load(const char *path, Error *err);

#endif
