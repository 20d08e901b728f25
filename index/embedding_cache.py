"""Dense embeddings cached by (model, prefix, text), so a re-ingest after a code change embeds only new text.

SQLite (standard library) holds the vectors: one file, safe against a crash mid-write, readable by any process.
"""

import hashlib
import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
from haystack import Document, component
from haystack_integrations.components.embedders.sentence_transformers import SentenceTransformersDocumentEmbedder


class EmbeddingCache:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS embedding (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")

    @staticmethod
    def key(model: str, text: str) -> str:
        return hashlib.sha256(f"{model}\0{text}".encode()).hexdigest()

    def get(self, keys: list[str]) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            rows = self._db.execute(
                f"SELECT key, vector FROM embedding WHERE key IN ({','.join('?' * len(batch))})", batch
            )
            found.update({key: np.frombuffer(blob, dtype=np.float32).tolist() for key, blob in rows})
        return found

    def put(self, items: dict[str, list[float]]) -> None:
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO embedding VALUES (?, ?)",
                [(key, np.asarray(vector, dtype=np.float32).tobytes()) for key, vector in items.items()],
            )

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM embedding").fetchone()[0]

    def close(self) -> None:
        self._db.close()


@component
class CachedDocumentEmbedder:
    """Wraps the document embedder: cached texts are not embedded again; `embedded` counts the ones that were."""

    def __init__(self, embedder: SentenceTransformersDocumentEmbedder, cache: EmbeddingCache, model: str) -> None:
        self.embedder = embedder
        self.cache = cache
        self.model = f"{model}|{embedder.prefix}"

    def warm_up(self) -> None:
        """Nothing: the model loads only when some text is not cached, so an all-cached run never pays for it."""

    @component.output_types(documents=list[Document], embedded=int)
    def run(self, documents: list[Document]) -> dict[str, list[Document] | int]:
        keys = [EmbeddingCache.key(self.model, d.content or "") for d in documents]
        cached = self.cache.get(keys)
        missing = [d for d, k in zip(documents, keys, strict=True) if k not in cached]
        if missing:
            self.embedder.warm_up()
            fresh = self.embedder.run(documents=missing)["documents"]
            new = {EmbeddingCache.key(self.model, d.content or ""): d.embedding for d in fresh}
            self.cache.put(new)
            cached.update(new)
        embedded = [replace(d, embedding=cached[k]) for d, k in zip(documents, keys, strict=True)]
        return {"documents": embedded, "embedded": len(missing)}
