__doc__ = """transformers (Hugging Face), the part embedlab's lessons use: a DeepSeek-V3 skeleton
with Hugging Face's input/output embedding API. Written in embedlab's Python subset.

It follows transformers 4.5x (modeling_utils.py, models/deepseek_v3): DeepseekV3Config,
DeepseekV3Model (embed_tokens, an empty ModuleList of layers, a final RMSNorm, the rotary
embedding), DeepseekV3ForCausalLM (the model plus lm_head), PreTrainedModel's
get/set_input_embeddings, get/set_output_embeddings, tie_weights, post_init (weights are
initialised once: modules are flagged _is_hf_initialized), num_parameters and
resize_token_embeddings(new_num_tokens=None, pad_to_multiple_of=None, mean_resizing=True).

What differs from transformers:
- There are no decoder layers: num_hidden_layers must be 0 (the model is a bigram model:
  logits = lm_head(norm(embed_tokens(ids)))).
- mean_resizing samples new rows from MultivariateNormal(mean, 1e-9 * covariance) as
  transformers does (a Cholesky factor L, then mean + L z with z from normal_()), so the
  random stream advances exactly as in PyTorch. The Cholesky factor is computed here in
  float32 in Python, not by LAPACK; the rows agree with PyTorch's to the last bit in the
  tested cases, because L z (about 3e-5 of the spread) is far below the mean's last bit,
  but a factor that differs in its last bits could in principle change a row's last bit.
- transformers logs its warnings through `logging`; here they are printed on stderr (once
  each, as logger.warning_once does).
- The output's past_key_values is None (there is no cache without layers).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

__version__ = "4.51.3"


def _json(value, indent):
    # json.dumps(value, indent=2, sort_keys=True) for the values a config holds.
    pad = "  " * (indent + 1)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        if len(value) == 0:
            return "{}"
        items = [pad + _json(str(k), 0) + ": " + _json(value[k], indent + 1) for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(value, (list, tuple)):
        if len(value) == 0:
            return "[]"
        items = [pad + _json(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + "  " * indent + "]"
    return _json(str(value), indent)


_warned = set()


def _warning_once(message):
    # logger.warning_once: the message on stderr, the first time only.
    if message not in _warned:
        _warned.add(message)
        print(message, file="<stderr>")


_MEAN_RESIZING_NOTICE = (
    " will be initialized from a multivariate normal distribution that has old embeddings' "
    "mean and covariance. As described in this article: "
    "https://nlp.stanford.edu/~johnhew/vocab-expansion.html. To disable this, use "
    "`mean_resizing=False`")


# The attributes every PretrainedConfig has, with their defaults (to_diff_dict leaves out
# the ones a config did not change).
_BASE_DEFAULTS = {
    "return_dict": True,
    "output_hidden_states": False,
    "output_attentions": False,
    "torchscript": False,
    "torch_dtype": None,
    "pruned_heads": {},
    "tie_word_embeddings": True,
    "chunk_size_feed_forward": 0,
    "is_encoder_decoder": False,
    "is_decoder": False,
    "cross_attention_hidden_size": None,
    "add_cross_attention": False,
    "tie_encoder_decoder": False,
    "architectures": None,
    "finetuning_task": None,
    "tokenizer_class": None,
    "prefix": None,
    "bos_token_id": None,
    "pad_token_id": None,
    "eos_token_id": None,
    "sep_token_id": None,
    "decoder_start_token_id": None,
    "problem_type": None,
}


class PretrainedConfig:
    """Base class of the model configurations: attributes, to_dict(), and a JSON repr."""
    __module__ = "transformers.configuration_utils"
    model_type = ""

    def __init__(self, **kwargs):
        for key in _BASE_DEFAULTS:
            if key not in self.__dict__:
                default = _BASE_DEFAULTS[key]
                if key == "pruned_heads":
                    default = {}
                setattr(self, key, kwargs.pop(key, default))
        self._name_or_path = str(kwargs.pop("name_or_path", ""))
        for key, value in kwargs.items():
            setattr(self, key, value)

    def get_text_config(self, decoder=False):
        return self

    def to_dict(self):
        output = {}
        for key, value in self.__dict__.items():
            if not key.startswith("_"):
                output[key] = value
        output["model_type"] = self.__class__.model_type
        output["transformers_version"] = __version__
        return output

    def to_diff_dict(self):
        output = {}
        for key, value in self.to_dict().items():
            if key not in _BASE_DEFAULTS or value != _BASE_DEFAULTS[key]:
                output[key] = value
        return output

    def to_json_string(self, use_diff=True):
        config_dict = self.to_diff_dict() if use_diff else self.to_dict()
        return _json(config_dict, 0) + "\n"

    def __repr__(self):
        return self.__class__.__name__ + " " + self.to_json_string()

    def __eq__(self, other):
        return isinstance(other, PretrainedConfig) and self.__dict__ == other.__dict__


class DeepseekV3Config(PretrainedConfig):
    """The configuration of a DeepSeek-V3 model (Kimi-K2 uses this architecture)."""
    __module__ = "transformers.models.deepseek_v3.configuration_deepseek_v3"
    model_type = "deepseek_v3"

    def __init__(self, vocab_size=129280, hidden_size=7168, intermediate_size=18432,
                 moe_intermediate_size=2048, num_hidden_layers=61, num_attention_heads=128,
                 num_key_value_heads=128, n_shared_experts=1, n_routed_experts=256,
                 routed_scaling_factor=2.5, kv_lora_rank=512, q_lora_rank=1536,
                 qk_rope_head_dim=64, v_head_dim=128, qk_nope_head_dim=128, n_group=8,
                 topk_group=4, num_experts_per_tok=8, first_k_dense_replace=3,
                 norm_topk_prob=True, hidden_act="silu", max_position_embeddings=4096,
                 initializer_range=0.02, rms_norm_eps=1e-6, use_cache=True, pad_token_id=None,
                 bos_token_id=0, eos_token_id=1, pretraining_tp=1, tie_word_embeddings=False,
                 rope_theta=10000.0, rope_scaling=None, rope_interleave=True,
                 attention_bias=False, attention_dropout=0.0, **kwargs):
        self.vocab_size = vocab_size
        self.max_position_embeddings = max_position_embeddings
        self.hidden_size = hidden_size
        self.intermediate_size = intermediate_size
        self.moe_intermediate_size = moe_intermediate_size
        self.num_hidden_layers = num_hidden_layers
        self.num_attention_heads = num_attention_heads
        self.n_shared_experts = n_shared_experts
        self.n_routed_experts = n_routed_experts
        self.routed_scaling_factor = routed_scaling_factor
        self.kv_lora_rank = kv_lora_rank
        self.q_lora_rank = q_lora_rank
        self.qk_rope_head_dim = qk_rope_head_dim
        self.v_head_dim = v_head_dim
        self.qk_nope_head_dim = qk_nope_head_dim
        self.qk_head_dim = qk_nope_head_dim + qk_rope_head_dim
        self.head_dim = qk_rope_head_dim
        self.n_group = n_group
        self.topk_group = topk_group
        self.num_experts_per_tok = num_experts_per_tok
        self.first_k_dense_replace = first_k_dense_replace
        self.norm_topk_prob = norm_topk_prob
        self.rope_interleave = rope_interleave
        if num_key_value_heads is None:
            num_key_value_heads = num_attention_heads
        self.num_key_value_heads = num_key_value_heads
        self.hidden_act = hidden_act
        self.initializer_range = initializer_range
        self.rms_norm_eps = rms_norm_eps
        self.pretraining_tp = pretraining_tp
        self.use_cache = use_cache
        self.rope_theta = rope_theta
        self.rope_scaling = rope_scaling
        self.attention_bias = attention_bias
        self.attention_dropout = attention_dropout
        self.pad_token_id = pad_token_id
        self.bos_token_id = bos_token_id
        self.eos_token_id = eos_token_id
        self.tie_word_embeddings = tie_word_embeddings
        super().__init__(**kwargs)


class ModelOutput:
    """A model's outputs: attributes, output["name"], output[i] (the non-None fields in
    order) and to_tuple()."""
    __module__ = "transformers.utils.generic"
    _fields = ()

    def __init__(self, **kwargs):
        for name in self.__class__._fields:
            setattr(self, name, kwargs.get(name, None))

    def keys(self):
        return [name for name in self.__class__._fields if getattr(self, name) is not None]

    def to_tuple(self):
        return tuple([getattr(self, name) for name in self.keys()])

    def __getitem__(self, k):
        if isinstance(k, str):
            if k not in self.keys():
                raise KeyError(k)
            return getattr(self, k)
        return self.to_tuple()[k]

    def __len__(self):
        return len(self.keys())

    def __repr__(self):
        parts = [name + "=" + repr(getattr(self, name)) for name in self.__class__._fields]
        return self.__class__.__name__ + "(" + ", ".join(parts) + ")"


class BaseModelOutputWithPast(ModelOutput):
    __module__ = "transformers.modeling_outputs"
    _fields = ("last_hidden_state", "past_key_values", "hidden_states", "attentions")


class CausalLMOutputWithPast(ModelOutput):
    __module__ = "transformers.modeling_outputs"
    _fields = ("loss", "logits", "past_key_values", "hidden_states", "attentions")


def _is_positive_definite(matrix):
    # constraints.positive_definite.check: symmetric (isclose with atol=1e-6), then a
    # Cholesky factorisation succeeds.
    diff = (matrix - matrix.T).abs()
    if not bool((diff <= 1e-6 + 1e-5 * matrix.T.abs()).all()):
        return False
    return _cholesky_lower(matrix) is not None


def _cholesky_lower(a):
    # The lower Cholesky factor of a float32 matrix, column by column as LAPACK's potf2
    # (None when a pivot is not positive: the matrix is not positive definite).
    n = a.shape[0]
    low = torch.zeros(n, n)
    for j in range(n):
        if j == 0:
            pivot = a[0, 0].item()
        else:
            pivot = (a[j, j] - (low[j, :j] * low[j, :j]).sum()).item()
        if not pivot > 0.0:
            return None
        d = torch.tensor(pivot).sqrt()
        low[j, j] = d
        if j + 1 < n:
            if j == 0:
                col = a[1:, 0]
            else:
                col = a[j + 1:, j] - low[j + 1:, :j] @ low[j, :j]
            low[j + 1:, j] = col * (1.0 / d)
    return low


def _multivariate_normal_sample(mean, covariance, count):
    # MultivariateNormal(mean, covariance_matrix=covariance).sample((count,)):
    # mean + L @ z, z = torch.empty(count, d).normal_().
    low = _cholesky_lower(covariance)
    z = torch.empty(count, mean.shape[0]).normal_()
    return mean + (low @ z.unsqueeze(-1)).squeeze(-1)


class PreTrainedModel(nn.Module):
    """Base class of Hugging Face models: the embedding API, weight initialisation and
    tying, num_parameters, resize_token_embeddings."""
    __module__ = "transformers.modeling_utils"
    config_class = None
    base_model_prefix = ""
    main_input_name = "input_ids"
    _tied_weights_keys = None
    supports_gradient_checkpointing = False

    def __init__(self, config, *inputs, **kwargs):
        super().__init__()
        if not isinstance(config, PretrainedConfig):
            raise ValueError(
                "Parameter config in `" + self.__class__.__name__ + "(config)` should be an "
                "instance of class `PretrainedConfig`. To create a model from a pretrained "
                "model use `model = " + self.__class__.__name__
                + ".from_pretrained(PRETRAINED_MODEL_NAME)`")
        self.config = config
        self.name_or_path = config._name_or_path
        self.warnings_issued = {}

    def post_init(self):
        """Runs at the end of every model's __init__: initialises the weights not yet
        initialised (_init_weights), then ties the output embeddings to the input ones
        when config.tie_word_embeddings is True."""
        self.init_weights()

    def init_weights(self):
        self.initialize_weights()
        self.tie_weights()

    def _init_weights(self, module):
        if hasattr(self.config, "initializer_range"):
            std = self.config.initializer_range
        else:
            std = getattr(self.config.get_text_config(), "initializer_range", 0.02)
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=std)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=std)
            if module.padding_idx is not None:
                module.weight.data[module.padding_idx].zero_()
        elif "LayerNorm" in module.__class__.__name__ or "RMSNorm" in module.__class__.__name__:
            if hasattr(module, "weight") and module.weight is not None:
                module.weight.data.fill_(1.0)
            if hasattr(module, "bias") and module.bias is not None:
                module.bias.data.zero_()

    def _initialize_weights(self, module):
        if getattr(module, "_is_hf_initialized", False):
            return
        self._init_weights(module)
        module._is_hf_initialized = True

    def initialize_weights(self):
        with torch.no_grad():
            _smart_apply(self, self._initialize_weights)

    def get_input_embeddings(self):
        """Returns the model's input embedding module (an nn.Embedding)."""
        base_model = getattr(self, self.base_model_prefix, self)
        if base_model is not self:
            return base_model.get_input_embeddings()
        raise NotImplementedError

    def set_input_embeddings(self, value):
        """Replaces the model's input embedding module (no shape check)."""
        base_model = getattr(self, self.base_model_prefix, self)
        if base_model is not self:
            base_model.set_input_embeddings(value)
        else:
            raise NotImplementedError

    def get_output_embeddings(self):
        """Returns the output embeddings (the LM head), or None for models without one."""
        return None

    def tie_weights(self):
        """Ties the output embeddings to the input embeddings when
        config.tie_word_embeddings is True: lm_head.weight becomes the embedding's weight
        (one Parameter)."""
        for module in self.modules():
            if isinstance(module, PreTrainedModel):
                module.tie_embeddings_and_encoder_decoder()
            if hasattr(module, "_tie_weights"):
                module._tie_weights()

    def tie_embeddings_and_encoder_decoder(self):
        if getattr(self.config.get_text_config(decoder=True), "tie_word_embeddings", True):
            output_embeddings = self.get_output_embeddings()
            if output_embeddings is not None:
                self._tie_or_clone_weights(output_embeddings, self.get_input_embeddings())

    def _tie_or_clone_weights(self, output_embeddings, input_embeddings):
        if self.config.torchscript:
            output_embeddings.weight = nn.Parameter(input_embeddings.weight.clone())
        else:
            output_embeddings.weight = input_embeddings.weight
        if getattr(output_embeddings, "bias", None) is not None:
            bias = output_embeddings.bias.data
            extra = output_embeddings.weight.shape[0] - bias.shape[0]
            if extra > 0:
                bias = torch.cat([bias, torch.zeros(extra, dtype=bias.dtype)])
            elif extra < 0:
                bias = bias[:output_embeddings.weight.shape[0]]
            output_embeddings.bias.data = bias
        if hasattr(output_embeddings, "out_features") and hasattr(input_embeddings, "num_embeddings"):
            output_embeddings.out_features = input_embeddings.num_embeddings

    def num_parameters(self, only_trainable=False, exclude_embeddings=False):
        """The number of (trainable, or all) parameters, each shared one counted once."""
        if exclude_embeddings:
            embedding_param_names = [name + ".weight" for name, module in self.named_modules()
                                     if isinstance(module, nn.Embedding)]
            total_parameters = [p for name, p in self.named_parameters()
                                if name not in embedding_param_names]
        else:
            total_parameters = list(self.parameters())
        total = 0
        for param in total_parameters:
            if param.requires_grad or not only_trainable:
                total += param.numel()
        return total

    def resize_token_embeddings(self, new_num_tokens=None, pad_to_multiple_of=None,
                                mean_resizing=True):
        """Resizes the input embeddings to new_num_tokens rows (rounded up to a multiple
        of pad_to_multiple_of), keeping the old rows; new rows are sampled around the old
        rows' mean (mean_resizing=True) or drawn from N(0, initializer_range). An untied
        LM head is resized too, a tied one re-tied; config.vocab_size follows. Returns the
        embedding module (the same object)."""
        model_embeds = self._resize_token_embeddings(new_num_tokens, pad_to_multiple_of,
                                                     mean_resizing)
        if new_num_tokens is None and pad_to_multiple_of is None:
            return model_embeds
        vocab_size = model_embeds.weight.shape[0]
        self.config.get_text_config().vocab_size = vocab_size
        self.vocab_size = vocab_size
        self.tie_weights()
        return model_embeds

    def _resize_token_embeddings(self, new_num_tokens, pad_to_multiple_of=None,
                                 mean_resizing=True):
        old_embeddings = self.get_input_embeddings()
        new_embeddings = self._get_resized_embeddings(old_embeddings, new_num_tokens,
                                                      pad_to_multiple_of, mean_resizing)
        old_embeddings_requires_grad = old_embeddings.weight.requires_grad
        new_embeddings.requires_grad_(old_embeddings_requires_grad)
        self.set_input_embeddings(new_embeddings)
        if pad_to_multiple_of is not None:
            new_num_tokens = new_embeddings.weight.shape[0]
        if (self.get_output_embeddings() is not None
                and not self.config.get_text_config(decoder=True).tie_word_embeddings):
            old_lm_head = self.get_output_embeddings()
            if isinstance(old_lm_head, nn.Embedding):
                new_lm_head = self._get_resized_embeddings(old_lm_head, new_num_tokens,
                                                           mean_resizing=mean_resizing)
            else:
                new_lm_head = self._get_resized_lm_head(old_lm_head, new_num_tokens,
                                                        mean_resizing=mean_resizing)
            old_lm_head_requires_grad = old_lm_head.weight.requires_grad
            new_lm_head.requires_grad_(old_lm_head_requires_grad)
            self.set_output_embeddings(new_lm_head)
        return self.get_input_embeddings()

    def _get_resized_embeddings(self, old_embeddings, new_num_tokens=None,
                                pad_to_multiple_of=None, mean_resizing=True):
        if pad_to_multiple_of is not None:
            if not isinstance(pad_to_multiple_of, int):
                raise ValueError(
                    "Asking to pad the embedding matrix to a multiple of `"
                    + str(pad_to_multiple_of) + "`, which is not and integer. Please make sure "
                    "to pass an integer")
            if new_num_tokens is None:
                new_num_tokens = old_embeddings.weight.shape[0]
            new_num_tokens = ((new_num_tokens + pad_to_multiple_of - 1)
                              // pad_to_multiple_of) * pad_to_multiple_of
        if new_num_tokens is None:
            return old_embeddings
        old_num_tokens, old_embedding_dim = old_embeddings.weight.size()
        if old_num_tokens == new_num_tokens:
            return old_embeddings
        if not isinstance(old_embeddings, nn.Embedding):
            raise TypeError(
                "Old embeddings are of type " + str(type(old_embeddings)) + ", which is not an "
                "instance of " + str(nn.Embedding) + ". You should either use a different "
                "resize function or make sure that `old_embeddings` are an instance of "
                + str(nn.Embedding) + ".")
        new_embeddings = nn.Embedding(new_num_tokens, old_embedding_dim,
                                      dtype=old_embeddings.weight.dtype)
        if new_num_tokens > old_num_tokens and not mean_resizing:
            self._init_weights(new_embeddings)
        elif new_num_tokens > old_num_tokens and mean_resizing:
            _warning_once("The new embeddings" + _MEAN_RESIZING_NOTICE)
            added_num_tokens = new_num_tokens - old_num_tokens
            self._init_added_embeddings_weights_with_mean(
                old_embeddings, new_embeddings, old_embedding_dim, old_num_tokens,
                added_num_tokens)
        n = min(old_num_tokens, new_num_tokens)
        new_embeddings.weight.data[:n, :] = old_embeddings.weight.data[:n, :]
        old_embeddings.weight.data = new_embeddings.weight.data
        old_embeddings.num_embeddings = new_embeddings.weight.data.shape[0]
        if old_embeddings.padding_idx is not None and (new_num_tokens - 1) < old_embeddings.padding_idx:
            old_embeddings.padding_idx = None
        return old_embeddings

    def _get_resized_lm_head(self, old_lm_head, new_num_tokens=None, transposed=False,
                             mean_resizing=True):
        if new_num_tokens is None:
            return old_lm_head
        if transposed:
            old_num_tokens, old_lm_head_dim = old_lm_head.weight.t().size()
        else:
            old_num_tokens, old_lm_head_dim = old_lm_head.weight.size()
        if old_num_tokens == new_num_tokens:
            return old_lm_head
        if not isinstance(old_lm_head, nn.Linear):
            raise TypeError(
                "Old language model head is of type " + str(type(old_lm_head)) + ", which is "
                "not an instance of " + str(nn.Linear) + ". You should either use a different "
                "resize function or make sure that `old_lm_head` are an instance of "
                + str(nn.Linear) + ".")
        has_new_lm_head_bias = old_lm_head.bias is not None
        if transposed:
            new_lm_head = nn.Linear(new_num_tokens, old_lm_head_dim, bias=has_new_lm_head_bias,
                                    dtype=old_lm_head.weight.dtype)
        else:
            new_lm_head = nn.Linear(old_lm_head_dim, new_num_tokens, bias=has_new_lm_head_bias,
                                    dtype=old_lm_head.weight.dtype)
        if new_num_tokens > old_num_tokens and not mean_resizing:
            self._init_weights(new_lm_head)
        elif new_num_tokens > old_num_tokens and mean_resizing:
            _warning_once("The new lm_head weights" + _MEAN_RESIZING_NOTICE)
            added_num_tokens = new_num_tokens - old_num_tokens
            self._init_added_lm_head_weights_with_mean(
                old_lm_head, new_lm_head, old_lm_head_dim, old_num_tokens, added_num_tokens,
                transposed)
            if has_new_lm_head_bias:
                self._init_added_lm_head_bias_with_mean(old_lm_head, new_lm_head,
                                                        added_num_tokens)
        num_tokens_to_copy = min(old_num_tokens, new_num_tokens)
        self._copy_lm_head_original_to_resized(new_lm_head, old_lm_head, num_tokens_to_copy,
                                               transposed, has_new_lm_head_bias)
        return new_lm_head

    def _init_added_embeddings_weights_with_mean(self, old_embeddings, new_embeddings,
                                                 old_embedding_dim, old_num_tokens,
                                                 added_num_tokens):
        old_embeddings_weight = old_embeddings.weight.data.to(torch.float32)
        mean_embeddings = torch.mean(old_embeddings_weight, dim=0)
        old_centered_embeddings = old_embeddings_weight - mean_embeddings
        covariance = old_centered_embeddings.T @ old_centered_embeddings / old_num_tokens
        epsilon = 1e-9
        if _is_positive_definite(epsilon * covariance):
            sample = _multivariate_normal_sample(mean_embeddings, epsilon * covariance,
                                                 added_num_tokens)
            new_embeddings.weight.data[-1 * added_num_tokens:, :] = sample.to(
                old_embeddings.weight.dtype)
        else:
            new_embeddings.weight.data[-1 * added_num_tokens:, :] = (
                mean_embeddings[None, :].expand(added_num_tokens, -1).to(
                    old_embeddings.weight.dtype))

    def _init_added_lm_head_weights_with_mean(self, old_lm_head, new_lm_head, old_lm_head_dim,
                                              old_num_tokens, added_num_tokens,
                                              transposed=False):
        if transposed:
            new_lm_head.weight.data = new_lm_head.weight.data.T
            old_lm_head.weight.data = old_lm_head.weight.data.T
        self._init_added_embeddings_weights_with_mean(old_lm_head, new_lm_head, old_lm_head_dim,
                                                      old_num_tokens, added_num_tokens)
        if transposed:
            new_lm_head.weight.data = new_lm_head.weight.data.T
            old_lm_head.weight.data = old_lm_head.weight.data.T

    def _init_added_lm_head_bias_with_mean(self, old_lm_head, new_lm_head, added_num_tokens):
        bias_mean = torch.mean(old_lm_head.bias.data, dim=0, dtype=torch.float32)
        bias_std = torch.std(old_lm_head.bias.data, dim=0).to(torch.float32)
        new_lm_head.bias.data[-1 * added_num_tokens:].normal_(mean=bias_mean.item(),
                                                              std=1e-9 * bias_std.item())

    def _copy_lm_head_original_to_resized(self, new_lm_head, old_lm_head, num_tokens_to_copy,
                                          transposed, has_new_lm_head_bias):
        if not transposed:
            new_lm_head.weight.data[:num_tokens_to_copy, :] = (
                old_lm_head.weight.data[:num_tokens_to_copy, :])
        else:
            new_lm_head.weight.data[:, :num_tokens_to_copy] = (
                old_lm_head.weight.data[:, :num_tokens_to_copy])
        if has_new_lm_head_bias:
            new_lm_head.bias.data[:num_tokens_to_copy] = old_lm_head.bias.data[:num_tokens_to_copy]


def _smart_apply(module, fn):
    # nn.Module.apply (children first, then the module), each PreTrainedModel applying
    # its own _initialize_weights to its subtree.
    for child in module.children():
        if isinstance(child, PreTrainedModel):
            _smart_apply(child, child._initialize_weights)
        else:
            _smart_apply(child, fn)
    fn(module)
    return module


class DeepseekV3RMSNorm(nn.Module):
    """weight * x / sqrt(mean(x**2) + eps), computed in float32."""
    __module__ = "transformers.models.deepseek_v3.modeling_deepseek_v3"

    def __init__(self, hidden_size, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(hidden_size))
        self.variance_epsilon = eps

    def forward(self, hidden_states):
        input_dtype = hidden_states.dtype
        hidden_states = hidden_states.to(torch.float32)
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.variance_epsilon)
        return self.weight * hidden_states.to(input_dtype)

    def extra_repr(self):
        return str(tuple(self.weight.shape)) + ", eps=" + str(self.variance_epsilon)


