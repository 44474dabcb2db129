-- stage/session: the session's one staging row.
-- Parameters: $1 json object with the columns of stage_session. Writes: stage_session.
INSERT INTO stage_session SELECT * FROM json_populate_record(NULL::stage_session, $1::json);
