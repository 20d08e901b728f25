from haystack import Document

from index.sparse import SparseDocumentEmbedder, SparseTextEmbedder, document_vector, grams, query_vector, stems, term_id


def test_norwegian_inflections_share_a_stem_and_stop_words_go() -> None:
    assert stems("pasientens", "nb") == stems("pasienten", "nb") == stems("pasienter", "nb")
    assert stems("rett til informasjon om det", "nb") == ["rett", "informasjon"]


def test_term_ids_are_stable_across_processes() -> None:
    # A fixed value: an index written by one process must be queried with the same ids by the next.
    assert term_id("taushetsplikt") == 547481979


def test_term_frequency_saturates() -> None:
    once = document_vector("journal", "nb")
    thrice = document_vector("journal journal journal", "nb")
    assert once.indices == thrice.indices
    assert once.values[0] < thrice.values[0] < 3 * once.values[0]


def test_query_matches_norwegian_and_english_passages() -> None:
    query = set(query_vector("patient records journaler").indices)
    assert set(document_vector("journaler", "nb").indices) <= query
    assert set(document_vector("patient records", "en").indices) <= query


def test_a_compound_shares_grams_with_its_parts() -> None:
    compound = set(document_vector("journaldata", "nb").indices)
    parts = set(query_vector("journal og data").indices)
    assert term_id("#journ") in compound & parts
    assert not set(query_vector("journal og data").indices) & {term_id(s) for s in stems("journaldata", "nb")}
    assert grams("KI er data", "nb") == []


def test_heading_terms_weigh_more_than_body_terms() -> None:
    in_heading = dict(zip(*_vector("helsepersonelloven § 29. Taushetsplikt\n\nOpplysninger kan gis."), strict=True))
    in_body = dict(zip(*_vector("helsepersonelloven § 29\n\nTaushetsplikt gjelder. Opplysninger kan gis."), strict=True))
    stem = term_id(stems("taushetsplikt", "nb")[0])
    assert in_heading[stem] > in_body[stem]


def _vector(text: str) -> tuple[list[int], list[float]]:
    vector = document_vector(text, "nb")
    return vector.indices, vector.values


def test_components_embed_by_document_language() -> None:
    nb = SparseDocumentEmbedder().run([Document(content="Pasientens rett", meta={"language": "nb"})])["documents"]
    en = SparseDocumentEmbedder().run([Document(content="Pasientens rett", meta={"language": "en"})])["documents"]
    assert nb[0].sparse_embedding is not None and en[0].sparse_embedding is not None
    assert term_id("pasient") in nb[0].sparse_embedding.indices
    assert term_id("pasient") not in en[0].sparse_embedding.indices
    assert set(SparseTextEmbedder().run("taushetsplikt")["sparse_embedding"].values) == {1.0}