class DeepseekV3RotaryEmbedding(nn.Module):
    """The rotary position embedding's frequencies (unused here: there are no layers)."""
    __module__ = "transformers.models.deepseek_v3.modeling_deepseek_v3"

    def __init__(self, config, device=None):
        super().__init__()
        if isinstance(getattr(config, "rope_scaling", None), dict):
            self.rope_type = config.rope_scaling.get("rope_type", config.rope_scaling.get("type"))
        else:
            self.rope_type = "default"
        self.max_seq_len_cached = config.max_position_embeddings
        self.original_max_seq_len = config.max_position_embeddings
        self.config = config
        base = config.rope_theta
        head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
        dim = int(head_dim * getattr(config, "partial_rotary_factor", 1.0))
        inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)
        self.attention_scaling = 1.0
        self.original_inv_freq = self.inv_freq


class DeepseekV3PreTrainedModel(PreTrainedModel):
    __module__ = "transformers.models.deepseek_v3.modeling_deepseek_v3"
    config_class = DeepseekV3Config
    base_model_prefix = "model"
    supports_gradient_checkpointing = True
    _no_split_modules = ["DeepseekV3DecoderLayer"]

    def _init_weights(self, module):
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=std)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=std)
            if module.padding_idx is not None:
                module.weight.data[module.padding_idx].zero_()
        elif isinstance(module, DeepseekV3RMSNorm):
            module.weight.data.fill_(1.0)


