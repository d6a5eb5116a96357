-- Owner: all writers. A condition a composed statement needs to hold, checked inside it (StatementParams in
-- libs/message-state): when it does not, the error undoes the whole statement, every one of its WITH queries included,
-- and the caller takes its slower path. Ingress's one-statement submission uses it to require every key claimed.
CREATE FUNCTION poort_require(ok boolean, problem text) RETURNS boolean
  LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION USING ERRCODE = 'PR001', MESSAGE = problem;
  END IF;
  RETURN true;
END
$$;
