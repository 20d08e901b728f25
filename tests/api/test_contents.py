"""An act's table of contents: by chapter below the root every heading shares; recitals and annexes apart."""

from api.contents import heading_path, shared_root, table_of_contents
from search.lookup import UnitRef


def test_contents_group_by_chapter_below_the_shared_root() -> None:
    title = "FORORDNING (EU) 2016/679"
    refs = [
        UnitRef(id="X/rec1", citation="GDPR recital 1", title=""),
        UnitRef(id="X/rec2", citation="GDPR recital 2", title=""),
        UnitRef(id="X/art1", citation="GDPR art. 1", title="Formål", heading=f"{title} > KAPITTEL I"),
        UnitRef(id="X/art5", citation="GDPR art. 5", title="Prinsipper", heading=f"{title} > KAPITTEL II"),
        UnitRef(id="X/art6", citation="GDPR art. 6", title="Lovlighet", heading=f"{title} > KAPITTEL II"),
        UnitRef(id="X/annexI", citation="GDPR annex I", title=""),
    ]
    sections = table_of_contents(refs)
    assert [(s.kind, s.label, len(s.provisions)) for s in sections] == [
        ("recitals", "", 2), ("chapter", "KAPITTEL I", 1), ("chapter", "KAPITTEL II", 2), ("annexes", "", 1)
    ]
    assert sections[2].holds("X/art6") and not sections[1].holds("X/art6")
    root = shared_root([r.heading for r in refs])
    assert root == 1 and heading_path(f"{title} > KAPITTEL II > Avsnitt 1", root) == ["KAPITTEL II", "Avsnitt 1"]
    assert shared_root(["Kapittel 1", "Kapittel 1"]) == 0  # a root that is all there is stays
