# ---
# title: Memory: what an embedding table costs
# summary: Parameter count and bytes, smaller vocabularies and dimensions, int8 quantisation and its error, max_norm, and sparse gradients.
# ---

# %% [markdown]
# An embedding table is often the **largest** part of a small model: one row of
# `embedding_dim` numbers for every token of the vocabulary. Each number is a `float32`,
# 4 bytes. So a vocabulary of 50,000 words with 300-dimensional vectors needs
# 50,000 × 300 × 4 B = 60 MB, before any gradient or optimizer state.

# %%
import torch
import torch.nn as nn
_ = torch.manual_seed(0)
emb = nn.Embedding(50000, 300)
emb.weight.numel()
emb.weight.dtype
emb.weight.element_size()
size = emb.weight.numel() * emb.weight.element_size()
size
print(f"{size / 1e6:.1f} MB")

# %% [markdown]
# Training costs more: the gradient has the same size as the weight, and Adam keeps two
# more tensors of that size (its running averages). That is four copies:

# %%
print(f"training with Adam: {4 * size / 1e6:.1f} MB")

# %% [markdown] tags=["exercise"] id="memory-bytes"
# **Your turn.** A model has a vocabulary of 30,000 tokens and 512 dimensions. Make the
# layer `big` and set `nbytes` to the bytes its weight takes, computed from the layer.
# hint: `.numel()` counts the numbers; `.element_size()` gives the bytes per number.
# hint: `nbytes = big.weight.numel() * big.weight.element_size()`
# check: big.num_embeddings == 30000 and big.embedding_dim == 512
# check: nbytes == 30000 * 512 * 4
# explain: big.num_embeddings == 30000 and big.embedding_dim == 512 | `big` should be nn.Embedding(30000, 512)
# explain: nbytes == 30000 * 512 * 4 | `nbytes` should be the number of values times 4 bytes each
# success: 61,440,000 bytes: about 61 MB for the table alone.
# solution: big = nn.Embedding(30000, 512)
# solution: nbytes = big.weight.numel() * big.weight.element_size()

# %% [markdown]
# The cost grows with both sizes, so the two levers are a **smaller vocabulary** (subword
# tokenizers keep it at 30-50K instead of millions of words) and a **smaller dimension**.

# %%
for vocab, dim in [(50000, 300), (50000, 100), (10000, 300), (10000, 50)]:
    print(f"{vocab:6d} x {dim:3d}: {vocab * dim * 4 / 1e6:5.1f} MB")

# %% [markdown]
# **Quantisation** stores each number in fewer bits. With int8, every value becomes an
# integer from -127 to 127 times one shared `scale`: 1 byte instead of 4. The price is a
# rounding error of at most half a step (`scale / 2`). Here we compute it in float32 to
# see the levels and the error:

# %%
w = emb.weight.detach()[:1000]
scale = w.abs().max() / 127
levels = torch.round(w / scale).clamp(-127, 127)
levels[0, :6]
restored = levels * scale
(restored - w).abs().max()
scale / 2
print(f"int8 table: {emb.weight.numel() / 1e6:.1f} MB instead of {size / 1e6:.1f} MB")

# %% [markdown] tags=["exercise"] id="memory-quantize"
# **Your turn.** Quantise `v = torch.linspace(-2, 2, 9)` to int8 levels: set `step` to the
# scale (largest absolute value / 127), `q` to the integer levels (rounded, as floats) and
# `error` to the largest absolute difference between `q * step` and `v`.
# hint: `step = v.abs().max() / 127`, then `q = torch.round(v / step)`.
# hint: `error = (q * step - v).abs().max()`
# check: torch.equal(v, torch.linspace(-2, 2, 9))
# check: abs(float(step) - 2 / 127) < 1e-7
# check: torch.equal(q, torch.round(v / step)) and q.max() == 127
# check: float(error) <= float(step) / 2 + 1e-7 and abs(float(error) - float((q * step - v).abs().max())) < 1e-9
# explain: torch.equal(v, torch.linspace(-2, 2, 9)) | start with v = torch.linspace(-2, 2, 9)
# explain: abs(float(step) - 2 / 127) < 1e-7 | `step` should be v.abs().max() / 127
# explain: torch.equal(q, torch.round(v / step)) | `q` should be torch.round(v / step)
# success: every value is off by at most half a step.
# solution: v = torch.linspace(-2, 2, 9)
# solution: step = v.abs().max() / 127
# solution: q = torch.round(v / step)
# solution: error = (q * step - v).abs().max()

