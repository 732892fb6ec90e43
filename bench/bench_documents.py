"""One case document: rendered, numbered and stored by the service, against bare docxtpl on the same template.

- service: `documents.render` on a walked case — context built from the store, template checked and
  sandboxed, office fonts applied, number allocated, bytes and sha256 stored in one audited
  SQLCipher transaction, case state updated (each run regenerates, so a new version every time).
- baseline: docxtpl's `DocxTemplate(template).render(context, autoescape=True)` and `save()` into
  memory, with the very context the service built, on the same template file.

Run: python -m bench documents   (about twenty seconds; prints the ratio per template; goal ≤ 1.5×)
"""

from __future__ import annotations

import io
import shutil
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from docxtpl import DocxTemplate

from app.documents import context
from app.documents.registry import shipped_dir
from app.services import cases, documents, ruleset, template_registry
from tests.integration.test_documents import CLUE, ROUTE, TODAY, make_store, open_store, walk

TEMPLATES = ("sanction_decision", "review_report", "disposition_approval_form")
ROUNDS = 15
GOAL = 1.5


def timed(fn, rounds: int) -> float:
    fn()  # warm: imports, caches, first-connection costs
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-documents-"))
    try:
        data = tmp / "data"
        make_store(data)
        store = open_store(data)
        rules = ruleset.load(store)
        case_id = cases.register_clue(store, CLUE, today=TODAY, rules=rules).case_id
        walk(store, case_id, ROUTE, rules)
        for made in documents.case_templates(store, case_id, rules=rules):  # a case with its documents
            documents.render(store, case_id, made.template_id, today=TODAY, rules=rules, subject=made.subject_id)
        folder = shipped_dir()
        reg = template_registry.registry(store)
        entries = reg.shipped
        print(f"{'template':<28}{'service ms':>12}{'docxtpl ms':>12}{'ratio':>8}  goal ≤ {GOAL}×")
        for template_id in TEMPLATES:
            entry = entries[template_id]
            with store.read() as s:
                ctx = context.build(s, case_id, office_id=store.office.id, workflow=rules.workflow, catalog=rules.catalog,
                                    today=date(2026, 6, 30), numbers=documents.document_numbers(s, case_id),
                                    articles=rules.articles)
            path = folder / entry.file

            def bare(path=path, ctx=ctx):
                tpl = DocxTemplate(path)
                tpl.render(ctx, autoescape=True)
                tpl.save(io.BytesIO())

            def service_render(template_id=template_id):
                documents.render(store, case_id, template_id, today=TODAY, rules=rules)

            service = timed(service_render, ROUNDS)
            baseline = timed(bare, ROUNDS)
            ratio = service / baseline
            verdict = "met" if ratio <= GOAL else "MISSED"
            print(f"{template_id:<28}{service * 1000:>12.1f}{baseline * 1000:>12.1f}{ratio:>8.2f}  {verdict}")
        store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
