# ---
# title: Padding and padding_idx
# summary: Why padded positions must map to a zero vector that never learns.
# ---

# %% [markdown]
# Sentences have different lengths, but a batch is one rectangular tensor. So short
# sentences are **padded** with a special id, often 0, up to the longest length. The
# padding id stands for "nothing here", and its vector should not carry any meaning.

# %%
import torch
import torch.nn as nn
_ = torch.manual_seed(0)  # the same random numbers every time
batch = torch.tensor([[5, 3, 8, 2],
                      [7, 1, 0, 0]])   # the second sentence has 2 tokens + 2 pads

# %% [markdown]
# `nn.Embedding(..., padding_idx=0)` treats id 0 as padding: its row of the weight starts
# as zeros, so a padded position looks up a zero vector.

# %%
emb = nn.Embedding(10, 4, padding_idx=0)
emb.weight[0]
emb(batch)[1]

# %% [markdown] tags=["exercise"] id="padding-row"
# **Your turn.** Make `e`: 5 rows of size 3 whose *last* row is padding.
# hint: `padding_idx` is a keyword argument of `nn.Embedding`.
# hint: negative indices count from the end, as in Python lists: the last row is 4, or -1.
# check: e.num_embeddings == 5 and e.embedding_dim == 3 and e.padding_idx == 4
# explain: e.num_embeddings == 5 | `e` should have 5 rows (num_embeddings=5)
# explain: e.embedding_dim == 3 | each row should have 3 numbers (embedding_dim=3)
# explain: e.padding_idx == 4 | padding_idx should be 4 (or -1), the last row
# success: -1 is stored as 4: padding_idx always counts from the start.
# solution: e = nn.Embedding(5, 3, padding_idx=4)

# %% [markdown]
# The padding row also **never learns**: the gradient of the padding row is always zero,
# so an optimizer step leaves it at zero. Let's compute a loss over the batch and look at
# the gradient of the weight: row 0 gets nothing, row 1 gets a gradient.

# %%
loss = emb(batch).sum()
loss.backward()
emb.weight.grad[0]
emb.weight.grad[1]

# %% [markdown] tags=["exercise"] id="padding-grad"
# **Your turn.** Make `g`, the gradient of the padding row of `e` after a backward pass
# through `e(torch.tensor([0, 4, 4]))`: take the sum of the output as the loss.
# hint: `e(torch.tensor([0, 4, 4])).sum().backward()` fills `e.weight.grad`.
# hint: the padding row of `e` is row 4: `g = e.weight.grad[4]`
# check: g.shape == (3,)
# check: torch.equal(g, torch.zeros(3))
# check: e.weight.grad[0].sum() == 3
# explain: g.shape == (3,) | `g` should be one row of e.weight.grad (3 numbers)
# explain: e.weight.grad[0].sum() == 3 | run the backward pass once: gradients add up (after a second run, reset them with e.weight.grad = None)
# success: id 4 appears twice, and still its gradient is zero.
# solution: e(torch.tensor([0, 4, 4])).sum().backward()
# solution: g = e.weight.grad[4]

# %% [markdown]
# **The gotcha.** `padding_idx` only *initialises* the row to zeros and blocks its
# gradient. Re-initialising the weight with `nn.init` overwrites **every** row, the
# padding row included, and nothing puts the zeros back:

# %%
nn.init.normal_(emb.weight)
emb.weight[0]

# %% [markdown]
# After a custom initialisation, zero the padding row yourself. Changing a parameter in
# place must happen under `torch.no_grad()`, so that autograd does not record it.

# %%
with torch.no_grad():
    emb.weight[emb.padding_idx].fill_(0)
emb.weight[0]

# %% [markdown] tags=["exercise"] id="padding-reinit"
# **Your turn.** Make `f = nn.Embedding(6, 2, padding_idx=0)`, re-initialise its weight
# with `nn.init.uniform_(f.weight, -1, 1)`, then make its padding row zero again.
# hint: first `f = nn.Embedding(6, 2, padding_idx=0)` and `nn.init.uniform_(f.weight, -1, 1)`.
# hint: then `with torch.no_grad():` and, indented, `f.weight[0].fill_(0)` (or `f.weight[0] = 0`).
# check: f.padding_idx == 0 and f.num_embeddings == 6 and f.embedding_dim == 2
# check: torch.equal(f.weight[0], torch.zeros(2))
# check: f.weight[1:].abs().sum() > 0
# check: f.weight.abs().max() <= 1
# explain: f.padding_idx == 0 | `f` should be nn.Embedding(6, 2, padding_idx=0)
# explain: f.weight[1:].abs().sum() > 0 | re-initialise the weight with nn.init.uniform_(f.weight, -1, 1)
# explain: torch.equal(f.weight[0], torch.zeros(2)) | the padding row (row 0) should be zero again
# success: initialised, and the padding row is zero again.
# solution: f = nn.Embedding(6, 2, padding_idx=0)
# solution: nn.init.uniform_(f.weight, -1, 1)
# solution: with torch.no_grad():
# solution:     f.weight[0].fill_(0)
