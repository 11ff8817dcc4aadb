-- Schema version 2: stored Responses (`store: true`), read back by GET/DELETE
-- /api/v1/responses/{id} and by `previous_response_id`.
--
-- Times: created_at is unix seconds (as the response object's own created_at).

CREATE TABLE responses (
    id                   TEXT    NOT NULL PRIMARY KEY, -- the response object's id
    -- The owning API key; NULL for responses stored with auth off. No foreign key: deleting a
    -- response touches nothing else, and keys are revoked, never deleted.
    api_key_id           TEXT,
    model                TEXT    NOT NULL,             -- provider/model that served it
    provider             TEXT    NOT NULL,
    created_at           INTEGER NOT NULL,
    previous_response_id TEXT,
    context              TEXT    NOT NULL,             -- JSON array: the turn's input items,
                                                       -- history included, no instructions
    response             TEXT    NOT NULL              -- JSON object, as returned to the client
);

-- A key's stored responses, newest last (listing and retention by key).
CREATE INDEX responses_by_key ON responses (api_key_id, created_at);
