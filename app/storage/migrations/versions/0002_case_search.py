"""case search: FTS5 trigram index over clue numbers, persons and text, kept in sync by triggers

Revision ID: 0002
Revises: 0001

`case_search` (FTS5, tokenize='trigram') holds one document per live case: the case and clue
numbers with the 来文编号, the reported persons' names, units and posts, and the clue summary.
FTS5 rowids must be integers and the case ids are uuid hex, so `case_search_key` maps each case
id to a stable INTEGER PRIMARY KEY (a plain table's implicit rowid could change on VACUUM).

Triggers on case, clue, clue_subject and person rebuild the documents they touch, so every writer
(the services, bundle imports, bulk demo rows) keeps the index right without knowing about it.
`case_search_list` is a covering index for the 案件 list: the list's columns come after the
large `state` JSON in the case row, and without it every list load would decrypt and walk every
case's state. None of these is a SQLModel table or index: tests/integration/test_schema.py
leaves out names starting with "case_search". A later migration that rebuilds one of these four tables (Alembic batch mode
copies a table to change it) drops its triggers and must create them again.
"""

from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# The cases whose documents a trigger rebuilds are given as a SELECT of case ids.
INSERT_DOCUMENT = """
    INSERT INTO case_search (rowid, numbers, persons, summary)
    SELECT k.id,
           c.number || ' ' || cl.number || ' ' || cl.incoming_no,
           coalesce((SELECT group_concat(p.name || ' ' || p.unit || ' ' || p.post, ' ')
                     FROM clue_subject AS cs JOIN person AS p ON p.id = cs.person_id
                     WHERE cs.clue_id = cl.id AND cs.deleted = 0), ''),
           cl.summary
    FROM "case" AS c
    JOIN clue AS cl ON cl.id = c.clue_id
    JOIN case_search_key AS k ON k.case_id = c.id
    WHERE c.id IN ({ids}) AND c.deleted = 0;
"""
DOCUMENT = ("DELETE FROM case_search WHERE rowid IN (SELECT id FROM case_search_key WHERE case_id IN ({ids}));"
            + INSERT_DOCUMENT)

TRIGGERS = {
    "case_search_case_insert": ('AFTER INSERT ON "case"',
                                "INSERT OR IGNORE INTO case_search_key (case_id) VALUES (new.id);"
                                + DOCUMENT.format(ids="new.id")),
    "case_search_case_update": ('AFTER UPDATE OF number, clue_id, deleted ON "case"', DOCUMENT.format(ids="new.id")),
    "case_search_case_delete": ('AFTER DELETE ON "case"',
                                "DELETE FROM case_search WHERE rowid IN (SELECT id FROM case_search_key WHERE case_id = old.id);"
                                "DELETE FROM case_search_key WHERE case_id = old.id;"),
    "case_search_clue_update": ("AFTER UPDATE OF number, incoming_no, summary ON clue",
                                DOCUMENT.format(ids='SELECT id FROM "case" WHERE clue_id = new.id')),
    "case_search_subject_insert": ("AFTER INSERT ON clue_subject",
                                   DOCUMENT.format(ids='SELECT id FROM "case" WHERE clue_id = new.clue_id')),
    "case_search_subject_update": ("AFTER UPDATE OF clue_id, person_id, deleted ON clue_subject",
                                   DOCUMENT.format(ids='SELECT id FROM "case" WHERE clue_id IN (new.clue_id, old.clue_id)')),
    "case_search_subject_delete": ("AFTER DELETE ON clue_subject",
                                   DOCUMENT.format(ids='SELECT id FROM "case" WHERE clue_id = old.clue_id')),
    "case_search_person_update": ("AFTER UPDATE OF name, unit, post ON person",
                                  DOCUMENT.format(ids='SELECT c.id FROM "case" AS c JOIN clue_subject AS cs '
                                                      'ON cs.clue_id = c.clue_id WHERE cs.person_id = new.id')),
}


def upgrade() -> None:
    op.execute("CREATE VIRTUAL TABLE case_search USING fts5(numbers, persons, summary, tokenize='trigram')")
    op.execute("CREATE TABLE case_search_key (id INTEGER PRIMARY KEY, case_id VARCHAR NOT NULL UNIQUE)")
    op.execute('CREATE INDEX case_search_list ON "case" '
               "(deleted, id, clue_id, number, stage, step_id, next_due, next_due_title)")
    for name, (when, body) in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} BEGIN {body} END")
    # cases made before this revision
    op.execute('INSERT INTO case_search_key (case_id) SELECT id FROM "case"')
    op.execute(INSERT_DOCUMENT.format(ids='SELECT id FROM "case"'))


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP INDEX IF EXISTS case_search_list")
    op.execute("DROP TABLE IF EXISTS case_search_key")
    op.execute("DROP TABLE IF EXISTS case_search")