class DeepseekV3Model(DeepseekV3PreTrainedModel):
    """The DeepSeek-V3 body: embed_tokens, layers (none here), norm."""
    __module__ = "transformers.models.deepseek_v3.modeling_deepseek_v3"

    def __init__(self, config):
        super().__init__(config)
        self.padding_idx = config.pad_token_id
        self.vocab_size = config.vocab_size
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size, self.padding_idx)
        if config.num_hidden_layers != 0:
            raise NotImplementedError(
                "embedlab's DeepseekV3 has no decoder layers (num_hidden_layers="
                + str(config.num_hidden_layers) + "); pass num_hidden_layers=0 to the config")
        self.layers = nn.ModuleList([])
        self.norm = DeepseekV3RMSNorm(config.hidden_size, eps=config.rms_norm_eps)
        self.rotary_emb = DeepseekV3RotaryEmbedding(config=config)
        self.gradient_checkpointing = False
        self.post_init()

    def get_input_embeddings(self):
        return self.embed_tokens

    def set_input_embeddings(self, value):
        self.embed_tokens = value

    def forward(self, input_ids=None, attention_mask=None, position_ids=None,
                past_key_values=None, inputs_embeds=None, use_cache=None, cache_position=None,
                **kwargs):
        if (input_ids is None) != (inputs_embeds is not None):
            raise ValueError("You must specify exactly one of input_ids or inputs_embeds")
        if inputs_embeds is None:
            inputs_embeds = self.embed_tokens(input_ids)
        if cache_position is None:
            cache_position = torch.arange(0, inputs_embeds.shape[1])
        hidden_states = inputs_embeds
        hidden_states = self.norm(hidden_states)
        return BaseModelOutputWithPast(last_hidden_state=hidden_states, past_key_values=None)


