-- A counter moved by every write to the supplier registry (suppliers and cooperative members), in the
-- same transaction where the engine has them. A process that keeps the registry in memory (the officer
-- listing's supplier index) reads this one row per request and reloads only when it has moved, so a
-- change made through any instance is seen by every instance.

CREATE TABLE registry_version (
  id INTEGER PRIMARY KEY,
  version BIGINT NOT NULL
);

INSERT INTO registry_version (id, version) VALUES (1, 0);
