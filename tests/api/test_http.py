"""End-to-end through a real HTTP server over a real index."""

import re

import httpx

from corpus.registry import get_registry
from corpus.settings import Settings
from tests.commands import hjemmel, hjemmel_env

PROBLEM = "application/problem+json"


def search(client: httpx.Client, query: str, **body: object) -> list[dict]:
    response = client.post("/search", json={"query": query, **body})
    assert response.status_code == 200, response.text
    return response.json()["results"]


def _section(unit_id: str) -> tuple[int, str]:
    number, suffix = re.fullmatch(r"LOV-1999-07-02-64/§(\d+)([a-z]?)", unit_id).groups()
    return int(number), suffix


def test_confidentiality_question_finds_hpl_duty_of_confidentiality(client: httpx.Client) -> None:
    results = search(client, "Kan helsepersonell gi pasientopplysninger til en KI-leverandør uten samtykke?", top_k=5)
    confidentiality = [r for r in results if r["id"].startswith("LOV-1999-07-02-64/§") and 21 <= _section(r["id"])[0] <= 29]
    assert confidentiality, [r["id"] for r in results]
    for result in confidentiality:
        assert result["url"] == "https://lovdata.no/dokument/NL/lov/1999-07-02-64/" + result["id"].split("/", 1)[1]
        assert "Helsedirektoratet" in [a["name"] for a in result["agencies"]]
        assert result["citation"].startswith("helsepersonelloven § ")


def test_patient_information_right_ranks_pbrl_3_2_in_top_3(client: httpx.Client) -> None:
    results = search(client, "pasientens rett til informasjon", top_k=3)
    assert "LOV-1999-07-02-63/§3-2" in [r["id"] for r in results]


def test_result_follows_the_contract(client: httpx.Client) -> None:
    (result,) = search(client, "dispensasjon fra taushetsplikt", top_k=1, filters={"document_id": "hpl"})
    assert set(result) == {"id", "citation", "title", "document", "text", "url", "agencies", "score", "rerank_score"}
    assert result["rerank_score"] is None  # no reranker configured
    assert set(result["document"]) == {"id", "title", "short_title", "kind", "last_changed"}
    assert result["document"]["id"] == "LOV-1999-07-02-64" and result["document"]["kind"] == "lov"
    assert result["text"] and isinstance(result["score"], float)


def test_search_notes_law_outside_the_sources_beside_the_nearest_provisions(client: httpx.Client) -> None:
    response = client.post("/search", json={"query": "How many vacation days does a nurse get?", "top_k": 3}).json()
    assert response["results"]
    (area,) = response["outside"]
    assert area["id"] == "employment" and area["name"].startswith("Employment")
    assert any(act["url"].startswith("https://lovdata.no/") for act in area["acts"])
    assert client.post("/search", json={"query": "taushetsplikt for helsepersonell"}).json()["outside"] == []


def test_one_hit_per_unit(client: httpx.Client) -> None:
    ids = [r["id"] for r in search(client, "behandling av helseopplysninger i helseregistre", top_k=20)]
    assert len(ids) == len(set(ids)) == 20


def test_filter_on_a_former_agency_name_reaches_the_new_agency(client: httpx.Client) -> None:
    results = search(client, "krav til medisinsk utstyr", top_k=10, filters={"agency": "Statens legemiddelverk"})
    assert results
    for result in results:
        assert "Direktoratet for medisinske produkter" in [a["name"] for a in result["agencies"]]


def test_filter_on_kind_and_language(client: httpx.Client) -> None:
    results = search(client, "medisinsk utstyr", filters={"kind": "forskrift", "language": "nb"})
    assert results and {r["document"]["kind"] for r in results} == {"forskrift"}


def test_gdpr_articles_in_norwegian(client: httpx.Client) -> None:
    results = search(client, "behandling av særlige kategorier av personopplysninger helseopplysninger", top_k=5)
    assert "32016R0679/art9" in [r["id"] for r in results]


