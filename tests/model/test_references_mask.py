"""Masking for term search: references blanked from their known spans give the same text as found afresh."""

from hypothesis import given, settings
from hypothesis import strategies as st

from reglament.model.references import find_refs, mask_for_terms

# the characters that make references, code spans, links, tags and URLs, and a few words between them
_PIECES = st.sampled_from(
    ["[[", "]]", "|", "[", "]", "(", ")", "`", "``", "<", ">", "https://", "!", " ", "\n", "лид", "a-b", "x"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_masking_from_known_references_equals_masking_afresh(text):
    assert mask_for_terms(text, find_refs(text)) == mask_for_terms(text)


def test_masking_keeps_offsets_and_blanks_references_code_and_links():
    text = "См. [[lead|лида]] и `[[x]]`, <b>лид</b> [текст](https://e.x/[[y]])\n[[z]]"
    masked = mask_for_terms(text, find_refs(text))
    assert len(masked) == len(text) and masked.count("\n") == 1
    assert "lead" not in masked and "[[" not in masked and "https" not in masked and "<b>" not in masked
    assert masked == mask_for_terms(text)
