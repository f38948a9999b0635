-- ============================================================================
-- Outgoing mail (the outbox of V008) and password resets.
--
-- The worker of `tenet serve` claims due mails (app.claim_outbox), sends
-- them, and reports each back (app.outbox_sent / app.outbox_failed); a
-- failed mail is retried with exponential backoff (2^attempts seconds, at
-- most an hour). Claims expire after a minute, so a crashed worker's mails
-- are sent by the next one.
-- ============================================================================

-- Queues a mail. Internal: called by the functions that cause mails.
CREATE OR REPLACE FUNCTION app.queue_email(p_recipient text, p_template text, p_payload jsonb) RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
  INSERT INTO app_private.outbox_emails (recipient, template, payload)
  VALUES (p_recipient, p_template, coalesce(p_payload, '{}'))
  RETURNING id
$$;
COMMENT ON FUNCTION app.queue_email(text, text, jsonb) IS
  'Writes a mail into the outbox, in the caller''s transaction. Internal: not executable by the API role.';

CREATE OR REPLACE FUNCTION app.claim_outbox(p_limit integer)
RETURNS TABLE (id bigint, recipient text, template text, payload jsonb, attempts integer)
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
  UPDATE app_private.outbox_emails o
     SET locked_until = now() + interval '1 minute', attempts = o.attempts + 1
   WHERE o.id IN (SELECT d.id FROM app_private.outbox_emails d
                   WHERE d.sent_at IS NULL AND d.next_attempt_at <= now()
                     AND (d.locked_until IS NULL OR d.locked_until < now())
                   ORDER BY d.id
                   LIMIT least(greatest(p_limit, 1), 100)
                   FOR UPDATE SKIP LOCKED)
  RETURNING o.id, o.recipient, o.template, o.payload, o.attempts
$$;
COMMENT ON FUNCTION app.claim_outbox(integer) IS
  'The mail worker''s claim: up to p_limit due mails, locked for a minute (SKIP LOCKED, so several processes share the work).';

CREATE OR REPLACE FUNCTION app.outbox_sent(p_id bigint) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
  UPDATE app_private.outbox_emails
     SET sent_at = now(), locked_until = NULL, last_error = NULL, payload = payload - 'token'
   WHERE id = p_id
$$;
COMMENT ON FUNCTION app.outbox_sent(bigint) IS 'Marks a claimed mail sent and removes the token it carried.';

CREATE OR REPLACE FUNCTION app.outbox_failed(p_id bigint, p_error text) RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
  UPDATE app_private.outbox_emails
     SET locked_until = NULL, last_error = left(p_error, 500),
         next_attempt_at = now() + make_interval(secs => least(power(2, least(attempts, 12)), 3600))
   WHERE id = p_id AND sent_at IS NULL
$$;
COMMENT ON FUNCTION app.outbox_failed(bigint, text) IS 'A claimed mail could not be sent: retried after 2^attempts seconds (at most an hour).';