def test_unit_with_neighbours(client: httpx.Client) -> None:
    response = client.get("/units/LOV-1999-07-02-64/§29")
    assert response.status_code == 200
    view = response.json()
    assert view["unit"]["citation"] == "helsepersonelloven § 29"
    assert view["heading"] == "Kapittel 5. Taushetsplikt og opplysningsrett"
    assert view["previous"]["id"] == "LOV-1999-07-02-64/§28"
    assert view["next"]["id"] == "LOV-1999-07-02-64/§29a"
    assert view["notes"] and "Endret ved" not in view["unit"]["text"]


def test_document_by_abbreviation(client: httpx.Client) -> None:
    response = client.get("/documents/pbrl")
    assert response.status_code == 200
    document = response.json()
    assert document["id"] == "LOV-1999-07-02-63"
    assert "LOV-1999-07-02-63/§3-2" in [p["id"] for p in document["provisions"]]
    assert document["units"] == len(document["provisions"])


def test_sources_with_counts(client: httpx.Client) -> None:
    sources = {s["id"]: s for s in client.get("/sources").json()}
    assert len(sources) >= 50
    assert sources["LOV-1999-07-02-64"]["units"] > 90
    assert sources["32016R0679"]["units"] == 99
    assert sources["LOV-2016-06-17-73"]["units"] == 0  # anskaffelsesloven is not in this test index


def test_errors_are_problem_json(client: httpx.Client) -> None:
    missing = client.get("/units/LOV-1999-07-02-64/§999")
    assert missing.status_code == 404 and missing.headers["content-type"] == PROBLEM
    assert missing.json()["title"] == "Not Found" and "§999" in missing.json()["detail"]
    empty = client.post("/search", json={"query": ""})
    assert empty.status_code == 422 and empty.headers["content-type"] == PROBLEM
    agency = client.post("/search", json={"query": "x", "filters": {"agency": "Finanstilsynet"}})
    assert agency.status_code == 422 and "Finanstilsynet" in agency.json()["detail"]
    malformed = client.post("/search", content=b"{not json", headers={"content-type": "application/json"})
    assert malformed.status_code == 422
    assert client.get("/docs").status_code == 200


def test_second_process_gets_one_clear_line(server: str, index_settings: Settings) -> None:
    result = hjemmel("search", "taushetsplikt", env=hjemmel_env(index_settings))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_cited_provision_comes_first(client: httpx.Client) -> None:
    results = search(client, "pbrl § 3-2", top_k=5)
    assert results[0]["id"] == "LOV-1999-07-02-63/§3-2" and results[0]["score"] == 1.0
    assert len({r["id"] for r in results}) == 5
    both = search(client, "hva betyr hpl § 29 første ledd og GDPR art. 9(2)(h) for oss?", top_k=5)
    assert [r["id"] for r in both[:2]] == ["LOV-1999-07-02-64/§29", "32016R0679/art9"]
    filtered = search(client, "hpl § 29", filters={"document_id": "pbrl"})
    assert all(r["document"]["id"] == "LOV-1999-07-02-63" for r in filtered)


def test_cite_resolves_or_says_what_it_understood(client: httpx.Client) -> None:
    found = client.get("/cite", params={"ref": "hpl § 29"})
    assert found.status_code == 200 and found.json()["unit"]["id"] == "LOV-1999-07-02-64/§29"
    assert client.get("/cite", params={"ref": "pasientjournalloven § 11 andre ledd"}).json()["unit"]["id"] == (
        "LOV-2014-06-20-42/§11"
    )
    missing = client.get("/cite", params={"ref": "hpl § 999"})
    assert missing.status_code == 404 and "helsepersonelloven § 999" in missing.json()["detail"]
    nothing = client.get("/cite", params={"ref": "taushetsplikt"})
    assert nothing.status_code == 404 and "no citation recognised" in nothing.json()["detail"]
    assert client.get("/cite").status_code == 422


def test_software_for_diagnosis_finds_the_mdr_definition(client: httpx.Client) -> None:
    results = search(client, "is software intended for diagnosis a medical device", top_k=5)
    mdr_art2 = next(r for r in results if r["id"] == "32017R0745/art2")
    assert mdr_art2["citation"] == "MDR art. 2 (OJ L 117, p. 15)"
    assert mdr_art2["url"] == "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:32017R0745#art_2"
    assert "Direktoratet for medisinske produkter" in [a["name"] for a in mdr_art2["agencies"]]


