from corpus.subjects import get_subjects


def test_every_subject_provision_is_an_indexed_unit(indexed_unit_ids: set[str]) -> None:
    missing = {(s.name, unit) for s in get_subjects() for unit in s.units if unit not in indexed_unit_ids}
    assert not missing, sorted(missing)


def test_subjects_have_unique_names_and_no_repeated_provisions() -> None:
    subjects = get_subjects()
    assert len({s.name for s in subjects}) == len(subjects)
    for subject in subjects:
        assert len(set(subject.units)) == len(subject.units), subject.name
