"""POST /ask end to end with a language model: a real `hjemmel serve` pointed at the scripted endpoint by env vars."""

import shutil
from pathlib import Path

import httpx

from corpus.settings import Settings
from tests.api.conftest import serving
from tests.llm_server import ScriptedLLM

QUESTION = "Når kan departementet gi dispensasjon fra taushetsplikten?"
REPLY = "Departementet kan etter søknad gi dispensasjon fra taushetsplikten, blant annet for forskning [1]."


def test_ask_answers_in_the_models_words_with_verbatim_quotes(
    index_settings: Settings, llm: ScriptedLLM, tmp_path: Path
) -> None:
    # The session's server owns its index folder, so this one serves a copy.
    shutil.copytree(index_settings.index_dir, tmp_path / "index")
    settings = index_settings.model_copy(update={"index_dir": tmp_path / "index"})
    llm.reply(REPLY)
    env = {"HJEMMEL_LLM_URL": llm.url, "HJEMMEL_LLM_MODEL": "scripted-model", "HJEMMEL_LLM_API_KEY": "sk-test"}
    with serving(settings, **env) as url:
        response = httpx.post(f"{url}/ask", json={"question": QUESTION}, timeout=60)
        assert response.status_code == 200, response.text
        body = response.json()
        page = httpx.get(f"{url}/answer", params={"q": QUESTION}, timeout=60).text
        llm.reply("Dette står ikke i kildene.")
        fallback = httpx.post(f"{url}/ask", json={"question": QUESTION}, timeout=60).json()
    assert set(body) == {"answer", "refused", "quotes", "sources", "generated_by", "outside", "partial", "partial_reason"}
    assert body["partial"] is False
    assert body["generated_by"] == "scripted-model" and not body["refused"]
    first = body["sources"][0]
    assert body["answer"] == f"{REPLY}\n\nKilder: [1] {first['citation']}"
    assert body["quotes"] and all(q["unit_id"] == first["id"] and q["text"] in first["text"] for q in body["quotes"])
    # The ask page shows the model's words, says who wrote them, and keeps the verbatim quotes.
    assert f'<p class="generated">{REPLY}</p>' in page and "Formulert av språkmodellen scripted-model" in page
    assert '<ol class="results numbered">' in page and "<blockquote" in page
    (request,) = llm.requests
    assert QUESTION in request["messages"][1]["content"]
    assert f"[1] {first['citation']}\n{first['text']}" in request["messages"][1]["content"]
    assert fallback["generated_by"] == "extractive" and fallback["answer"].startswith("«")
