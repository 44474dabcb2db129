-- stage/errors: the errors and warnings the reader found in the batch's files.
-- Parameters: $1 json array of objects with the columns of stage_error (session_no included).
-- Writes: stage_error.
INSERT INTO stage_error SELECT * FROM json_populate_recordset(NULL::stage_error, $1::json);
