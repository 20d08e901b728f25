"""Running the `hjemmel` command as a user would: a separate process with HJEMMEL_* settings in its environment."""

import os
import subprocess
import sys

from corpus.settings import Settings


def hjemmel_env(settings: Settings, **extra: str) -> dict[str, str]:
    return os.environ | {
        "HJEMMEL_INDEX_DIR": str(settings.index_dir),
        "HJEMMEL_CORPUS_DIR": str(settings.corpus_dir),
        "HJEMMEL_MODEL_DIR": str(settings.model_dir),
        "HJEMMEL_EMBEDDING_CACHE": str(settings.embedding_cache),
        "HJEMMEL_PASSAGE_PRECISION": settings.passage_precision,
        **extra,
    }


def hjemmel(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api", *args], env=env, capture_output=True, text=True, timeout=300)
