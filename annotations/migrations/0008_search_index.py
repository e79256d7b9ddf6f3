"""Indexes for the search page (annotations.search), on PostgreSQL only.

What search.py matches against, kept by PostgreSQL itself:

- `annotations_search_fold(text)`: the accent fold (lower case, NFD, combining marks U+0300 to
  U+036F dropped, œ æ ß spelt out), the SQL twin of `search.fold`.
- `annotations_search_config(language)`: the text search configuration of an article's language
  (`fr` or `fr-*` French, `en` or `en-*` English, `simple` otherwise), as `search.CONFIGS`.
- `annotations_article.search_document`: a stored generated column, the article's weighted
  document (title A, publisher and author B, text C, in its language's configuration, folded),
  so that a search reads it instead of parsing every article's text; with a GIN index.
- `annotations_claim_document(config, exact, normalised_text, claimant)`: a claim's document
  (quote and wording A, claimant B). A claim's language is its article's, in another table, which
  a generated column cannot read, so the claim table gets one GIN expression index per
  configuration instead (`french`, `english`, `simple`): search.py asks each configuration's
  rows with that configuration's query, which is what these indexes answer.
- GIN trigram indexes (pg_trgm, migration 0002) on the folded publisher, author and claimant, for
  the word similarity that finds a misspelt name (`<%` with pg_trgm.word_similarity_threshold,
  which search.py sets for the statement).

Why IMMUTABLE is right: generated columns and index expressions may only call immutable
functions. On PostgreSQL 15 every function the fold and the documents call is immutable already
(lower, normalize, regexp_replace, replace, to_tsvector(regconfig, text), setweight, LIKE; checked
in pg_proc), so the SQL functions below only name the expression once for the column, the indexes
and search.py's queries, which must be written identically for the planner to use an index. They
are plain SQL functions with an immutable body, so the planner inlines them (no call per row). As
with every immutable text function, a change of the server's Unicode tables or of a text search
dictionary (an upgrade) can change the results for stored rows: REINDEX the search indexes and
rewrite the column (`UPDATE annotations_article SET title = title`) after such an upgrade.

Changing these expressions means a new migration that replaces the functions and rebuilds the
column and indexes (search.py's `fold`, `CONFIGS` and weights must stay in step; tests compare the
stored documents with the expressions search.py builds). While the column exists PostgreSQL
refuses to change the type of the columns it reads (title, publisher, author, language, text): a
migration altering one of them drops `search_document` first and adds it again after.

SQLite (`make run`) skips all of it and searches without an index.
"""

from django.db import migrations

# The configuration of a language code: search.CONFIGS, with `simple` for every other language.
CONFIG_SQL = """
CREATE FUNCTION annotations_search_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
    WHEN language = 'fr' OR language LIKE 'fr-%' THEN 'pg_catalog.french'::regconfig
    WHEN language = 'en' OR language LIKE 'en-%' THEN 'pg_catalog.english'::regconfig
    ELSE 'pg_catalog.simple'::regconfig
END
"""

# search.fold: U&'...' spells the combining marks' range in ASCII.
FOLD_SQL = """
CREATE FUNCTION annotations_search_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN replace(replace(replace(
    regexp_replace(normalize(lower(value), NFD), U&'[\\0300-\\036F]', '', 'g'),
    U&'\\0153', 'oe'), U&'\\00E6', 'ae'), U&'\\00DF', 'ss')
"""

CLAIM_DOCUMENT_SQL = """
CREATE FUNCTION annotations_claim_document(
    config regconfig, exact text, normalised_text text, claimant text
) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN setweight(to_tsvector(config,
        COALESCE(annotations_search_fold(exact), '') || ' '
        || COALESCE(annotations_search_fold(normalised_text), '')), 'A')
    || setweight(to_tsvector(config, COALESCE(annotations_search_fold(claimant), '')), 'B')
"""

ARTICLE_DOCUMENT_SQL = """
ALTER TABLE annotations_article ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector(annotations_search_config(language),
        COALESCE(annotations_search_fold(title), '')), 'A')
    || setweight(to_tsvector(annotations_search_config(language),
        COALESCE(annotations_search_fold(publisher), '') || ' '
        || COALESCE(annotations_search_fold(author), '')), 'B')
    || setweight(to_tsvector(annotations_search_config(language),
        COALESCE(annotations_search_fold(text), '')), 'C')
) STORED
"""

CONFIGS = ("french", "english", "simple")

INDEXES = {
    "article_search_document": "annotations_article USING gin (search_document)",
    "article_publisher_search_trgm": (
        "annotations_article USING gin (annotations_search_fold(publisher) gin_trgm_ops)"
    ),
    "article_author_search_trgm": (
        "annotations_article USING gin (annotations_search_fold(author) gin_trgm_ops)"
    ),
    **{
        f"claim_search_{config}": (
            "annotations_claim USING gin (annotations_claim_document("
            f"'pg_catalog.{config}'::regconfig, exact, normalised_text, claimant))"
        )
        for config in CONFIGS
    },
    "claim_claimant_search_trgm": (
        "annotations_claim USING gin (annotations_search_fold(claimant) gin_trgm_ops)"
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in (CONFIG_SQL, FOLD_SQL, CLAIM_DOCUMENT_SQL, ARTICLE_DOCUMENT_SQL):
        schema_editor.execute(sql, params=None)
    for name, target in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON {target}", params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}", params=None)
    schema_editor.execute(
        "ALTER TABLE annotations_article DROP COLUMN IF EXISTS search_document", params=None
    )
    for function in (
        "annotations_claim_document(regconfig, text, text, text)",
        "annotations_search_fold(text)",
        "annotations_search_config(text)",
    ):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {function}", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0007_fingerprint_revocations"),
    ]

    operations = [
        # Outside the model state: Django never reads or writes the column (search.py names it on
        # PostgreSQL only), and the model stays the same on SQLite.
        migrations.RunPython(create, drop, elidable=False),
    ]
