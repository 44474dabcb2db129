-- queries/audit-partition: makes sure the audit_log partition of the current quarter exists.
-- Run in its own short transaction BEFORE a session's transaction: creating a partition takes
-- locks on ims.users (the partition's foreign key) that a session transaction, holding user
-- row locks, would deadlock against.
-- Writes: a partition of ims.audit_log, if missing.
SELECT ims.ensure_audit_log_partition(now());
