-- Alert messages store what they say (the chosen tenders, changes and links, as JSON) instead of
-- their rendered bodies: a tenth of the bytes, and the email is rendered from it when sent, so a
-- retried message says the same thing under the same Message-ID. Rows written before this keep
-- their rendered text_body and html_body and have no content.

ALTER TABLE alert_outbox ADD COLUMN content TEXT;