def _causal_lm_loss(logits, labels, vocab_size, ignore_index=-100):
    # transformers.loss.loss_utils.ForCausalLMLoss: shift the labels left by one (the
    # last position predicts nothing), then a mean cross-entropy.
    logits = logits.float()
    pad = torch.full(tuple(labels.shape[:-1]) + (1,), ignore_index, dtype=labels.dtype)
    labels = torch.cat([labels, pad], dim=-1)
    shift_labels = labels[..., 1:].contiguous()
    logits = logits.view(-1, vocab_size)
    shift_labels = shift_labels.view(-1)
    return F.cross_entropy(logits, shift_labels, ignore_index=ignore_index, reduction="mean")


class DeepseekV3ForCausalLM(DeepseekV3PreTrainedModel):
    """DeepseekV3Model plus lm_head (hidden_size -> vocab_size); model(input_ids,
    labels=None) returns .logits and, with labels, .loss."""
    __module__ = "transformers.models.deepseek_v3.modeling_deepseek_v3"
    _tied_weights_keys = ["lm_head.weight"]

    def __init__(self, config):
        super().__init__(config)
        self.model = DeepseekV3Model(config)
        self.vocab_size = config.vocab_size
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)
        self.post_init()

    def get_input_embeddings(self):
        return self.model.embed_tokens

    def set_input_embeddings(self, value):
        self.model.embed_tokens = value

    def get_output_embeddings(self):
        return self.lm_head

    def set_output_embeddings(self, new_embeddings):
        self.lm_head = new_embeddings

    def set_decoder(self, decoder):
        self.model = decoder

    def get_decoder(self):
        return self.model

    def forward(self, input_ids=None, attention_mask=None, position_ids=None,
                past_key_values=None, inputs_embeds=None, labels=None, use_cache=None,
                cache_position=None, logits_to_keep=0, **kwargs):
        outputs = self.model(input_ids=input_ids, attention_mask=attention_mask,
                             position_ids=position_ids, past_key_values=past_key_values,
                             inputs_embeds=inputs_embeds, use_cache=use_cache,
                             cache_position=cache_position)
        hidden_states = outputs.last_hidden_state
        if isinstance(logits_to_keep, int):
            logits = self.lm_head(hidden_states[:, -logits_to_keep:, :])
        else:
            logits = self.lm_head(hidden_states[:, logits_to_keep, :])
        loss = None
        if labels is not None:
            loss = _causal_lm_loss(logits, labels, self.config.vocab_size)
        return CausalLMOutputWithPast(loss=loss, logits=logits, past_key_values=None)


