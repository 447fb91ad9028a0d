-- Pages for people (src/routes/pages/): sign-in links mailed to a supplier's contact address and the sessions
-- they open.
--
-- A sign-in link names a random nonce, signed with the service's signing secret, bound to the address it was
-- mailed to and valid for minutes. The nonce is stored so that a link works once: using it sets used_at, and
-- a link whose row is used, expired or missing opens nothing. Rows older than a day are deleted when new
-- links are made.
CREATE TABLE sign_in_links (
  nonce TEXT PRIMARY KEY,
  supplier_id TEXT NOT NULL,
  address TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);
CREATE INDEX sign_in_links_address ON sign_in_links (address, created_at);

-- A signed-in browser: the SHA-256 of the session cookie's random value (the value itself is never stored),
-- who it is ('supplier' with its id, or 'operator' after the administrator key), and when it ends.
CREATE TABLE page_sessions (
  id_hash TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  supplier_id TEXT,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX page_sessions_supplier ON page_sessions (supplier_id);
