"""Commands of case documents: render, list, export, dossier, and lint of template folders."""

from __future__ import annotations

import json
from pathlib import Path

from app.cli.context import AddCommand, ChineseParser, Context, add_sub, emit, to_jsonable
from app.errors import InputError
from app.storage.atomic import atomic_write_bytes


def cmd_doc(ctx: Context) -> int:
    from app.services import documents

    a = ctx.args
    store = ctx.open()
    if a.doc_command == "render":
        # in the practice store (--practice) every document carries the 练习 mark and a practice number
        result = documents.render(store, a.case_id, a.template_id, out=Path(a.out) if a.out else None,
                                  practice=bool(getattr(ctx, "practice", False)), subject=a.subject)
        note = f"（待补充：{'、'.join(result.blanks)}）" if result.blanks else ""
        emit(ctx, {"document_id": result.document_id, "number": result.number, "sha256": result.sha256},
             f"已生成“{result.title}”第{result.version}版 {result.number}{note}")
        return 0
    if a.doc_command == "list":
        rows = documents.list_documents(store, a.case_id)
        emit(ctx, [{"document_id": r.document_id, "template_id": r.template_id, "title": r.title, "kind": r.template_title,
                    "number": r.number, "version": r.version, "latest": r.latest, "origin": r.origin,
                    "template_version": r.template_version, "sha256": r.sha256, "size": r.size,
                    "created_at": r.created_at, "created_by": r.created_by, "practice": r.practice,
                    "subject_id": r.subject_id, "issued_on": r.issued_on, "voided_on": r.voided_on,
                    "void_reason": r.void_reason, "voided_by": r.voided_by} for r in rows],
             "\n".join(f"{r.document_id}\t{r.template_title}\t第{r.version}版\t{r.number}\t{r.title}"
                       + (f"\t已作废（{r.void_reason}）" if r.voided else "") for r in rows)
             or "这个案件还没有文书。")
        return 0
    if a.doc_command == "preview":
        data, blanks = documents.preview(store, a.case_id, a.template_id, subject=a.subject)
        atomic_write_bytes(Path(a.out), data)
        emit(ctx, {"out": a.out, "blanks": list(blanks)}, f"已写出样稿 {a.out}（不编号、不入卷，每页标有“样稿”）")
        return 0
    if a.doc_command == "void":
        row = documents.void(store, a.document_id, a.reason)
        emit(ctx, {"document_id": row.document_id, "number": row.number, "voided_on": row.voided_on},
             f"已作废《{row.title}》" + (f"{row.number}（编号保留，不再使用）" if row.number else ""))
        return 0
    row = documents.export(store, a.document_id, Path(a.out))
    emit(ctx, {"document_id": row.document_id, "out": a.out, "sha256": row.sha256}, f"已导出到 {a.out}")
    return 0


def cmd_dossier(ctx: Context) -> int:
    from app.services import dossier_volume

    a = ctx.args
    if not a.out and not a.folder and not a.pdf:
        raise InputError("bad_arguments", "请用 --out 指定组卷后的 .docx 文件（或用 --pdf 指定 PDF 文件、--folder 指定文件夹）。")
    result = dossier_volume.build_dossier(ctx.open(), a.case_id, out=Path(a.out) if a.out else None,
                                          folder=Path(a.folder) if a.folder else None, pdf_out=Path(a.pdf) if a.pdf else None)
    where = "、".join(str(p) for p in (result.path, result.pdf, result.folder) if p)
    pages = f"，卷内文件共 {result.pages} 页" if result.pages is not None else "（本机没有 LibreOffice：页号未排版）"
    emit(ctx, {"documents": result.documents, "pages": result.pages, "out": str(result.path) if result.path else None,
               "pdf": str(result.pdf) if result.pdf else None,
               "folder": str(result.folder) if result.folder else None, "files": list(result.files)},
         f"已组卷：案卷封面、卷内目录、{result.documents} 份文书和卷内备考表{pages}，写入 {where}")
    return 0


def cmd_templates(ctx: Context) -> int:
    from app.services import documents

    report = documents.lint_folder(Path(ctx.args.dir))
    if ctx.args.json:
        print(json.dumps(to_jsonable(report), ensure_ascii=False, indent=2))
    else:
        problems = list(report.problems) + [p for f in report.files for p in f.problems]
        for p in problems:
            where = f"{p.part}第{p.paragraph}段" if p.paragraph else p.part
            print(f"{p.file}{'：' + where if where else ''}：{p.message}" + (f"（{p.text}）" if p.text else ""))
        for template_id in report.missing_templates:
            print(f"规则文件要求的模板“{template_id}”在文件夹中没有")
        print(f"检查了 {len(report.files)} 个模板：" + ("全部通过。" if report.ok else f"发现 {len(problems)} 处问题。"))
    return 0 if report.ok else 2


def register(add: AddCommand) -> None:
    p = add("doc", cmd_doc, "案件文书")
    sub = p.add_subparsers(dest="doc_command", required=True, parser_class=ChineseParser)
    c = add_sub(sub, "render", "按模板生成文书（编号并加密保存）")
    c.add_argument("case_id")
    c.add_argument("template_id")
    c.add_argument("--out", help="同时把生成的 .docx 写到这个文件")
    c.add_argument("--subject", help="针对哪一位被审查调查人（姓名或编号；案件有多人时必填）")
    add_sub(sub, "list", "案件的文书（含各版本）").add_argument("case_id")
    c = add_sub(sub, "preview", "任一模板按本案生成样稿（供检查模板：不编号、不保存、标有“样稿”）")
    c.add_argument("case_id")
    c.add_argument("template_id")
    c.add_argument("--out", required=True, help="样稿 .docx 文件")
    c.add_argument("--subject", help="针对哪一位被审查调查人（姓名或编号）")
    c = add_sub(sub, "void", "作废一份文书（各版本保留，编号不再使用）")
    c.add_argument("document_id")
    c.add_argument("--reason", required=True, help="作废原因")
    c = add_sub(sub, "export", "导出一份文书")
    c.add_argument("document_id")
    c.add_argument("--out", required=True, help="导出的 .docx 文件")

    p = add("dossier", cmd_dossier, "组卷：案卷封面、卷内目录、全部文书（按归档顺序）和卷内备考表")
    p.add_argument("case_id")
    p.add_argument("--out", help="合成一个 .docx 文件")
    p.add_argument("--pdf", help="合成一个 PDF 文件（需要 LibreOffice）")
    p.add_argument("--folder", help="另外逐份写入这个文件夹")

    p = add("templates", cmd_templates, "文书模板")
    sub = p.add_subparsers(dest="templates_command", required=True, parser_class=ChineseParser)
    add_sub(sub, "lint", "检查一个文件夹中的模板（清单、变量、标签、安全）").add_argument("dir")