def test_high_risk_question_finds_ai_act_classification(client: httpx.Client) -> None:
    ids = [r["id"] for r in search(client, "which AI systems are high-risk", top_k=5)]
    assert {"32024R1689/art6", "32024R1689/annexIII"} & set(ids), ids


def test_norwegian_question_naming_the_ai_act_reaches_its_english_text(client: httpx.Client) -> None:
    results = search(client, "Hva sier KI-forordningen om menneskelig tilsyn med høyrisikosystemer?", top_k=5)
    assert [r["document"]["id"] for r in results[:3]] == ["32024R1689"] * 3
    assert "32024R1689/art14" in [r["id"] for r in results]


def test_who_gives_guidance_finds_a_seed_page(client: httpx.Client) -> None:
    results = search(client, "hvem gir veiledning om regelverk for kunstig intelligens i helsetjenesten", top_k=5)
    assert any(r["id"].startswith("guidance/") for r in results)
    page = next(r for r in results if r["id"].startswith("guidance/"))
    assert page["url"].startswith("https://www.helsedirektoratet.no/") and page["document"]["kind"] == "veileder"


def test_filter_on_statens_legemiddelverk_returns_dmp_sources(client: httpx.Client) -> None:
    results = search(client, "software classification", top_k=10, filters={"agency": "Statens legemiddelverk"})
    dmp = {source.id for source in get_registry().sources_for_agency("Direktoratet for medisinske produkter")}
    documents = {r["document"]["id"] for r in results}
    assert "32017R0745" in documents and documents <= dmp


def test_ask_quotes_verbatim_with_citations(client: httpx.Client) -> None:
    response = client.post("/ask", json={"question": "Når kan departementet gi dispensasjon fra taushetsplikten?"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"answer", "refused", "quotes", "sources", "generated_by", "outside", "partial", "partial_reason"}
    assert not body["refused"] and body["partial"] is False
    assert body["generated_by"] == "extractive"
    sources = {s["id"]: s for s in body["sources"]}
    for quote in body["quotes"]:
        assert quote["text"] in sources[quote["unit_id"]]["text"]
        assert quote["citation"] in body["answer"]
    assert any(q["unit_id"] == "LOV-1999-07-02-64/§29" for q in body["quotes"])


def test_ask_refuses_what_the_sources_do_not_cover(client: httpx.Client) -> None:
    body = client.post("/ask", json={"question": "Hvordan lager jeg en god pizzadeig?"}).json()
    assert body["refused"] and not body["quotes"] and body["sources"]
    assert body["answer"].startswith("Fant ikke grunnlag i kildene")
    assert body["outside"] == []
    elsewhere = client.post("/ask", json={"question": "Hvor mye skatt betaler legekontoret av overskuddet?"}).json()
    assert elsewhere["refused"] and elsewhere["outside"][0]["id"] == "tax-vat"
    assert any(act["url"].startswith("https://lovdata.no/") for act in elsewhere["outside"][0]["acts"])


def test_applicable_lists_laws_with_reasons_and_agencies(client: httpx.Client) -> None:
    description = (
        "Vi vil bruke journaldata fra 2018–2024 til å trene en modell som varsler forverring hos "
        "hjertesviktpasienter, og kjøpe løsningen inn som CE-merket programvare."
    )
    response = client.post("/applicable", json={"description": description})
    assert response.status_code == 200, response.text
    body = response.json()
    laws = {law["document_id"]: law for law in body["laws"]}
    assert {"LOV-1999-07-02-64", "32017R0745"} <= set(laws) or {"LOV-1999-07-02-64", "LOV-2020-05-07-37"} <= set(laws)
    for law in body["laws"]:
        assert 1 <= len(law["why"]) <= 3 and all(w["citation"] for w in law["why"])
    agencies = {a["name"]: a for a in body["agencies"]}
    assert {"Helsedirektoratet", "Direktoratet for medisinske produkter"} <= set(agencies)
    assert all(a["role"] and a["question"] and a["documents"] for a in body["agencies"])
    assert client.post("/applicable", json={"description": ""}).status_code == 422
