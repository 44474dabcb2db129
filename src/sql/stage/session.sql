-- stage/session: the batch's session rows, one per session (session_no numbers them).
-- Parameters: $1 json array of objects with the columns of stage_session. Writes: stage_session.
INSERT INTO stage_session SELECT * FROM json_populate_recordset(NULL::stage_session, $1::json);
