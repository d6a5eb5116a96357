-- Owner: all writers. The outbox is a queue: every row is deleted within milliseconds of its insert, so it is mostly
-- dead rows between vacuums, which every look in the table and every plan pays for. Vacuum it after a fixed number of
-- dead rows whatever its size (the default waits for 20 % of a table that is nearly empty), without the cost-based
-- pauses. How often autovacuum looks at all is autovacuum_naptime (scripts/infra/postgres.sh, k8s/postgres/cluster.yaml).
-- No truncation: a vacuum that finds the queue's last pages empty would otherwise cut them off under an ACCESS
-- EXCLUSIVE lock, and every writer's outbox insert waits for that (seen as 100-300 ms stalls of the receipts).
ALTER TABLE outbox SET (
  autovacuum_vacuum_scale_factor = 0,
  autovacuum_vacuum_threshold = 5000,
  autovacuum_vacuum_cost_delay = 0,
  vacuum_truncate = false
);
