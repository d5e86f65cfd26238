"""ruamel's round-trip scanner marks the fold points of `>` scalars with BEL (\\a); they must not leak into text."""

from reglament.source.yaml_source import parse_yaml


def test_folded_scalar_has_no_fold_markers():
    doc = parse_yaml("text: >-\n  Обработать заявку\n  в течение 15 минут.\nkeep: |\n  a\n  b\n", "x.yml")
    assert doc.data == {"text": "Обработать заявку в течение 15 минут.", "keep": "a\nb\n"}
