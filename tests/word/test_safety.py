"""A .docx is untrusted: zip bombs, DTD entities, path traversal in part names, not-a-zip."""

from __future__ import annotations

import zipfile

import pytest

from reglament.word.errors import UnsafeDocxError, WordError
from reglament.word.package import safe_name
from reglament.word.reader import read_docx

CT = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def make(path, document: bytes, extra: dict[str, bytes] | None = None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    path = make(tmp_path / "bomb.docx", b"<w:document/>", {"word/media/big.xml": b"\0" * (60 * 1024 * 1024)})
    with pytest.raises(UnsafeDocxError, match=r"inflates|ratio"):
        read_docx(path)


def test_entities_are_refused(tmp_path):
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
        b"<w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    )
    with pytest.raises(UnsafeDocxError, match="DTD"):
        read_docx(make(tmp_path / "xxe.docx", doc))


def test_not_a_docx(tmp_path):
    path = tmp_path / "x.docx"
    path.write_text("plain text", encoding="utf-8")
    with pytest.raises(WordError, match=r"not a \.docx"):
        read_docx(path)


def test_image_names_never_leave_the_folder():
    assert safe_name("word/media/../../../etc/passwd.png", index=3) == "03-passwd.png"
    assert safe_name("..\\..\\evil.exe", index=1) == "01-evil.bin"
    assert "/" not in safe_name("/abs/olute/Путь.JPG", index=2)
