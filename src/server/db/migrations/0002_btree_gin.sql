-- Lets GIN indexes lead with workspace_id (trigram contact search scoped by workspace).
CREATE EXTENSION IF NOT EXISTS btree_gin;
