-- Hand-written (drizzle-kit generates no extensions). pg_trgm serves the search (search_index's
-- GIN trigram indexes, the counterpart of SQLite's FTS5 trigram table). It is a trusted extension:
-- the database's owner, or a role with CREATE on the database, may create it; otherwise a superuser
-- runs this statement once, and `vminer db migrate` carries on from there.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
