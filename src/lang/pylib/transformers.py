"""transformers (Hugging Face), the part embedlab's lessons use: a DeepSeek-V3 skeleton
with Hugging Face's input/output embedding API. Written in embedlab's Python subset."""