_CONFIGS = {"deepseek_v3": DeepseekV3Config}
_MODELS = {"deepseek_v3": DeepseekV3Model}
_CAUSAL_LM_MODELS = {"deepseek_v3": DeepseekV3ForCausalLM}


class AutoConfig:
    """AutoConfig.for_model(model_type, **kwargs): the configuration class of a model type."""
    __module__ = "transformers.models.auto.configuration_auto"

    def __init__(self):
        raise EnvironmentError(
            "AutoConfig is designed to be instantiated using the "
            "`AutoConfig.from_pretrained(pretrained_model_name_or_path)` method.")

    def for_model(model_type, *args, **kwargs):
        if model_type in _CONFIGS:
            return _CONFIGS[model_type](*args, **kwargs)
        raise ValueError(
            "Unrecognized model identifier: " + model_type + ". Should contain one of "
            + ", ".join(_CONFIGS.keys()))


class AutoModel:
    """AutoModel.from_config(config): the base model of a configuration."""
    __module__ = "transformers.models.auto.modeling_auto"

    def __init__(self, *args, **kwargs):
        raise EnvironmentError(
            "AutoModel is designed to be instantiated using the "
            "`AutoModel.from_pretrained(pretrained_model_name_or_path)` or "
            "`AutoModel.from_config(config)` methods.")

    def from_config(config, **kwargs):
        if type(config).model_type in _MODELS:
            return _MODELS[type(config).model_type](config)
        raise ValueError(
            "Unrecognized configuration class " + str(type(config)) + " for this kind of "
            "AutoModel: AutoModel.")


class AutoModelForCausalLM:
    """AutoModelForCausalLM.from_config(config): the causal LM of a configuration."""
    __module__ = "transformers.models.auto.modeling_auto"

    def __init__(self, *args, **kwargs):
        raise EnvironmentError(
            "AutoModelForCausalLM is designed to be instantiated using the "
            "`AutoModelForCausalLM.from_pretrained(pretrained_model_name_or_path)` or "
            "`AutoModelForCausalLM.from_config(config)` methods.")

    def from_config(config, **kwargs):
        if type(config).model_type in _CAUSAL_LM_MODELS:
            return _CAUSAL_LM_MODELS[type(config).model_type](config)
        raise ValueError(
            "Unrecognized configuration class " + str(type(config)) + " for this kind of "
            "AutoModel: AutoModelForCausalLM.")
