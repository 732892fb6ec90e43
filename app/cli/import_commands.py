"""Commands that bring in what an office already has: its old 台账 and its cadre roster (docs/IMPORT.md)."""

from __future__ import annotations

import json

from app.cli.context import AddCommand, Context, emit, to_jsonable


def run_import(ctx: Context, kind: str) -> int:
    from app.services import import_mapping, ledger_import, roster_import
    from app.services.import_staging import ImportRefused

    a = ctx.args
    store = ctx.open()
    mapping = import_mapping.load_mapping(a.map, kind) if a.map else None
    preview_fn, commit_fn = ((ledger_import.preview_ledger, ledger_import.commit_ledger) if kind == ledger_import.KIND
                             else (roster_import.preview_roster, roster_import.commit_roster))
    preview = preview_fn(store, a.file, mapping)
    if a.save_map:
        import_mapping.save_mapping(preview.mapping, a.save_map, kind)
    counts = preview.counts()
    if a.dry_run:
        emit(ctx, {"dry_run": True, **preview.as_json()},
             "预览（未写入）：" + "，".join(f"{label}{counts[key]}行" for key, label in LABELS[kind])
             + "".join(f"\n第{p.row}行“{p.column}”：{p.reason}" for p in preview.invalid))
        return 0
    try:  # the ledger's commit takes the rows just read when nothing changed since
        result = (commit_fn(store, a.file, mapping, preview=preview) if kind == ledger_import.KIND
                  else commit_fn(store, a.file, mapping))
    except ImportRefused:
        if a.json:
            print(json.dumps({"ok": False, **to_jsonable(preview.as_json())}, ensure_ascii=False, indent=2))
        raise
    emit(ctx, {"ok": True, **to_jsonable(result), "counts": counts},
         "已导入：" + "，".join(f"{label}{counts[key]}行" for key, label in LABELS[kind]))
    return 0


LABELS = {
    "ledger": (("new", "新增"), ("existing", "已在库中（跳过）"), ("duplicate", "文件内重复（跳过）"),
               ("invalid", "有误"), ("skipped", "空行或合计行")),
    "roster": (("new", "新增"), ("updated", "已在档案中（更新）"), ("duplicate", "文件内重复（跳过）"),
               ("invalid", "有误"), ("skipped", "空行或合计行")),
}


def cmd_import_ledger(ctx: Context) -> int:
    return run_import(ctx, "ledger")


def cmd_import_roster(ctx: Context) -> int:
    return run_import(ctx, "roster")


def register(add: AddCommand) -> None:
    for name, handler, what in (("import-ledger", cmd_import_ledger, "导入原有问题线索台账（.xlsx/.csv/.tsv）"),
                                ("import-roster", cmd_import_roster, "导入村（社）干部花名册到人员档案")):
        p = add(name, handler, what)
        p.add_argument("file", help="表格文件")
        p.add_argument("--map", help="列与字段的对应关系 JSON（由 --save-map 保存）")
        p.add_argument("--save-map", help="把本次使用的对应关系保存到此文件，供下次使用")
        p.add_argument("--dry-run", action="store_true", help="只预览分类结果，不写入")
