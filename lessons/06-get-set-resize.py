# ---
# title: Getting, setting and resizing input embeddings
# summary: get_input_embeddings / set_input_embeddings, tied weights, post_init, and what resize_token_embeddings does to the rows and to a tied head.
# ---

# %% [markdown]
# Every Hugging Face model has the same small API around its token embedding:
# `get_input_embeddings()`, `set_input_embeddings(layer)`, `get_output_embeddings()`,
# `tie_weights()` and `resize_token_embeddings(n)`. This lesson builds a tiny language
# model with exactly that API in plain PyTorch, so that you see what each method does
# inside.
#
# The model: an embedding `embed_tokens` (ids to vectors) and an output layer `lm_head`
# (vectors back to one score per token). With **tied weights** the two share one matrix,
# as in GPT-2 (`tie_word_embeddings=True`).

# %%
import torch
import torch.nn as nn
_ = torch.manual_seed(0)

class TinyLM(nn.Module):
    def __init__(self, vocab_size, hidden_size, pad_token_id=0, initializer_range=0.02):
        super().__init__()
        self.pad_token_id = pad_token_id
        self.initializer_range = initializer_range
        self.embed_tokens = nn.Embedding(vocab_size, hidden_size, padding_idx=pad_token_id)
        self.lm_head = nn.Linear(hidden_size, vocab_size, bias=False)
        self.post_init()

    def forward(self, ids):
        return self.lm_head(self.embed_tokens(ids))

    def get_input_embeddings(self):
        return self.embed_tokens

    def set_input_embeddings(self, value):
        self.embed_tokens = value

    def get_output_embeddings(self):
        return self.lm_head

    def tie_weights(self):
        self.lm_head.weight = self.embed_tokens.weight

    def post_init(self):
        # what Hugging Face's _init_weights does for embeddings, then tie
        nn.init.normal_(self.embed_tokens.weight, mean=0.0, std=self.initializer_range)
        with torch.no_grad():
            self.embed_tokens.weight[self.pad_token_id].zero_()
        self.tie_weights()

model = TinyLM(10, 4)
model

# %% [markdown]
# `post_init()` ran at the end of `__init__`, as in every Hugging Face model: small normal
# weights (std `initializer_range`), a zero padding row, and the head tied to the
# embedding: both names now point at **one** parameter.

# %%
model.get_input_embeddings()
model.embed_tokens.weight[0]
model.lm_head.weight is model.embed_tokens.weight
model(torch.tensor([[1, 2, 3]])).shape

# %% [markdown] tags=["exercise"] id="getset-get"
# **Your turn.** Set `emb` to the model's input embedding layer (through the API, not the
# attribute name), and `vocab` to its number of rows.
# hint: `model.get_input_embeddings()` returns the nn.Embedding.
# hint: `vocab = emb.num_embeddings` (or `emb.weight.shape[0]`)
# check: emb is model.embed_tokens
# check: vocab == 10
# explain: emb is model.embed_tokens | `emb` should be model.get_input_embeddings()
# explain: vocab == 10 | `vocab` should be the number of rows of emb
# success: every Hugging Face model answers get_input_embeddings() the same way.
# solution: emb = model.get_input_embeddings()
# solution: vocab = emb.num_embeddings

# %% [markdown]
# Because the weights are tied, a change through one name shows through the other:
# training the embedding trains the output layer too, and the model has fewer parameters
# than the two layers would have apart.

# %%
with torch.no_grad():
    model.embed_tokens.weight[5, 0] = 1.0
model.lm_head.weight[5, 0]
sum([p.numel() for p in model.parameters()])

# %% [markdown]
# **Resizing.** Adding tokens to the tokenizer (say `<user>` and `<bot>`) needs more rows.
# `resize_token_embeddings(n)` builds a new, larger embedding, copies the old rows, fills
# the new ones, swaps it in with `set_input_embeddings` and ties the head again. With
# `mean_resizing=True` (the default since transformers 4.46) new rows start near the
# **mean** of the old ones (Hugging Face samples them around that mean; here we use the
# mean itself). `pad_to_multiple_of` rounds the size up, which GPUs like.

# %%
def resize_token_embeddings(model, new_num_tokens, pad_to_multiple_of=None):
    old = model.get_input_embeddings()
    if pad_to_multiple_of is not None:
        m = pad_to_multiple_of
        new_num_tokens = (new_num_tokens + m - 1) // m * m
    new = nn.Embedding(new_num_tokens, old.embedding_dim, padding_idx=old.padding_idx)
    n = min(old.num_embeddings, new_num_tokens)
    with torch.no_grad():
        new.weight[:n] = old.weight[:n]
        if new_num_tokens > n:
            new.weight[n:] = old.weight.mean(dim=0)
    model.set_input_embeddings(new)
    model.tie_weights()
    return new

resize_token_embeddings(model, 12)
model.lm_head.weight.shape
model.lm_head.weight is model.embed_tokens.weight
model.embed_tokens.weight[10:]

# %% [markdown] tags=["exercise"] id="getset-resize"
# **Your turn.** Resize `model` again for 3 more tokens (15 in all), padded to a multiple
# of 8. Keep the returned layer in `bigger`.
# hint: call `resize_token_embeddings(model, 15, pad_to_multiple_of=8)`.
# hint: 15 rounded up to a multiple of 8 is 16.
# check: bigger.num_embeddings == 16 and model.get_input_embeddings() is bigger
# check: model.lm_head.weight is bigger.weight
# check: torch.allclose(bigger.weight[12], bigger.weight[:12].mean(dim=0), atol=0.01)
# explain: bigger.num_embeddings == 16 | `bigger` should have 16 rows: 15 rounded up to a multiple of 8
# explain: model.get_input_embeddings() is bigger | the model should use `bigger` as its input embedding
# success: 16 rows, and the tied head followed the embedding.
# solution: bigger = resize_token_embeddings(model, 15, pad_to_multiple_of=8)

# %% [markdown]
# **The gotcha.** The head follows only because `tie_weights()` runs again. Replace the
# embedding with `set_input_embeddings` alone and the head keeps the old matrix: the two
# are no longer tied, and their shapes no longer even agree.

# %%
model.set_input_embeddings(nn.Embedding(20, 4))
model.embed_tokens.weight.shape
model.lm_head.weight.shape
model.lm_head.weight is model.embed_tokens.weight

# %% [markdown] tags=["exercise"] id="getset-tie"
# **Your turn.** Put the model right: tie its head to the new 20-row embedding again.
# hint: the model has a method for exactly that.
# hint: `model.tie_weights()`
# check: model.lm_head.weight is model.embed_tokens.weight
# check: model(torch.tensor([19])).shape == (1, 20)
# explain: model.lm_head.weight is model.embed_tokens.weight | the head and the embedding should share one weight: model.tie_weights()
# success: tied again: 20 scores out for 20 tokens in.
# solution: model.tie_weights()

# %% [markdown]
# The recipe you will meet in Hugging Face code does the same with `post_init()`: set a
# new embedding, then `post_init()` initialises it (normal with std
# `initializer_range`, padding row zero) and ties the head again. Careful: it
# **re-initialises** the embedding, so use it for a fresh layer, never for one holding
# trained or pretrained vectors. (Hugging Face's version skips weights it already
# initialised; ours re-initialises the embedding every time.)

# %%
new_embeds = nn.Embedding(24, 4, padding_idx=0)
model.set_input_embeddings(new_embeds)
model.post_init()
model.get_input_embeddings()
model.lm_head.weight is new_embeds.weight
new_embeds.weight.std()
new_embeds.weight[0]