-- ---------------------------------------------------------------------------
-- Password reset. The request answers the same whether or not the email has
-- an account (the API answers 202 either way); only a known account gets a
-- token and a mail.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.request_password_reset(p_email text, p_token text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_user users;
BEGIN
  IF p_email IS NULL OR length(p_email) > 320 OR p_token IS NULL OR length(p_token) < 43 OR length(p_token) > 200 THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid password reset request';
  END IF;
  SELECT * INTO v_user FROM users u WHERE lower(u.email) = lower(btrim(p_email));
  IF NOT FOUND THEN
    PERFORM app.log_security_event('auth.password_reset_requested', NULL, NULL, NULL, p_email,
                                   jsonb_build_object('account', false));
    RETURN;
  END IF;
  INSERT INTO app_private.password_resets (token_hash, user_id, expires_at)
  VALUES (sha256(convert_to(p_token, 'UTF8')), v_user.id, now() + interval '1 hour');
  PERFORM app.queue_email(v_user.email, 'password_reset', jsonb_build_object('token', p_token, 'name', v_user.name));
  PERFORM app.log_security_event('auth.password_reset_requested',
    app.event_tenant_of(v_user.id), v_user.id, NULL, NULL);
END
$$;
COMMENT ON FUNCTION app.request_password_reset(text, text) IS
  'Starts a password reset: for a known account, a single-use token (stored as sha256, valid 1 hour) and a mail carrying it.';

-- The token's account gets the new password (already hashed by the server),
-- every session of the account ends. false for an unknown, used or expired
-- token.
CREATE OR REPLACE FUNCTION app.confirm_password_reset(p_token_hash bytea, p_new_hash text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_reset app_private.password_resets;
  v_user users;
BEGIN
  IF p_token_hash IS NULL OR length(p_token_hash) <> 32 OR app.bcrypt_salt(p_new_hash) IS NULL THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid password reset';
  END IF;
  UPDATE app_private.password_resets r SET used_at = now()
   WHERE r.token_hash = p_token_hash AND r.used_at IS NULL AND r.expires_at > now()
  RETURNING * INTO v_reset;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  -- Every other pending reset of the account ends with this one.
  UPDATE app_private.password_resets SET used_at = now() WHERE user_id = v_reset.user_id AND used_at IS NULL;
  UPDATE app_private.user_secrets SET password_hash = p_new_hash, updated_at = now() WHERE user_id = v_reset.user_id;
  UPDATE sessions SET revoked_at = now(), revoked_reason = 'password_reset'
   WHERE user_id = v_reset.user_id AND revoked_at IS NULL;
  SELECT * INTO v_user FROM users WHERE id = v_reset.user_id;
  PERFORM app.log_security_event('auth.password_reset',
    app.event_tenant_of(v_user.id), v_user.id, NULL, NULL);
  RETURN true;
END
$$;
COMMENT ON FUNCTION app.confirm_password_reset(bytea, text) IS
  'Completes a password reset: sets the new bcrypt hash, ends the token and every session of the account; false for a bad token.';

-- ---------------------------------------------------------------------------
-- Email verification: a new account proves its mailbox with a mailed
-- single-use token (7 days); until then it may use only its home tenant.
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION app.issue_email_verification(p_user uuid, p_token text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v_user users;
BEGIN
  IF p_token IS NULL OR length(p_token) < 43 OR length(p_token) > 200 THEN
    RAISE EXCEPTION USING ERRCODE = 'TN422', MESSAGE = 'invalid verification token';
  END IF;
  SELECT * INTO v_user FROM users u WHERE u.id = p_user AND u.email_verified_at IS NULL;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  INSERT INTO app_private.email_verifications (token_hash, user_id, expires_at)
  VALUES (sha256(convert_to(p_token, 'UTF8')), v_user.id, now() + interval '7 days');
  PERFORM app.queue_email(v_user.email, 'verify_email', jsonb_build_object('token', p_token, 'name', v_user.name));
END
$$;
COMMENT ON FUNCTION app.issue_email_verification(uuid, text) IS
  'Queues the verification mail of an unverified account. Internal: called by sign-up and by POST /api/users.';

CREATE OR REPLACE FUNCTION app.verify_email(p_token_hash bytea) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp AS $$
DECLARE
  v app_private.email_verifications;
  v_user users;
BEGIN
  IF p_token_hash IS NULL OR length(p_token_hash) <> 32 THEN
    RETURN false;
  END IF;
  UPDATE app_private.email_verifications e SET used_at = now()
   WHERE e.token_hash = p_token_hash AND e.used_at IS NULL AND e.expires_at > now()
  RETURNING * INTO v;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  UPDATE users u SET email_verified_at = coalesce(u.email_verified_at, now()) WHERE u.id = v.user_id
  RETURNING * INTO v_user;
  PERFORM app.log_security_event('auth.email_verified', coalesce(v_user.home_tenant_id, v_user.last_tenant_id), v_user.id, NULL, NULL);
  RETURN true;
END
$$;
COMMENT ON FUNCTION app.verify_email(bytea) IS
  'Marks the account of a valid, unused, unexpired verification token verified; false otherwise.';

REVOKE ALL ON FUNCTION app.issue_email_verification(uuid, text), app.verify_email(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.verify_email(bytea) TO tenet_api;

REVOKE ALL ON FUNCTION app.queue_email(text, text, jsonb), app.claim_outbox(integer), app.outbox_sent(bigint),
  app.outbox_failed(bigint, text), app.request_password_reset(text, text), app.confirm_password_reset(bytea, text)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.claim_outbox(integer), app.outbox_sent(bigint), app.outbox_failed(bigint, text),
  app.request_password_reset(text, text), app.confirm_password_reset(bytea, text) TO tenet_api;