# %% [markdown]
# **max_norm** keeps vectors from growing: every row that is *looked up* is rescaled in
# place to length at most `max_norm`. This changes the weight itself, silently, during
# the forward pass, and only for the rows you look up:

# %%
capped = nn.Embedding(5, 3, max_norm=1.0)
capped.weight.norm(dim=1)
_ = capped(torch.tensor([1, 2]))
capped.weight.norm(dim=1)

# %% [markdown] tags=["exercise"] id="memory-maxnorm"
# **Your turn.** Make `small = nn.Embedding(8, 4, max_norm=0.5)` and make sure that
# **every** row of its weight has length at most 0.5, without touching the weight
# yourself.
# hint: only the rows that are looked up get rescaled.
# hint: look up every id once: `small(torch.arange(8))`
# check: small.num_embeddings == 8 and small.max_norm == 0.5
# check: small.weight.norm(dim=1).max() <= 0.5 + 1e-6
# explain: small.max_norm == 0.5 | `small` should be nn.Embedding(8, 4, max_norm=0.5)
# explain: small.weight.norm(dim=1).max() <= 0.5 + 1e-6 | some rows are still longer than 0.5: look up every id
# success: looking rows up rescaled them in place.
# solution: small = nn.Embedding(8, 4, max_norm=0.5)
# solution: _ = small(torch.arange(8))

# %% [markdown]
# **Sparse gradients.** A batch touches only a few rows, yet the ordinary gradient of the
# weight is a full dense matrix, mostly zeros. With `sparse=True` the gradient stores only
# the rows that were used (an id used twice appears twice), and optimizers such as
# `torch.optim.SparseAdam` update only those rows.

# %%
dense = nn.Embedding(6, 3)
dense(torch.tensor([1, 2, 2])).sum().backward()
dense.weight.grad
sparse = nn.Embedding(6, 3, sparse=True)
sparse(torch.tensor([1, 2, 2])).sum().backward()
sparse.weight.grad

# %% [markdown] tags=["exercise"] id="memory-sparse"
# **Your turn.** Make `table = nn.Embedding(1000, 16, sparse=True)`, run a backward pass
# of `table(torch.tensor([3, 3, 7])).sum()`, and make `opt` a `torch.optim.SparseAdam`
# over its parameters (lr=0.01) and take one step.
# hint: `table(torch.tensor([3, 3, 7])).sum().backward()` makes the sparse gradient.
# hint: `opt = torch.optim.SparseAdam(table.parameters(), lr=0.01)`, then `opt.step()`.
# check: table.num_embeddings == 1000 and table.sparse
# check: table.weight.grad is not None and table.weight.grad.is_sparse
# check: isinstance(opt, torch.optim.SparseAdam)
# check: opt.state[table.weight]['step'] == 1
# explain: table.sparse | `table` should be nn.Embedding(1000, 16, sparse=True)
# explain: table.weight.grad is not None | run the backward pass: table(torch.tensor([3, 3, 7])).sum().backward()
# explain: isinstance(opt, torch.optim.SparseAdam) | `opt` should be torch.optim.SparseAdam(table.parameters(), lr=0.01)
# explain: opt.state[table.weight]['step'] == 1 | take one optimizer step: opt.step()
# success: a gradient of 3 rows instead of 1000, and an update of only rows 3 and 7.
# solution: table = nn.Embedding(1000, 16, sparse=True)
# solution: table(torch.tensor([3, 3, 7])).sum().backward()
# solution: opt = torch.optim.SparseAdam(table.parameters(), lr=0.01)
# solution: opt.step()
