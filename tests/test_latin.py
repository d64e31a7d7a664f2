"""The leak detector itself must catch a leak and pass Chinese text with allowed terms."""

from latin import foreign_words


def test_allowed_terms_pass_and_ids_do_not():
    assert foreign_words("苏南 R&D经费支出 +100%，PCT国际专利申请，min-max 与 x / max，SHA-256") == []
    assert foreign_words("interventions[0]: sunan 超过 rd_spending") == ["interventions", "sunan", "rd_spending"]


def test_streamlit_uploader_phrases_are_allowed_but_not_their_words_elsewhere():
    assert foreign_words("Drag and drop files here Limit 200MB per file") == []
    assert foreign_words("请 Browse 文件") == ["Browse"]
