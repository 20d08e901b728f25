from haystack import Document

from index.sparse import SparseDocumentEmbedder, SparseTextEmbedder, document_vector, query_vector, stems, term_id


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


def test_components_embed_by_document_language() -> None:
    docs = SparseDocumentEmbedder().run([Document(content="Pasientens rett", meta={"language": "nb"})])["documents"]
    assert docs[0].sparse_embedding is not None and len(docs[0].sparse_embedding.indices) == 2
    assert SparseTextEmbedder().run("taushetsplikt")["sparse_embedding"].values == [1.0]
