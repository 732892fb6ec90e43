"""References in a .docx that make Word or WPS fetch something when the file is opened.

A template pushed down from the county could carry an external attached template
(`attachedTemplate` → file://server/t.dotm), an image linked instead of embedded, a linked
sub-document or OLE object, or a field such as INCLUDEPICTURE "http://…", INCLUDETEXT, LINK or DDE.
Word fetches them on opening; on Windows a UNC or file:// target is reached over SMB, which hands
the user's NTLM hash to whoever runs that server. Lint reports every one (a template with any is
refused), and every generated document has them removed, whatever its template, before it is
stored or opened. External hyperlinks stay: they are followed only when clicked.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

from lxml import etree

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
HYPERLINK_TYPE = R_NS + "/hyperlink"
# field instructions that load content from a path or URL (HYPERLINK is followed only on click)
FETCHING_FIELD = re.compile(r"^\s*(INCLUDEPICTURE|INCLUDETEXT|LINK|DDE|DDEAUTO|IMPORT|INCLUDE|RD)\b", re.IGNORECASE)


def _may_have_fields(xml: bytes) -> bool:
    """A cheap test before parsing: every field instruction is a w:instrText or a w:instr attribute."""
    return b"instr" in xml


def _may_be_external(rels_xml: bytes) -> bool:
    return b"External" in rels_xml


def _source_part(rels_name: str) -> str:
    """word/_rels/settings.xml.rels → word/settings.xml (_rels/.rels → the package, "")."""
    folder, file = posixpath.split(rels_name)
    return posixpath.join(posixpath.dirname(folder), file.removesuffix(".rels")) if file != ".rels" else ""


def _external_ids(rels_xml: bytes) -> tuple[etree._Element, list[tuple[etree._Element, str, str]]]:
    root = etree.fromstring(rels_xml, _PARSER)
    found = []
    for rel in root.iter(f"{{{RELS_NS}}}Relationship"):
        if rel.get("TargetMode") == "External" and rel.get("Type") != HYPERLINK_TYPE:
            found.append((rel, rel.get("Id", ""), rel.get("Target", "")))
    return root, found


def _fields(root: etree._Element):
    """(element, instruction) for every field instruction: w:instrText runs and w:fldSimple."""
    for el in root.iter(f"{{{W_NS}}}instrText"):
        yield el, el.text or ""
    for el in root.iter(f"{{{W_NS}}}fldSimple"):
        yield el, el.get(f"{{{W_NS}}}instr", "")


def problems(data: bytes) -> list[str]:
    """Chinese descriptions of everything in the .docx that would be fetched on opening."""
    out: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.endswith(".rels"):
                xml = z.read(name)
                if not _may_be_external(xml):
                    continue
                _, found = _external_ids(xml)
                out += [f"“{_source_part(name) or '文档包'}”引用了外部资源“{target[:80]}”（打开时会自动联网或访问共享文件夹获取）"
                        for _, _, target in found]
            elif name.endswith(".xml") and name.startswith("word/"):
                xml = z.read(name)
                if not _may_have_fields(xml):
                    continue
                root = etree.fromstring(xml, _PARSER)
                out += [f"“{name}”中有会自动获取外部内容的域代码“{instr.strip()[:60]}”"
                        for _, instr in _fields(root) if FETCHING_FIELD.match(instr)]
    return out


def strip(data: bytes) -> bytes:
    """The .docx without external relationships (other than hyperlinks), the elements that use
    them, and fetching field instructions; the bytes unchanged when there is nothing to remove."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        infos = z.infolist()
        contents = {i.filename: z.read(i.filename) for i in infos}
    changed: dict[str, bytes] = {}
    removed: dict[str, set[str]] = {}  # source part → removed relationship ids
    for name, xml in contents.items():
        if name.endswith(".rels") and _may_be_external(xml):
            root, found = _external_ids(xml)
            if found:
                for rel, rel_id, _ in found:
                    root.remove(rel)
                removed[_source_part(name)] = {rel_id for _, rel_id, _ in found}
                changed[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    for name, xml in contents.items():
        if not (name.endswith(".xml") and name.startswith("word/")) or (name not in removed and not _may_have_fields(xml)):
            continue
        root = etree.fromstring(changed.get(name, xml), _PARSER)
        dirty = False
        ids = removed.get(name, set())
        if ids:
            for el in list(root.iter()):
                if not isinstance(el.tag, str):  # comments and processing instructions carry no references
                    continue
                refs = [a for a, v in el.attrib.items() if a.startswith(f"{{{R_NS}}}") and v in ids]
                if not refs:
                    continue
                dirty = True
                if all(a == f"{{{R_NS}}}link" for a in refs):  # a linked image that may be embedded too: keep it
                    for a in refs:
                        del el.attrib[a]
                elif el.getparent() is not None:  # w:attachedTemplate, a linked sub-document or object …
                    el.getparent().remove(el)
        for el, instr in list(_fields(root)):
            if not FETCHING_FIELD.match(instr):
                continue
            dirty = True
            if el.tag == f"{{{W_NS}}}instrText":
                el.text = ""  # the field keeps its last result as plain text, and fetches nothing
            else:
                parent = el.getparent()
                index = parent.index(el)
                for child in list(el):
                    parent.insert(index, child)
                    index += 1
                parent.remove(el)
        if dirty:
            changed[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if not changed:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in infos:
            dst.writestr(info, changed.get(info.filename, contents[info.filename]))
    return out.getvalue()
